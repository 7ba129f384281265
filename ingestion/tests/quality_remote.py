"""The remote/hybrid/on-site labelled set: read the labels, look each posting up in ../shared/data,
run it through the normalizer as its source would, and score the result.

Shared by ``ingestion/tests/test_quality_remote.py`` (the targets) and ``bench/quality_remote.py``
(the figures, before and after). Every posting goes through the same code its real source uses:
the corpora as ``manage.py import_jobs`` maps them (README), the API fixtures through the spiders'
``*_posting`` functions or ``adzuna_record``, careers pages through the JSON-LD extractor.
"""

from __future__ import annotations

import csv
import dataclasses
import functools
import inspect
import json
import os
import random
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from ingestion import normalize

ROOT = Path(__file__).resolve().parents[2]
SHARED_DATA = Path(os.environ.get("GIGM8_SHARED_DIR", ROOT.parent / "shared")) / "data"
LABELS = Path(__file__).resolve().parent / "data" / "quality" / "remote.jsonl"
SPLIT_SEED = 16  # the dev/held-out split (issue 16), drawn before any result was looked at
TARGET_PRECISION = 0.97
TARGET_RECALL = 0.90

POSITIVE = frozenset({"remote", "hybrid"})  # what `remote=true` finds

# The three corpora, as bench/README.md's import_jobs commands map them: (path, delimiter, country, columns).
CORPORA: dict[str, tuple[str, str, str | None]] = {
    "adzuna_uk": ("job_postings/adzuna_uk_salary/Train_rev1.csv", ",", "gb"),
    "glassdoor": ("job_postings/glassdoor_ds/glassdoor_jobs.csv", ",", "us"),
    "google": ("job_postings/google_job_skills/job_skills.csv", ";", None),
}


def require_shared_data() -> None:
    """Fail loudly (never skip) when ../shared/data is not beside the clone."""
    if not (SHARED_DATA / "job_postings").is_dir():
        raise FileNotFoundError(
            f"{SHARED_DATA} is missing: the remote labelled set reads the real postings from ../shared/data "
            "(set GIGM8_SHARED_DIR to the folder holding data/)"
        )


@functools.cache
def _csv_rows(name: str) -> list[dict[str, str]]:
    path, delimiter, _ = CORPORA[name]
    csv.field_size_limit(2**31 - 1)
    with open(SHARED_DATA / path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter=delimiter))


def _corpus_kwargs(name: str, row: dict[str, str]) -> dict[str, Any]:
    """build_job_data keyword arguments for one corpus row, as import_jobs builds them."""
    country = CORPORA[name][2]
    if name == "adzuna_uk":
        return {
            "title": row["Title"],
            "description": row["FullDescription"],
            "location": row["LocationRaw"],
            "company_name": row["Company"],
            "category": row["Category"],
            "employment_type": [v for v in (row["ContractType"], row["ContractTime"]) if v],
            "country": country,
        }
    if name == "glassdoor":
        return {
            "title": row["Job Title"],
            "description": row["Job Description"],
            "location": "" if row["Location"] == "-1" else row["Location"],
            "company_name": row["Company Name"].splitlines()[0] if row["Company Name"] else "",
            "category": "" if row["Industry"] == "-1" else row["Industry"],
            "country": country,
        }
    parts = [
        (column, row[column])
        for column in ("Responsibilities", "Minimum Qualifications", "Preferred Qualifications")
        if row[column]
    ]
    return {
        "title": row["Title"],
        "description": "\n\n".join(f"{column}:\n{value}" for column, value in parts),
        "location": row["Location"],
        "company_name": row["Company"],
        "category": row["Category"],
        "country": country,
    }


