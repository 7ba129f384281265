"""Geocoding at ingest (ingestion.normalize.geocode): unit rules, the labelled set's figures, and the
London radius over the real Adzuna UK corpus through the API's near filter."""

import csv
import io
import json
import time

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from ingestion.normalize import build_job_data
from ingestion.normalize.geocode import geocode
from ingestion.tests import places_quality as pq
from jobs.choices import GeoPrecision
from jobs.models import Job

LONDON = (51.5074, -0.1278)


def place(location, country=None, **extra):
    data = build_job_data(
        source="t", external_id="1", title="Job", location=location, country=country, skills=[], **extra
    )
    return data


def km_from(data, point):
    return pq.distance_km((data.latitude, data.longitude), point)


def test_the_country_decides_which_london():
    uk, ontario = place("London", "gb"), place("London, ON", "ca")
    assert uk.geo_precision == ontario.geo_precision == GeoPrecision.CITY
    assert km_from(uk, LONDON) < 2
    assert km_from(ontario, (42.98, -81.25)) < 5


def test_the_state_decides_which_cambridge():
    assert km_from(place("Cambridge, MA", "us"), (42.37, -71.11)) < 5
    assert km_from(place("Cambridge, Cambridgeshire", "gb"), (52.2, 0.12)) < 5


def test_a_state_too_small_for_the_gazetteer_gives_the_state_not_a_namesake_elsewhere():
    data = place("Millville, DE", "us")  # New Jersey has a bigger Millville
    assert data.geo_precision == GeoPrecision.REGION
    assert km_from(data, (39.0, -75.5)) < 120  # Delaware


def test_counties_and_nations_are_not_towns():
    surrey = place("Surrey", "gb")
    assert surrey.geo_precision == GeoPrecision.COUNTRY  # GeoNames has no county centres
    wales = place("Wales, Wales", "gb")
    assert wales.geo_precision == GeoPrecision.REGION and km_from(wales, (52.3, -3.6)) < 80
    california = place("California", "us")
    assert california.geo_precision == GeoPrecision.REGION
    derby = place("Derby, Derbyshire", "gb")  # a unitary authority named like its city: the city
    assert derby.geo_precision == GeoPrecision.CITY


def test_the_feed_suffix_after_a_region_is_not_read_as_the_place():
    data = place("Aberdeenshire, UK, Greater London", "gb")
    assert data.geo_precision == GeoPrecision.COUNTRY


@pytest.mark.parametrize(
    "text", ["North London", "London NW1 ,", "South East London, London", "London South East", "City Of London, London"]
)
def test_ways_of_writing_london(text):
    data = place(text, "gb")
    assert data.geo_precision == GeoPrecision.CITY and km_from(data, LONDON) < 5


def test_a_run_on_location_is_read_from_its_first_words():
    data = place("Stevenage Hertfordshire South East", "gb")
    assert data.geo_precision == GeoPrecision.CITY and km_from(data, (51.9, -0.2)) < 10


def test_other_spellings_and_city_states():
    assert km_from(place("München, Germany"), (48.14, 11.58)) < 5
    assert place("Singapore").geo_precision == GeoPrecision.CITY


def test_remote_jobs_get_their_country_or_nothing():
    remote_uk = place("London", "gb", remote="remote")
    assert remote_uk.geo_precision == GeoPrecision.COUNTRY and km_from(remote_uk, LONDON) > 50
    anywhere = place("Worldwide", remote=True)
    assert anywhere.latitude is None and anywhere.geo_precision == GeoPrecision.NONE


def test_coordinates_from_the_source_win():
    data = place("London", "gb", latitude="51.4", longitude="-0.3")
    assert (data.latitude, data.longitude, data.geo_precision) == (51.4, -0.3, GeoPrecision.POINT)
    half = place("London", "gb", latitude="51.4")  # one coordinate is no point: the place's is used
    assert half.geo_precision == GeoPrecision.CITY and km_from(half, LONDON) < 2


