"""Occupations from real titles: O*NET-SOC accuracy on titles labelled by reading, coverage and speed.

    .venv/bin/python bench/quality_occupation.py [--before REV] [--show-errors]

Reads ingestion/tests/data/quality/occupations.jsonl (see the README beside it) and the postings in
../shared/data, runs each labelled posting through the normalizer as its source does
(ingestion/tests/quality_occupation.py) and prints, for the development and held-out halves, the share
of labelled titles given exactly the labelled code, a code of the same SOC broad occupation, of the same
major group, and any code (coverage). Then the speed of skills.occupations.classify_title over every
distinct title of the three corpora (with its description; the title cache emptied first) and the share
of them it classifies, by title or by description. With --before REV, the labelled postings also go
through the normalizer of git revision REV (a temporary worktree with this checkout's loader and labels
copied in), so the "before" figures come from the same run.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.revision import figures_at, quality_arguments, split_line  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gigm8.settings.test")

COPIED = (
    "ingestion/tests/quality_remote.py",
    "ingestion/tests/quality_occupation.py",
    "ingestion/tests/data/quality/occupations.jsonl",
    "bench/quality_occupation.py",
)


def _accuracy() -> dict[str, object]:
    import django

    django.setup()
    from ingestion.tests import quality_occupation as q

    q.require_shared_data()
    labels = q.read_labels()
    found = q.codes(labels)
    result: dict[str, object] = {}
    for split in ("dev", "heldout", "all"):
        score = q.score([label for label in labels if split in ("all", label.split)], found)
        result[split] = {
            "n": score.n,
            "exact": round(score.share(score.exact), 3),
            "broad": round(score.share(score.broad), 3),
            "major": round(score.share(score.major), 3),
            "coverage": round(score.share(score.classified), 3),
            "none_given_a_code": score.wrong_none,
        }
    result["errors"] = [
        [label.split, label.title, label.label, found[(label.file, label.key)]]
        for label in labels
        if found[(label.file, label.key)] != label.label
    ]
    return result


def _speed() -> dict[str, object]:
    """classify_title over every distinct title of the corpora, each with its first posting's description."""
    from ingestion.tests import quality_remote
    from skills import occupations

    occupations._tables.cache_clear()
    started = time.process_time()
    occupations._tables()
    load = time.process_time() - started
    postings: dict[str, str] = {}
    for name in quality_remote.CORPORA:
        for _, kwargs in quality_remote.corpus_postings(name):
            postings.setdefault(kwargs["title"], kwargs["description"])
    occupations._title_hit.cache_clear()
    # CPU time of this process: the machine is shared, and wall time would count the others' work.
    started = time.process_time()
    matches = [occupations.classify_title(title, description) for title, description in postings.items()]
    seconds = time.process_time() - started
    by_title = sum(1 for match in matches if match is not None and match.via == "title")
    by_description = sum(1 for match in matches if match is not None and match.via == "description")
    return {
        "titles": len(postings),
        "load_seconds": round(load, 2),
        "titles_per_second": round(len(postings) / seconds),
        "by_title": round(by_title / len(postings), 3),
        "by_description": round(by_description / len(postings), 3),
    }


def _before(rev: str) -> dict[str, object]:
    """The figures of revision `rev`: its normalizer, this checkout's labels and loader."""
    return figures_at(rev=rev, script="bench/quality_occupation.py", copied=COPIED)


def _line(name: str, figures: dict[str, object]) -> str:
    return split_line(
        name,
        figures,
        lambda f: (
            f"(n={f['n']}) exact {f['exact']:.3f} broad {f['broad']:.3f} major {f['major']:.3f} "
            f"coverage {f['coverage']:.3f}"
        ),
    )


def main() -> None:
    args = quality_arguments(__doc__.splitlines()[0], show_errors="list the titles the current rules get wrong")
    now = _accuracy()
    if args.json:
        print(json.dumps(now))
        return
    print("occupation from the title (O*NET-SOC): share of labelled titles with the same code / broad / major")
    figures = [(args.before[:10], _before(args.before))] if args.before else []
    figures.append(("now", now))
    for name, f in figures:
        print(_line(name, f))
    none_given = now["all"]["none_given_a_code"]  # type: ignore[index]
    print(f"{'':<8} postings labelled with no occupation that got one: {none_given}")
    speed = _speed()
    print(
        f"speed: {speed['titles']} distinct corpus titles at {speed['titles_per_second']:,} titles/s "
        f"(tables load once: {speed['load_seconds']} s); classified {speed['by_title']:.1%} by title, "
        f"{speed['by_description']:.1%} by description"
    )
    if args.show_errors:
        for error in now["errors"]:  # type: ignore[attr-defined]
            print("  ", error)


if __name__ == "__main__":
    main()