def corpus_postings(name: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """(row index from 0, build_job_data kwargs) for every row with a title (import_jobs skips the rest)."""
    for index, row in enumerate(_csv_rows(name)):
        kwargs = _corpus_kwargs(name, row)
        if kwargs["title"].strip():
            yield index, kwargs


def _fixture(name: str) -> Any:
    return json.loads((SHARED_DATA / "api_fixtures" / name).read_text(encoding="utf-8"))


def fixture_postings() -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(file, id, build_job_data kwargs) for every posting of the API fixtures and careers pages."""
    from ingestion.services.adzuna import adzuna_record
    from scrapers.jobposting import extract_job_postings, jobposting_fields
    from scrapers.spiders.ashby import ashby_posting
    from scrapers.spiders.greenhouse import greenhouse_posting
    from scrapers.spiders.lever import lever_posting
    from scrapers.spiders.microsoft import microsoft_posting

    for job in _fixture("greenhouse_jobs.json")["jobs"]:
        yield "api_fixtures/greenhouse_jobs.json", str(job["id"]), greenhouse_posting(job)
    for posting in _fixture("lever_postings.json"):
        yield "api_fixtures/lever_postings.json", str(posting["id"]), lever_posting(posting)
    for job in _fixture("ashby_jobs.json")["jobs"]:
        yield "api_fixtures/ashby_jobs.json", str(job["id"]), ashby_posting(job)
    for position in _fixture("microsoft.json")["data"]["positions"]:
        yield "api_fixtures/microsoft.json", str(position["id"]), microsoft_posting(position, None, base_url="")
    for result in _fixture("adzuna_search.json")["results"]:
        data = adzuna_record(result, country="us")
        yield "api_fixtures/adzuna_search.json", str(result["id"]), {"__data__": data}
    for item in _fixture("usajobs_jobs.json")["SearchResult"]["SearchResultItems"]:
        # No USAJobs client yet: its fields as one would pass them (RemoteIndicator is the explicit field).
        found = item["MatchedObjectDescriptor"]
        details = (found.get("UserArea") or {}).get("Details") or {}
        yield (
            "api_fixtures/usajobs_jobs.json",
            str(found["PositionID"]),
            {
                "title": found["PositionTitle"],
                "description": details.get("JobSummary") or "",
                "location": found.get("PositionLocationDisplay") or "",
                "remote": details.get("RemoteIndicator"),
                "country": "us",
            },
        )
    for job in _fixture("remotive_jobs.json")["jobs"]:
        # No Remotive client yet: the board lists remote jobs only, so a client would say so explicitly.
        yield (
            "api_fixtures/remotive_jobs.json",
            str(job["id"]),
            {
                "title": job["title"],
                "description_html": job["description"],
                "location": job["candidate_required_location"],
                "remote": "remote",
            },
        )
    for page in ("job_page.html", "offer_jsonld.html"):
        html = (SHARED_DATA / "careers_html" / page).read_text(encoding="utf-8")
        for index, node in enumerate(extract_job_postings(html, url="https://example.com/")):
            yield f"careers_html/{page}", str(index), jobposting_fields(node, page_url="https://example.com/")


@functools.cache
def _accepted() -> frozenset[str]:
    """build_job_data's keywords: an older revision (the bench's "before") may not know newer ones."""
    return frozenset(inspect.signature(normalize.build_job_data).parameters)


def normalized_remote(source: str, key: str, kwargs: dict[str, Any]) -> str:
    """The remote value the normalizer gives one posting."""
    if "__data__" in kwargs:
        return str(kwargs["__data__"].remote)
    known = {k: v for k, v in kwargs.items() if k in _accepted() and k not in ("source", "external_id")}
    known.setdefault("skills", [])  # skill extraction is slow and beside the point here
    data = normalize.build_job_data(source=source, external_id=key, **known)
    return str(data.remote)


@dataclasses.dataclass(frozen=True, slots=True)
class Label:
    file: str
    key: str  # the row index (corpora) or the posting's id (API fixtures)
    label: str  # remote, hybrid or onsite
    evidence: str
    split: str  # dev or heldout


def split_of(file: str, key: str) -> str:
    """dev or heldout: a seeded draw per item, fixed before any result was seen."""
    return "dev" if random.Random(f"{SPLIT_SEED}:{file}:{key}").random() < 0.5 else "heldout"


def read_labels(path: Path = LABELS) -> list[Label]:
    labels = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            item = json.loads(line)
            key = str(item.get("row", item.get("id")))
            labels.append(Label(item["file"], key, item["label"], item["evidence"], split_of(item["file"], key)))
    return labels


def predictions(labels: Iterable[Label]) -> dict[tuple[str, str], str]:
    """{(file, key): remote value} for every labelled posting."""
    wanted = {(label.file, label.key) for label in labels}
    found: dict[tuple[str, str], str] = {}
    for name, (path, _, _) in CORPORA.items():
        file = path.removeprefix("job_postings/")
        for index, kwargs in corpus_postings(name):
            if (file, str(index)) in wanted:
                found[(file, str(index))] = normalized_remote(name, str(index), kwargs)
    for file, key, kwargs in fixture_postings():
        if (file, key) in wanted:
            found[(file, key)] = normalized_remote(file.rsplit("/", 1)[-1].split("_")[0], key, kwargs)
    return found


@dataclasses.dataclass(frozen=True, slots=True)
class Score:
    n: int
    tp: int
    fp: int
    fn: int
    exact: int  # the three-way value right too

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


def score(labels: Iterable[Label], found: dict[tuple[str, str], str]) -> Score:
    """Precision and recall of remote-or-hybrid against on-site."""
    n = tp = fp = fn = exact = 0
    for label in labels:
        value = found[(label.file, label.key)]
        n += 1
        exact += value == label.label
        positive, predicted = label.label in POSITIVE, value in POSITIVE
        tp += positive and predicted
        fp += predicted and not positive
        fn += positive and not predicted
    return Score(n, tp, fp, fn, exact)
