"""Pay stated in a description: how often the normalizer reads it right, and how often it invents one.

    .venv/bin/python bench/quality_description_salary.py               # the current rules
    .venv/bin/python bench/quality_description_salary.py --rev e7fc07a # also the rules of a git revision

Reads the labels in ingestion/tests/data/quality/description_salary.jsonl (made by reading the postings; see
the README beside them) and the postings themselves from ../shared/data. Each labelled description goes
through `build_job_data` with its text, place and country only (no salary field), the way a posting without
a structured salary arrives, and the salary it yields is compared with the label:

  pay      right when salary_source is "description" and min, max, currency and period all equal the label;
  none     a false salary when the normalizer gives any salary at all;
  partial  (Adzuna UK rows whose pay the dataset masked in part) not scored, only counted.

Figures are printed per split (dev: the rules were tuned on it; held_out: checked once at the end), with a
naive baseline (`parse_salary` over the whole description, i.e. no pay context) and, with --rev, the same
figures from the normalizer of that revision (checked out into a temporary git worktree and run there).
"""

from __future__ import annotations

import argparse
import csv
import html
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
LABELS = ROOT / "ingestion" / "tests" / "data" / "quality" / "description_salary.jsonl"
DATA = Path(os.environ.get("GIGM8_SHARED_DATA", ROOT.parent / "shared" / "data"))
SALARY_FIELDS = ("salary_text", "salary_min", "salary_max", "salary_currency", "salary_period", "salary_is_predicted")


def _setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gigm8.settings.base")
    import django

    django.setup()


def load_labels(path: Path = LABELS) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _postings(data: Path) -> dict[tuple[str, str], dict[str, Any]]:
    """build_job_data keyword arguments (text and place only) of every posting a label may name."""
    from scrapers.spiders.ashby import ashby_posting
    from scrapers.spiders.greenhouse import greenhouse_posting
    from scrapers.spiders.lever import lever_posting

    found: dict[tuple[str, str], dict[str, Any]] = {}
    name = "job_postings/glassdoor_ds/glassdoor_jobs.csv"
    with (data / name).open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            found[(name, row[""])] = {
                "title": row["Job Title"],
                "description": row["Job Description"],
                "location": row["Location"],
            }
    name = "job_postings/adzuna_uk_salary/Train_rev1.csv"
    with (data / name).open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            found[(name, row["Id"])] = {
                "title": row["Title"],
                "description": row["FullDescription"],
                "location": row["LocationNormalized"],
            }
    name = "job_postings/google_job_skills/job_skills.csv"
    with (data / name).open(encoding="utf-8") as handle:
        for i, row in enumerate(csv.DictReader(handle, delimiter=";")):
            text = "\n\n".join(
                row[k] for k in ("Responsibilities", "Minimum Qualifications", "Preferred Qualifications")
            )
            found[(name, str(i))] = {"title": row["Title"], "description": text, "location": row["Location"]}
    fixtures = data / "api_fixtures"
    for job in json.loads((fixtures / "greenhouse_jobs.json").read_text())["jobs"]:
        found[("api_fixtures/greenhouse_jobs.json", str(job["id"]))] = greenhouse_posting(job)
    for posting in json.loads((fixtures / "lever_postings.json").read_text()):
        found[("api_fixtures/lever_postings.json", posting["id"])] = lever_posting(posting)
    for job in json.loads((fixtures / "ashby_jobs.json").read_text())["jobs"]:
        found[("api_fixtures/ashby_jobs.json", job["id"])] = ashby_posting(job)
    for job in json.loads((fixtures / "remotive_jobs.json").read_text())["jobs"]:
        found[("api_fixtures/remotive_jobs.json", str(job["id"]))] = {
            "title": job["title"],
            "description": job["description"],
        }
    for job in json.loads((fixtures / "adzuna_search.json").read_text())["results"]:
        found[("api_fixtures/adzuna_search.json", str(job["id"]))] = {
            "title": job["title"],
            "description": job["description"],
        }
    for item in json.loads((fixtures / "usajobs_jobs.json").read_text())["SearchResult"]["SearchResultItems"]:
        job = item["MatchedObjectDescriptor"]
        found[("api_fixtures/usajobs_jobs.json", job["PositionID"])] = {
            "title": job["PositionTitle"],
            "description": job["UserArea"]["Details"]["JobSummary"],
        }
    info = json.loads((fixtures / "workday_job_detail.json").read_text())["jobPostingInfo"]
    found[("api_fixtures/workday_job_detail.json", "jobPostingInfo")] = {
        "title": info["title"],
        "description_html": info["jobDescription"],
    }
    for page in ("job_page.html", "offer_jsonld.html"):
        text = (data / "careers_html" / page).read_text(encoding="utf-8")
        block = re.search(r'<script type="application/ld\+json">(.*?)</script>', text, re.S)
        ld = json.loads(html.unescape(block.group(1))) if block else {}
        found[(f"careers_html/{page}", "JobPosting")] = {
            "title": ld.get("title") or "?",
            "description_html": ld.get("description") or "",
        }
    return found


