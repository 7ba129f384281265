"""Job level from real titles: accuracy on titles labelled by reading (ENTRY_LEVEL, EXPERIENCED, MANAGER,
DIRECTOR, EXECUTIVE, or none stated).

    .venv/bin/python bench/quality_level.py [--before REV] [--show-errors]

Reads ingestion/tests/data/quality/job_level.jsonl (see the README beside it) and the postings in
../shared/data, runs each posting through the normalizer as its source does (ingestion/tests/quality_level.py)
and prints the accuracy for the development and held-out halves, with the confusions. With --before REV,
the same postings also go through the normalizer of git revision REV (a temporary worktree with this
checkout's loader and labels copied in), so the "before" figures come from the same run.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.revision import figures_at, quality_arguments, split_line  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gigm8.settings.test")

COPIED = (
    "ingestion/tests/quality_remote.py",
    "ingestion/tests/quality_level.py",
    "ingestion/tests/data/quality/job_level.jsonl",
    "bench/quality_level.py",
)


def _figures() -> dict[str, object]:
    import django

    django.setup()
    from ingestion.tests import quality_level as q

    q.require_shared_data()
    labels = q.read_labels()
    found = q.levels(labels)
    result: dict[str, object] = {}
    for split in ("dev", "heldout", "all"):
        score = q.score([label for label in labels if split in ("all", label.split)], found)
        result[split] = {
            "n": score.n,
            "right": score.right,
            "accuracy": round(score.accuracy, 3),
            "confusion": {f"{want or '-'}->{got or '-'}": count for (want, got), count in score.confusion.items()},
        }
    result["errors"] = [
        [label.split, label.title, label.label, found[(label.file, label.key)]]
        for label in labels
        if found[(label.file, label.key)] != label.label
    ]
    return result


def _before(rev: str) -> dict[str, object]:
    """The figures of revision `rev`: its normalizer, this checkout's labels and loader."""
    return figures_at(rev=rev, script="bench/quality_level.py", copied=COPIED)


def _line(name: str, figures: dict[str, object]) -> str:
    return split_line(name, figures, lambda f: f"{f['right']}/{f['n']} = {f['accuracy']:.3f}")


def main() -> None:
    args = quality_arguments(__doc__.splitlines()[0], show_errors="list the titles the current rules get wrong")
    now = _figures()
    if args.json:
        print(json.dumps(now))
        return
    print("job level from the title: accuracy (label -> got: confusions)")
    figures = [(args.before[:10], _before(args.before))] if args.before else []
    figures.append(("now", now))
    for name, f in figures:
        print(_line(name, f))
        print(f"{'':<8} confusions (all): {f['all']['confusion']}")  # type: ignore[index]
    if args.show_errors:
        for error in now["errors"]:  # type: ignore[attr-defined]
            print("  ", error)


if __name__ == "__main__":
    main()
