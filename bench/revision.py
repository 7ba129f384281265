"""A benchmark's figures at another git revision, measured in the same run as today's.

The quality scripts measure the normalizer of `--before REV`: a temporary worktree of that
revision, with this checkout's labels, loaders and the script itself laid over it (they may not
exist there), runs the script with `--json` and hands back what it printed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def figures_at(*, rev: str, script: str, copied: Sequence[str]) -> dict[str, object]:
    """The JSON figures `script --json` prints in a worktree of `rev` with `copied` files laid over it."""
    with tempfile.TemporaryDirectory(prefix="gigm8-before-") as tmp:
        tree = Path(tmp) / "tree"
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), rev], check=True, capture_output=True
        )
        try:
            for path in (*copied, script, "bench/revision.py"):
                (tree / path).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(ROOT / path, tree / path)
            env = {**os.environ}
            env.setdefault("GIGM8_SHARED_DIR", str(ROOT.parent / "shared"))
            out = subprocess.run(
                [sys.executable, str(tree / script), "--json"],
                check=True,
                capture_output=True,
                text=True,
                env=env,
                cwd=tree,
            )
            return json.loads(out.stdout)
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], check=False)


def quality_arguments(description: str, *, show_errors: str) -> argparse.Namespace:
    """The quality scripts' options: `--before REV`, `--show-errors` (what it lists: `show_errors`),
    and the hidden `--json` that figures_at runs in the other revision's worktree."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--before", metavar="REV", help="also measure the normalizer of this git revision")
    parser.add_argument("--show-errors", action="store_true", help=show_errors)
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args()


SPLITS = ("dev", "heldout", "all")


def split_line(
    name: str, figures: dict[str, object], describe: Callable[[dict[str, Any]], str], *, extra: Sequence[str] = ()
) -> str:
    """One printed line of a quality script: `name`, then each split as "<split> <describe(its figures)>"."""
    parts = []
    for split in SPLITS:
        f = figures[split]
        assert isinstance(f, dict)
        parts.append(f"{split} {describe(f)}")
    return f"{name:<8} " + " | ".join([*parts, *extra])
