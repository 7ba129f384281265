"""Places: the share of labelled real postings geocoded to the right city, and left without coordinates.

    GIGM8_VAR_DIR=… .venv/bin/python bench/quality_places.py [--misses] [--population 15000|5000|1000]

Reads ingestion/tests/data/quality/places.jsonl (labelled by reading; see its README) and the postings in
../shared/data, runs each through the normalizer as its source sends it, and prints for the dev and
held-out halves: "before" (coordinates only from the source, as before geocoding) and "after" (the
normalizer of this checkout). --population picks which GeoNames set the geocoder loads (default: the
one ingestion.normalize.geocode ships with), and prints its load time and memory.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gigm8.settings.base")

import django

django.setup()

from ingestion.normalize import geocode as geocode_module  # noqa: E402
from ingestion.tests import places_quality as pq  # noqa: E402
from jobs.choices import GeoPrecision  # noqa: E402


def before(item):
    """The normalizer without geocoding: a point only where the source sends one."""
    data = pq.normalize(item)
    if data.geo_precision != GeoPrecision.POINT:
        data.latitude = data.longitude = None
        data.geo_precision = GeoPrecision.NONE
    return data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--misses", action="store_true", help="list the items the rule gets wrong")
    parser.add_argument("--population", type=int, default=geocode_module.MIN_CITY_POPULATION)
    args = parser.parse_args()
    pq.require_shared_data()
    start = time.perf_counter()
    gazetteer = geocode_module._Gazetteer(min_population=args.population)
    load = time.perf_counter() - start
    geocode_module._gazetteer.cache_clear()
    geocode_module._gazetteer.__wrapped__ = lambda: gazetteer  # type: ignore[attr-defined]
    geocode_module._gazetteer = lambda: gazetteer  # type: ignore[assignment]
    geocode_module.geocode.cache_clear()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"gazetteer: GeoNames cities{args.population}, loaded in {load:.2f} s; process peak RSS {rss:.0f} MB")
    for split in ("dev", "heldout"):
        items = pq.labels(split)
        for name, rule in (("before", before), ("after", pq.normalize)):
            f = pq.score(items, rule)
            print(
                f"{split:8} {name:6} items {f.items:3}  right city {f.right_city}/{f.city_items} "
                f"= {f.right_city_share:6.1%}  without coordinates {f.without_coordinates_share:6.1%}  "
                f"non-city labels placed as a city {f.claimed_city}/{f.not_city_items}"
            )
            if args.misses and name == "after":
                for miss in f.misses:
                    print("   ", miss)
    items = pq.labels()
    calls = 0
    start = time.perf_counter()
    for _ in range(20):
        geocode_module.geocode.cache_clear()
        for item in items:
            data = pq.normalize(item)
            geocode_module.geocode.__wrapped__(city=data.city, region=data.region, country=data.country)
            calls += 1
    spent = time.perf_counter() - start
    print(f"per posting (normalize + an uncached geocode): {spent / calls * 1e6:.0f} µs")


if __name__ == "__main__":
    main()