def test_nothing_to_place_gives_no_coordinates():
    assert geocode(city="Nowhere In Particular") is None
    data = place("")
    assert data.latitude is None and data.longitude is None and data.geo_precision == ""


def test_ashby_postal_address_region_and_locality_reach_the_normalizer():
    from scrapers.spiders.ashby import ashby_posting

    job = {
        "id": "a1",
        "title": "Engineer",
        "location": "New York, NY (HQ)",
        "address": {
            "postalAddress": {"addressRegion": "NY", "addressCountry": "USA", "addressLocality": "New York City"}
        },
    }
    posting = ashby_posting(job)
    assert posting["city"] == "New York City" and posting["region"] == "NY"
    data = build_job_data(source="ashby", skills=[], **posting)
    assert data.region == "NY" and data.geo_precision == GeoPrecision.CITY
    assert km_from(data, (40.71, -74.01)) < 5


@pytest.mark.parametrize("split", ["dev", "heldout"])
def test_labelled_real_postings_are_geocoded_to_the_right_city(split):
    """bench/quality_places.py prints these figures; the targets are a little under what they are."""
    pq.require_shared_data()  # fails with a clear message, never skips, when ../shared/data is absent
    figures = pq.score(pq.labels(split))
    assert figures.right_city_share >= 0.90, figures.misses
    assert figures.without_coordinates_share <= 0.03, figures.misses
    assert figures.claimed_city_share <= 0.15, figures.misses


@pytest.mark.django_db
@pytest.mark.slow
def test_near_london_over_the_imported_adzuna_corpus_returns_the_london_jobs():
    """bench/README.md's import_jobs command for the Adzuna UK corpus, then /api/jobs/?near=London&radius_km=30:
    precision and recall against the London labels (data/quality/london_circle.jsonl)."""
    shared = pq.require_shared_data()
    argv = [str(shared / "job_postings/adzuna_uk_salary/Train_rev1.csv"), "--source", "adzuna-uk", "--country", "gb"]
    for mapping in (
        "Id=external_id",
        "Title=title",
        "FullDescription=description",
        "LocationRaw=location",
        "ContractType=employment_type",
        "ContractTime=employment_type+",
        "Company=company",
        "Category=category",
        "SalaryRaw=salary",
        "LocationNormalized=-",
        "SalaryNormalized=-",
        "SourceName=-",
    ):
        argv += ["--map", mapping]
    call_command("import_jobs", *argv, stdout=io.StringIO())
    assert Job.objects.count() == 2498

    labels = [json.loads(line) for line in (pq.LABELS.parent / "london_circle.jsonl").read_text().splitlines()]
    inside = {item["location"] for item in labels if item["label"] == "in"}
    with open(shared / "job_postings/adzuna_uk_salary/Train_rev1.csv", encoding="utf-8", newline="") as fh:
        raw_location = {row["Id"]: row["LocationRaw"] for row in csv.DictReader(fh)}
    london_ids = {
        job_id
        for job_id, external_id in Job.objects.values_list("id", "external_id")
        if raw_location.get(external_id) in inside
    }
    expected = sum(item["rows"] for item in labels if item["label"] == "in")

    client = APIClient()
    returned: list[int] = []
    started = time.perf_counter()
    url = f"/api/jobs/?near={LONDON[0]},{LONDON[1]}&radius_km=30&page_size=100"
    while url:
        page = client.get(url).json()
        returned += [job["id"] for job in page["results"]]
        assert all(job["location"]["precision"] in ("city", "point") for job in page["results"])
        url = page.get("next")
    elapsed = time.perf_counter() - started
    hits = len(set(returned) & london_ids)
    precision, recall = hits / len(returned), hits / expected
    print(
        f"near London 30 km: {len(returned)} returned, precision {precision:.1%}, recall {recall:.1%} ({elapsed:.2f} s)"
    )
    assert precision >= 0.95 and recall >= 0.90
