"""Skills extracted from real postings: precision on labelled (posting, skill) pairs, recall on postings
whose expected skills were listed by reading, and skills per job.

    .venv/bin/python bench/quality_skills.py [--before REV] [--show-errors]

Reads ingestion/tests/data/quality/skills.jsonl and skills_recall.jsonl, and the check sets skills_check.jsonl
and skills_dropped.jsonl (see the README beside them), and
the postings in ../shared/data, runs each posting through the normalizer as its source does
(ingestion/tests/quality_skills.py) and prints the figures for the development and held-out halves.
With --before REV, the same postings also go through the normalizer and skills vocabulary of git
revision REV (checked out into a temporary worktree, with this checkout's loader and labels copied in),
so the "before" figures come from the same run.
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
    "ingestion/tests/quality_skills.py",
    "ingestion/tests/data/quality/skills.jsonl",
    "ingestion/tests/data/quality/skills_recall.jsonl",
    "ingestion/tests/data/quality/skills_check.jsonl",
    "ingestion/tests/data/quality/skills_dropped.jsonl",
    "bench/quality_skills.py",
)


def _figures() -> dict[str, object]:
    import django

    django.setup()
    from ingestion.tests import quality_skills as q

    q.require_shared_data()
    pairs, expected = q.read_pairs(), q.read_expected()
    check, drops = q.read_pairs(q.CHECK), q.read_pairs(q.DROPPED)
    found = q.extracted({p.posting for p in (*pairs, *check, *drops)} | {e.posting for e in expected})
    result: dict[str, object] = {}
    for split in ("dev", "heldout", "all"):
        p = q.precision([x for x in pairs if split in ("all", x.split)], found)
        r = q.recall([x for x in expected if split in ("all", x.split)], found)
        result[split] = {
            "postings": p.postings,
            "extracted": p.extracted,
            "per_job": round(p.per_job, 2),
            "labelled": p.labelled,
            "true": p.true,
            "precision": round(p.precision, 3),
            "unlabelled": len(p.unlabelled),
            "recall_postings": r.postings,
            "expected": r.expected,
            "recall": round(r.recall, 3),
        }
    c = q.precision(check, found)
    result["check"] = {
        "postings": c.postings,
        "per_job": round(c.per_job, 2),
        "labelled": c.labelled,
        "true": c.true,
        "precision": round(c.precision, 3),
        "unlabelled": len(c.unlabelled),
    }
    d = q.dropped(drops, found)
    result["dropped"] = {"labelled": d.labelled, "dropped": d.dropped, "false": d.dropped_false}
    everything = q.precision(pairs, found)
    labels = {(x.file, x.key, x.skill): x for x in pairs}
    result["false"] = [
        [file, key, skill, labels[(file, key, skill)].evidence]
        for (file, key), skills in sorted(found.items())
        for skill in skills
        if (file, key, skill) in labels and not labels[(file, key, skill)].label
    ]
    result["unlabelled"] = [list(item) for item in everything.unlabelled]
    result["missed"] = [list(item) for item in q.recall(expected, found).missed]
    return result


def _before(rev: str) -> dict[str, object]:
    """The figures of revision `rev`: its normalizer, this checkout's labels and loader."""
    return figures_at(rev=rev, script="bench/quality_skills.py", copied=COPIED)


def _line(name: str, figures: dict[str, object]) -> str:
    c, d = figures["check"], figures["dropped"]
    assert isinstance(c, dict) and isinstance(d, dict)
    return split_line(
        name,
        figures,
        lambda f: (
            f"P={f['precision']:.3f} ({f['true']}/{f['labelled']}, {f['unlabelled']} unlabelled) "
            f"R={f['recall']:.3f} of {f['expected']} skills/job={f['per_job']:.2f}"
        ),
        extra=(
            f"check P={c['precision']:.3f} ({c['true']}/{c['labelled']}, {c['unlabelled']} unlabelled) "
            f"skills/job={c['per_job']:.2f}",
            f"dropped {d['dropped']} of {d['labelled']} ({d['false']} false)",
        ),
    )


def main() -> None:
    args = quality_arguments(__doc__.splitlines()[0], show_errors="list false pairs, unlabelled pairs, misses")
    now = _figures()
    if args.json:
        print(json.dumps(now))
        return
    f = now["all"]
    assert isinstance(f, dict)
    print(
        f"skills: precision on {f['labelled']} labelled (posting, skill) pairs of {f['postings']} postings, "
        f"recall on {f['recall_postings']} postings with their expected skills"
    )
    if args.before:
        print(_line(args.before[:10], _before(args.before)))
    print(_line("now", now))
    if args.show_errors:
        for kind in ("false", "unlabelled", "missed"):
            for item in now[kind]:  # type: ignore[attr-defined]
                print(f"  {kind}: {item}")


if __name__ == "__main__":
    main()
