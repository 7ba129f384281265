"""Remote/hybrid/on-site on real postings: precision and recall of remote-or-hybrid against on-site.

    .venv/bin/python bench/quality_remote.py [--before REV] [--show-errors]

Reads the labelled set ingestion/tests/data/quality/remote.jsonl (see the README beside it) and the
postings in ../shared/data, runs each posting through the normalizer as its source does
(ingestion/tests/quality_remote.py) and prints the figures for the development and held-out halves.
With --before REV, the same labelled items also go through the normalizer and spiders of git
revision REV (checked out into a temporary worktree, with this checkout's loader copied in), so the
"before" figures come from the same run.
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


def _figures() -> dict[str, object]:
    import django

    django.setup()
    from ingestion.tests import quality_remote as q

    q.require_shared_data()
    labels = q.read_labels()
    found = q.predictions(labels)
    result: dict[str, object] = {}
    for split in ("dev", "heldout", "all"):
        chosen = [label for label in labels if split in ("all", label.split)]
        score = q.score(chosen, found)
        result[split] = {
            "n": score.n,
            "positives": score.tp + score.fn,
            "tp": score.tp,
            "fp": score.fp,
            "fn": score.fn,
            "precision": round(score.precision, 3),
            "recall": round(score.recall, 3),
            "exact": round(score.exact / score.n, 3) if score.n else 1.0,
        }
    result["errors"] = [
        {"file": label.file, "key": label.key, "label": label.label, "got": found[(label.file, label.key)]}
        for label in labels
        if (label.label in q.POSITIVE) != (found[(label.file, label.key)] in q.POSITIVE)
    ]
    return result


# This checkout's labels and loader, laid over an older revision to measure its normalizer and spiders.
COPIED = ("ingestion/tests/quality_remote.py", "ingestion/tests/data/quality/remote.jsonl")


def _before(rev: str) -> dict[str, object]:
    """The figures of revision `rev`: its normalizer and spiders, this checkout's labels and loader."""
    return figures_at(rev=rev, script="bench/quality_remote.py", copied=COPIED)


def _line(name: str, figures: dict[str, object]) -> str:
    return split_line(
        name,
        figures,
        lambda f: f"n={f['n']} pos={f['positives']} P={f['precision']:.3f} R={f['recall']:.3f} exact={f['exact']:.3f}",
    )


def main() -> None:
    args = quality_arguments(__doc__.splitlines()[0], show_errors="list the items the current rules get wrong")
    now = _figures()
    if args.json:
        print(json.dumps(now))
        return
    print("remote-or-hybrid vs on-site (P = precision, R = recall; exact = three-way value right)")
    if args.before:
        print(_line(args.before[:10], _before(args.before)))
    print(_line("now", now))
    if args.show_errors:
        for error in now["errors"]:  # type: ignore[attr-defined]
            print("  ", error)


if __name__ == "__main__":
    main()
