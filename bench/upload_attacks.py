"""Hostile resume uploads against a running server: status, time, and the server's memory.

    .venv/bin/python bench/upload_attacks.py --url http://127.0.0.1:8000 [--pid GUNICORN_MASTER_PID]
        [--parallel 20]

Builds each file (matching.tests.hostile: a DOCX unpacking to 1 GB, a DOCX whose headers lie, a
30,000-page PDF, a PDF whose stream inflates to 512 MB, a 10 KB PDF that takes pypdf a minute, a
text resume quoting "%PDF-"), POSTs it to /api/match/resume/ and prints the status, the error code
and the seconds. With --pid, it also prints the peak memory of that process tree (the master, its
workers and their parse children, sampled every 50 ms with psutil). Then --parallel uploads of a
5 MB slow PDF at once, timing /health/live/ meanwhile. Run it only against a server you started:
on code without the limits, the 1 GB DOCX takes a worker to several GB (cap it with `ulimit -v`).
"""

from __future__ import annotations

import argparse
import http.client
import json
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import contextlib

from matching.tests import hostile


def post(base: str, name: str, data: bytes) -> tuple[int, str, float]:
    url = urlsplit(base)
    boundary = uuid.uuid4().hex
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="resume_file"; filename="{name}"\r\n\r\n'.encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    started = time.monotonic()
    conn = http.client.HTTPConnection(url.hostname, url.port or 80, timeout=300)
    try:
        conn.request("POST", "/api/match/resume/", body, {"Content-Type": f"multipart/form-data; boundary={boundary}"})
        response = conn.getresponse()
        payload = response.read()
        status = response.status
    except OSError as exc:
        return 0, type(exc).__name__, time.monotonic() - started
    finally:
        conn.close()
    try:
        code = json.loads(payload).get("error", {}).get("code", "ok")
    except ValueError:
        code = payload[:60].decode(errors="replace")
    return status, code, time.monotonic() - started


def live(base: str) -> float:
    url = urlsplit(base)
    started = time.monotonic()
    conn = http.client.HTTPConnection(url.hostname, url.port or 80, timeout=60)
    try:
        conn.request("GET", "/health/live/")
        conn.getresponse().read()
    except OSError:
        return float("inf")
    finally:
        conn.close()
    return time.monotonic() - started


class PeakMemory:
    """The largest summed RSS of a process and its descendants, sampled in a thread."""

    def __init__(self, pid: int | None) -> None:
        self.pid, self.peak, self._stop = pid, 0, threading.Event()

    def __enter__(self) -> PeakMemory:
        if self.pid:
            threading.Thread(target=self._run, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()

    def _run(self) -> None:
        import psutil

        root = psutil.Process(self.pid)
        while not self._stop.is_set():
            total = 0
            for process in [root, *root.children(recursive=True)]:
                with contextlib.suppress(psutil.Error):
                    total += process.memory_info().rss
            self.peak = max(self.peak, total)
            time.sleep(0.05)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--pid", type=int, help="the server's master pid, to report its tree's peak RSS")
    parser.add_argument("--parallel", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        files = {
            "docx bomb (1 GB unpacked)": ("cv.docx", hostile.docx_bomb(Path(folder) / "b.docx").read_bytes()),
            "docx lying about its size": ("cv.docx", hostile.docx_that_lies(Path(folder) / "l.docx").read_bytes()),
            "30,000-page pdf": ("cv.pdf", hostile.many_page_pdf(30_000)),
            "pdf bomb (512 MB stream)": ("cv.pdf", hostile.pdf_bomb(512 << 20)),
            "10 KB pdf, a minute of text": ("cv.pdf", hostile.slow_pdf()),
            "text quoting %PDF-": ("cv.txt", hostile.TEXT_RESUME_QUOTING_PDF),
        }
    print(f"{'file':30} {'size':>10} {'status':>6} {'code':20} {'seconds':>8} {'peak RSS MB':>11}")
    for label, (name, data) in files.items():
        with PeakMemory(args.pid) as memory:
            status, code, seconds = post(args.url, name, data)
            time.sleep(0.1)
        peak = f"{memory.peak / 1048576:,.0f}" if args.pid else "-"
        print(f"{label:30} {len(data):>10,} {status:>6} {code:20} {seconds:>8.2f} {peak:>11}")

    data = hostile.padded(hostile.slow_pdf(), size=5_000_000)
    probes: list[float] = []
    done = threading.Event()

    def probe() -> None:
        while not done.is_set():
            probes.append(live(args.url))
            time.sleep(0.2)

    prober = threading.Thread(target=probe, daemon=True)
    started = time.monotonic()
    with PeakMemory(args.pid) as memory:
        prober.start()
        with ThreadPoolExecutor(args.parallel) as pool:
            answers = list(pool.map(lambda _: post(args.url, "cv.pdf", data), range(args.parallel)))
        done.set()
        prober.join()
    statuses: dict[int, int] = {}
    for status, _, _ in answers:
        statuses[status] = statuses.get(status, 0) + 1
    print(
        f"{args.parallel} parallel 5 MB uploads: {time.monotonic() - started:.1f} s, statuses {statuses}, "
        f"/health/live/ slowest {max(probes):.2f} s over {len(probes)} probes"
        + (f", peak RSS {memory.peak / 1048576:,.0f} MB" if args.pid else "")
    )


if __name__ == "__main__":
    main()