def measure(labels: list[dict[str, Any]], data: Path = DATA) -> dict[str, Any]:
    """Figures of the current normalizer per split: right/pay, false/none, and the mistakes."""
    from ingestion.normalize import build_job_data, parse_salary

    postings = _postings(data)
    result: dict[str, Any] = {}
    elapsed = 0.0
    for split in ("dev", "held_out"):
        figures = {"pay": 0, "right": 0, "none": 0, "false": 0, "partial": 0, "naive_right": 0, "naive_false": 0}
        mistakes = []
        for item in (i for i in labels if i["split"] == split):
            raw = {k: v for k, v in postings[(item["file"], item["row"])].items() if k not in SALARY_FIELDS}
            raw["title"] = raw.get("title") or "?"
            raw.pop("external_id", None)
            raw["country"] = item["country"] or raw.get("country")
            started = time.perf_counter()
            job = build_job_data(source="bench", external_id=item["row"], **raw)
            elapsed += time.perf_counter() - started
            got = _salary(job.salary_min, job.salary_max, job.salary_currency, job.salary_period)
            naive = parse_salary(job.description, country=job.country or None)
            naive_got = _salary(naive.min, naive.max, naive.currency, naive.period) if naive else None
            label = item["label"]
            if label == "partial":
                figures["partial"] += 1
            elif label == "none":
                figures["none"] += 1
                figures["false"] += got is not None
                figures["naive_false"] += naive_got is not None
                if got is not None:
                    mistakes.append((item["file"], item["row"], "none", got))
            else:
                want = _salary(label["min"], label["max"], label["currency"], label["period"])
                figures["pay"] += 1
                ok = got == want and job.salary_source == "description"
                figures["right"] += ok
                figures["naive_right"] += naive_got == want
                if not ok:
                    mistakes.append((item["file"], item["row"], want, got))
        figures["mistakes"] = mistakes
        result[split] = figures
    result["seconds_in_build_job_data"] = round(elapsed, 3)
    return result


def _salary(low: Any, high: Any, currency: str, period: str) -> tuple[Any, ...] | None:
    if low is None and high is None:
        return None
    return (
        Decimal(low).normalize() if low is not None else None,
        Decimal(high).normalize() if high is not None else None,
        currency,
        period,
    )


def _at_revision(rev: str) -> dict[str, Any]:
    """The figures of revision `rev`'s normalizer: this script run in a temporary worktree of it."""
    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp) / "tree"
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), rev], check=True, capture_output=True
        )
        try:
            env = {**os.environ, "PYTHONPATH": str(tree), "GIGM8_SHARED_DATA": str(DATA)}
            out = subprocess.run(
                [sys.executable, __file__, "--json", "--root", str(tree)],
                check=True,
                capture_output=True,
                text=True,
                env=env,
                cwd=tree,
            )
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], check=False)
        return json.loads(out.stdout)


def _report(title: str, result: dict[str, Any], *, naive: bool = False) -> None:
    print(title)
    for split in ("dev", "held_out"):
        f = result[split]
        right, false = ("naive_right", "naive_false") if naive else ("right", "false")
        print(
            f"  {split:9} pay stated: {f[right]}/{f['pay']} right ({100 * f[right] / max(f['pay'], 1):.1f} %)"
            f"   no pay: {f[false]}/{f['none']} given a salary ({100 * f[false] / max(f['none'], 1):.2f} %)"
            f"   partly masked, not scored: {f['partial']}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rev", help="also measure the normalizer of this git revision (e.g. the base commit)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON (used by --rev)")
    parser.add_argument("--root", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not DATA.is_dir():
        sys.exit(f"{DATA} is absent: the labelled postings live in ../shared/data beside the clone")
    if args.root:  # run inside another revision's tree: import its code, keep these labels
        global ROOT
        ROOT = Path(args.root)
    _setup_django()
    result = measure(load_labels())
    if args.json:
        print(json.dumps(result, default=str))
        return
    if args.rev:
        _report(f"before: the normalizer of {args.rev}", _at_revision(args.rev))
    _report("baseline: parse_salary over the whole description (no pay context)", result, naive=True)
    _report("after: build_job_data with salary_from_description", result)
    print(f"  {result['seconds_in_build_job_data']} s in build_job_data for {len(load_labels())} descriptions")
    # Only the dev half's mistakes: the held-out half is checked by its figure, not tuned on.
    for file, row, want, got in result["dev"]["mistakes"]:
        print(f"  dev miss: {file} {row}: want {want}, got {got}")


if __name__ == "__main__":
    main()
