"""Bad input, longer: schemathesis-generated requests against every operation of /api/schema/.

    .venv/bin/python bench/fuzz_api.py              # 10,000 requests
    .venv/bin/python bench/fuzz_api.py 50000        # as many as you like

Runs gigm8/tests/test_schemathesis.py (the CI test, 1,200 requests) with N requests instead:
valid and invalid input, anonymous and staff, against the WSGI application on a seeded test
database; fails on any 5xx or any answer that does not match the schema, naming the operation,
the request (as curl) and the violation.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("requests", type=int, nargs="?", default=10_000, help="generated requests to send")
    args = parser.parse_args()
    if args.requests < 1:
        parser.error("requests must be at least 1")
    env = {
        **os.environ,
        "GIGM8_FUZZ_REQUESTS": str(args.requests),
        "GIGM8_TEST_DB_SUFFIX": os.environ.get("GIGM8_TEST_DB_SUFFIX", "fuzz"),
    }
    command = [
        sys.executable,
        "-m",
        "pytest",
        "gigm8/tests/test_schemathesis.py::test_generated_requests_get_no_5xx_and_match_the_schema",
        "-q",
        "-p",
        "no:logging",
        "-p",
        "no:cacheprovider",
        "-s",  # the summary line; the request log lines (stderr) are left out
    ]
    sys.exit(subprocess.call(command, cwd=ROOT, env=env, stderr=subprocess.DEVNULL))


if __name__ == "__main__":
    main()
