"""JobFilterSet on its own, as the match endpoints use it: each filter, each ordering, each error."""

import math
from datetime import timedelta
from decimal import Decimal

import pytest
from django.http import QueryDict
from django.utils import timezone

from jobs.choices import EmploymentType, GeoPrecision, JobLevel, JobStatus, Remote
from jobs.filters import EARTH_RADIUS_KM, JobFilterSet
from jobs.selectors import job_list_public, job_list_staff
from jobs.tests.factories import CompanyFactory, JobFactory

pytestmark = pytest.mark.django_db

LONDON = (51.5074, -0.1278)
PARIS = (48.8566, 2.3522)
READING = (51.4543, -0.9781)  # about 59 km west of London


def run(query: str, *, queryset=None, request=None) -> list[int]:
    filterset = JobFilterSet(QueryDict(query), queryset=queryset or job_list_public(), request=request)
    assert filterset.is_valid(), filterset.errors
    return [job.id for job in filterset.qs]


def errors(query: str, *, request=None) -> dict[str, list[str]]:
    filterset = JobFilterSet(QueryDict(query), queryset=job_list_public(), request=request)
    assert not filterset.is_valid()
    return {name: [str(message) for message in messages] for name, messages in filterset.errors.items()}


def salaried(low, high, **kwargs):
    return JobFactory(
        salary_min=Decimal(low) if low is not None else None,
        salary_max=Decimal(high) if high is not None else None,
        salary_annual_min=Decimal(low) if low is not None else None,
        salary_annual_max=Decimal(high) if high is not None else None,
        salary_currency="GBP",
        salary_period="year",
        **kwargs,
    )


def test_q_uses_web_search_syntax_and_ranks_title_first():
    title = JobFactory(title="Python Developer", description="Backend work.")
    text = JobFactory(title="Backend Developer", description="Some Python scripting.")
    senior = JobFactory(title="Senior Python Developer", description="Lead.")
    nurse = JobFactory(title="Nurse", description="Wards.")
    found = run("q=python")
    assert set(found) == {title.id, text.id, senior.id}
    assert found[-1] == text.id  # a match in the description only ranks below title matches
    assert set(run("q=python -senior")) == {title.id, text.id}
    assert set(run('q="python developer"')) == {title.id, senior.id}
    assert set(run("q=nurse or scripting")) == {text.id, nurse.id}


def test_q_default_order_is_relevance_and_rows_carry_it():
    best = JobFactory(title="Rust Rust Engineer", description="Rust.")
    weaker = JobFactory(title="Engineer", description="Some rust.")
    filterset = JobFilterSet(QueryDict("q=rust"), queryset=job_list_public())
    assert filterset.is_valid()
    rows = list(filterset.qs)
    assert [row.id for row in rows] == [best.id, weaker.id]
    assert rows[0].relevance > rows[1].relevance > 0


def _posted(hours_ago: int, **kwargs):
    return JobFactory(posted_at=timezone.now() - timedelta(hours=hours_ago), **kwargs)


def test_q_by_relevance_ranks_a_bounded_set_newest_title_matches_and_newest_others(settings):
    settings.SEARCH_RANK_CANDIDATES = 2
    old_title = _posted(30, title="Welder", skills=[], description="Welder welder welder welder.")
    titles = [_posted(hours, title="Welder", skills=[], description="Shifts.") for hours in (1, 2, 3)]
    skills = _posted(4, title="Fabricator", skills=["welder"], description="Shifts.")
    elsewhere = [_posted(hours, title="Fitter", skills=[], description="Welder wanted.") for hours in (5, 6, 7)]
    undated = JobFactory(posted_at=None, title="Welder", skills=[], description="Shifts.")
    # The two newest jobs with the word in title or skills (equal ranks: the later id first).
    assert run("q=welder") == [titles[1].id, titles[0].id]
    # Six hold it in title or skills: seven candidates are those and the newest holding it elsewhere.
    settings.SEARCH_RANK_CANDIDATES = 7
    ranked = run("q=welder")
    assert set(ranked) == {old_title.id, undated.id, skills.id, elsewhere[0].id, *(job.id for job in titles)}
    assert ranked[0] == old_title.id and ranked[-1] == elsewhere[0].id  # the most welders first; description last
    # Every match is still found by the other orderings (and counted: JobFilterSet.counted).
    every = {old_title.id, undated.id, skills.id, *(job.id for job in titles + elsewhere)}
    assert set(run("q=welder&ordering=-posted_at")) == every
    filterset = JobFilterSet(QueryDict("q=welder"), queryset=job_list_public())
    assert filterset.is_valid() and filterset.counted.count() == len(every)


def test_q_bounded_set_follows_the_other_filters_and_excluded_words(settings):
    settings.SEARCH_RANK_CANDIDATES = 1
    remote = _posted(5, title="Welder", description="Shifts.", remote=Remote.REMOTE)
    onsite = _posted(4, title="Welder", description="Shifts.", remote=Remote.ONSITE)
    # The set is taken after the other filters: the newest remote title match, not the newest of all.
    assert run("q=welder&remote=remote") == [remote.id]
    assert run("q=welder&remote=onsite") == [onsite.id]
    # The newest title match holds the excluded word in its description: it is no match, and the
    # cut-off does not reach past it to the next title match.
    _posted(1, title="Welder", description="Night shifts.", remote=Remote.HYBRID)
    older = _posted(3, title="Welder", description="Day work.", remote=Remote.HYBRID)
    assert run("q=welder -night&remote=hybrid") == []
    assert run("q=welder -night&remote=hybrid&ordering=-posted_at") == [older.id]
    settings.SEARCH_RANK_CANDIDATES = 2
    assert run("q=welder -night&remote=hybrid") == [older.id]
    # A title/skills holder short of the cut-off is filled up with the newest holding it elsewhere.
    fitter = _posted(6, title="Fitter", description="Welder's mate.", remote=Remote.HYBRID)
    settings.SEARCH_RANK_CANDIDATES = 3
    assert run("q=welder -night&remote=hybrid") == [older.id, fitter.id]


def test_q_bounded_set_larger_than_the_matches_ranks_every_match(settings):
    settings.SEARCH_RANK_CANDIDATES = 100
    jobs = [_posted(hours, title="Welder" if hours % 2 else "Fitter", description="welder") for hours in range(7)]
    assert set(run("q=welder")) == {job.id for job in jobs}
    assert run("q=radiographer") == []


def test_title_and_location_and_category_match_text():
    a = JobFactory(title="Data Engineer", location="Leeds, UK", category="IT Jobs")
    JobFactory(title="Data Analyst", location="London, UK", category="Finance")
    assert run("title=engineer") == [a.id]
    assert run("location=leeds") == [a.id]
    assert run("category=it jobs") == [a.id]


def test_company_by_id_or_slug_many():
    acme = CompanyFactory(name="Acme")
    globex = CompanyFactory(name="Globex")
    a, g = JobFactory(company=acme), JobFactory(company=globex)
    JobFactory()
    assert set(run(f"company={acme.id}&company=globex")) == {a.id, g.id}
    assert run("company=acme") == [a.id]


def test_country_many_any_case():
    gb = JobFactory(country="GB")
    ie = JobFactory(country="IE")
    JobFactory(country="US")
    assert set(run("country=gb,IE")) == {gb.id, ie.id}


def test_remote_values_and_true_false():
    onsite = JobFactory(remote=Remote.ONSITE)
    hybrid = JobFactory(remote=Remote.HYBRID)
    remote = JobFactory(remote=Remote.REMOTE)
    assert run("remote=remote") == [remote.id]
    assert set(run("remote=true")) == {remote.id, hybrid.id}
    assert run("remote=false") == [onsite.id]
    assert set(run("remote=onsite&remote=REMOTE")) == {onsite.id, remote.id}


def test_internship_featured_and_booleans():
    intern = JobFactory(is_internship=True, is_featured=True)
    other = JobFactory()
    assert run("internship=true") == [intern.id]
    assert run("internship=false") == [other.id]
    assert run("featured=yes") == [intern.id]


def test_employment_type_and_job_level_accept_loose_spelling():
    full = JobFactory(employment_type=EmploymentType.FULL_TIME, job_level=JobLevel.ENTRY_LEVEL)
    part = JobFactory(employment_type=EmploymentType.PART_TIME, job_level=JobLevel.MANAGER)
    JobFactory(employment_type=EmploymentType.CONTRACTOR)
    assert set(run("employment_type=full-time,part_time")) == {full.id, part.id}
    assert run("job_level=entry level") == [full.id]


def test_salary_filters_compare_the_annualized_range():
    low = salaried(20000, 30000)
    mid = salaried(50000, 90000)
    top_only = salaried(None, 120000)
    bottom_only = salaried(100000, None)
    unknown = JobFactory()
    assert set(run("salary_min=80000")) == {mid.id, top_only.id, bottom_only.id}
    assert set(run("salary_max=60000")) == {low.id, mid.id}
    assert set(run("salary_min=40000&salary_max=95000")) == {mid.id}
    assert set(run("salary_min=80000&include_unknown_salary=true")) == {mid.id, top_only.id, bottom_only.id, unknown.id}


def test_hide_predicted_salary():
    predicted = salaried(50000, 60000, salary_is_predicted=True)
    given = salaried(50000, 60000)
    assert set(run("hide_predicted_salary=false")) == {predicted.id, given.id}
    assert run("hide_predicted_salary=true") == [given.id]


def test_source_many():
    a = JobFactory(source="adzuna")
    g = JobFactory(source="greenhouse")
    JobFactory(source="lever")
    assert set(run("source=adzuna,Greenhouse")) == {a.id, g.id}


def test_posted_within_days_and_after_leave_out_jobs_whose_date_is_unknown():
    now = timezone.now()
    fresh = JobFactory(posted_at=now - timedelta(days=1))
    old = JobFactory(posted_at=now - timedelta(days=20))
    JobFactory(posted_at=None)  # first seen now, but its date is unknown: not "posted today"
    assert set(run("posted_within_days=7")) == {fresh.id}
    day = (now - timedelta(days=30)).date().isoformat()
    assert set(run(f"posted_after={day}")) == {fresh.id, old.id}
    assert set(run("posted_after=" + (now - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ"))) == {fresh.id}


def test_posted_unknown_lists_the_undated_or_the_dated():
    dated = JobFactory(posted_at=timezone.now() - timedelta(days=400))
    undated = JobFactory(posted_at=None)
    assert run("posted_unknown=true") == [undated.id]
    assert run("posted_unknown=false") == [dated.id]


@pytest.mark.parametrize("ordering", ["-posted_at", "posted_at"])
def test_unknown_dates_sort_last_both_ways(ordering):
    now = timezone.now()
    undated = [JobFactory(posted_at=None) for _ in range(2)]
    newer = JobFactory(posted_at=now - timedelta(days=1))
    older = JobFactory(posted_at=now - timedelta(days=3000))
    dated = [newer.id, older.id] if ordering == "-posted_at" else [older.id, newer.id]
    by_id = sorted((job.id for job in undated), reverse=ordering == "-posted_at")
    assert run(f"ordering={ordering}") == dated + by_id


@pytest.mark.parametrize(
    ("point", "radius", "inside"),
    [
        (LONDON, "radius_km=340", False),  # Paris is ~343.5 km from London
        (LONDON, "radius_km=350", True),
        (LONDON, "radius_mi=215", True),  # 346 km
        (LONDON, "radius_mi=212", False),  # 341 km
    ],
)
def test_near_radius_at_known_distances(point, radius, inside):
    paris = JobFactory(latitude=PARIS[0], longitude=PARIS[1])
    london = JobFactory(latitude=LONDON[0], longitude=LONDON[1])
    JobFactory(latitude=None, longitude=None)
    found = run(f"near={point[0]},{point[1]}&{radius}")
    assert london.id in found
    assert (paris.id in found) is inside


def test_near_default_radius_and_distance_ordering():
    paris = JobFactory(latitude=PARIS[0], longitude=PARIS[1])
    reading = JobFactory(latitude=READING[0], longitude=READING[1])
    london = JobFactory(latitude=LONDON[0], longitude=LONDON[1])
    assert run(f"near={LONDON[0]},{LONDON[1]}") == [london.id]  # 50 km by default
    filterset = JobFilterSet(
        QueryDict(f"near={LONDON[0]},{LONDON[1]}&radius_km=500&ordering=distance"), queryset=job_list_public()
    )
    assert filterset.is_valid()
    rows = list(filterset.qs)
    assert [row.id for row in rows] == [london.id, reading.id, paris.id]
    assert rows[1].distance_km == pytest.approx(58.5, abs=2)
    assert rows[2].distance_km == pytest.approx(343.5, abs=1.5)


@pytest.mark.parametrize("centre", [LONDON, (-17.7, 179.95), (78.22, 15.65)])  # a city, the date line, Svalbard
def test_distance_ordering_is_the_great_circle_order_all_round(centre):
    # Jobs at known distances on every bearing, inserted in a scrambled order: the chord the index
    # sorts by must give the great-circle order, including across the date line and near a pole.
    jobs = {}
    for n, km in enumerate([140, 5, 90, 60, 20, 120, 35, 75, 110, 1]):
        lat, lng = destination(centre, bearing_deg=n * 37.0, km=km)
        jobs[km] = JobFactory(latitude=lat, longitude=lng).id
    rows = run(f"near={centre[0]},{centre[1]}&radius_km=150&ordering=distance")
    assert rows == [jobs[km] for km in sorted(jobs)]


@pytest.mark.parametrize("area", ["cells", "box"])
def test_distance_ordering_can_be_read_nearest_first_from_an_index(monkeypatch, area):
    # With sorting ruled out, PostgreSQL must find an index that gives the order: before the GiST index
    # of EarthPoint, ordering=distance sorted every job in a busy circle (bench/README, "Scale").
    # (A sparse area is listed by its ids and sorted: at most SPARSE_NEAR_JOBS rows.)
    from django.db import connection

    from jobs import filters

    monkeypatch.setattr(filters, "SPARSE_NEAR_JOBS", 0)  # a busy area
    radius = 25 if area == "cells" else 3000
    for n in range(30):
        JobFactory(latitude=LONDON[0] + n / 1000, longitude=LONDON[1])
    filterset = JobFilterSet(
        QueryDict(f"near={LONDON[0]},{LONDON[1]}&radius_km={radius}&ordering=distance"), queryset=job_list_public()
    )
    assert filterset.is_valid()
    sql, params = filterset.qs[:21].query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "job_public_earth_idx" in plan, plan
    assert "Order By:" in plan, plan


def test_near_leaves_out_jobs_placed_only_by_region_or_country():
    point = JobFactory(latitude=LONDON[0], longitude=LONDON[1], geo_precision=GeoPrecision.POINT)
    city = JobFactory(latitude=LONDON[0], longitude=LONDON[1], geo_precision=GeoPrecision.CITY)
    legacy = JobFactory(latitude=LONDON[0], longitude=LONDON[1], geo_precision="")
    JobFactory(latitude=LONDON[0], longitude=LONDON[1], geo_precision=GeoPrecision.REGION)
    JobFactory(latitude=LONDON[0], longitude=LONDON[1], geo_precision=GeoPrecision.COUNTRY)
    assert set(run(f"near={LONDON[0]},{LONDON[1]}&radius_km=30")) == {point.id, city.id, legacy.id}


def test_near_across_the_date_line():
    east = JobFactory(latitude=-17.7, longitude=179.9)  # Fiji
    west = JobFactory(latitude=-17.7, longitude=-179.9)
    JobFactory(latitude=-17.7, longitude=170.0)
    assert set(run("near=-17.7,179.95&radius_km=50")) == {east.id, west.id}


def destination(origin: tuple[float, float], bearing_deg: float, km: float) -> tuple[float, float]:
    """The point `km` from origin along the great circle at `bearing_deg` (spherical Earth)."""
    lat1, lng1 = math.radians(origin[0]), math.radians(origin[1])
    bearing, angle = math.radians(bearing_deg), km / EARTH_RADIUS_KM
    lat2 = math.asin(math.sin(lat1) * math.cos(angle) + math.cos(lat1) * math.sin(angle) * math.cos(bearing))
    lng2 = lng1 + math.atan2(
        math.sin(bearing) * math.sin(angle) * math.cos(lat1), math.cos(angle) - math.sin(lat1) * math.sin(lat2)
    )
    return math.degrees(lat2), (math.degrees(lng2) + 540) % 360 - 180


@pytest.mark.parametrize(
    ("centre", "radius_km", "area"),
    [
        (LONDON, 25, "ids"),  # few jobs: listed by their ids from the cells' index
        (LONDON, 25, "cells"),  # 0.1-degree cells
        ((64.1466, -21.9426), 300, "cells"),  # Reykjavik, 1-degree cells (far north: wide in longitude)
        ((-17.7, 179.95), 40, "cells"),  # across the date line
        ((-33.8688, 151.2093), 3000, "box"),  # too big for cells: the lat/lng box
    ],
)
def test_near_is_exact_at_the_radius_edge_whichever_way_the_area_is_read(monkeypatch, centre, radius_km, area):
    from jobs import filters

    if area == "cells":
        monkeypatch.setattr(filters, "SPARSE_NEAR_JOBS", 0)  # never "few": always the cells
    cells = filters._covering_cells(centre[0], centre[1], radius_km)
    assert (cells is None) is (area == "box")
    margin = 0.01  # 10 m either side of the edge, all round the circle
    inside = [JobFactory(latitude=lat, longitude=lng).id for lat, lng in (
        destination(centre, bearing, radius_km - margin) for bearing in range(0, 360, 15))]  # fmt: skip
    for bearing in range(0, 360, 15):
        lat, lng = destination(centre, bearing, radius_km + margin)
        JobFactory(latitude=lat, longitude=lng)
    centre_job = JobFactory(latitude=centre[0], longitude=centre[1])
    filterset = JobFilterSet(
        QueryDict(f"near={centre[0]},{centre[1]}&radius_km={radius_km}&ordering=distance"),
        queryset=job_list_public(),
    )
    assert filterset.is_valid(), filterset.errors
    sql = str(filterset.qs.query)
    assert ("FLOOR(" in sql, '"jobs_job"."id" IN (' in sql, '"jobs_job"."latitude" >=' in sql) == (
        area == "cells",
        area == "ids",
        area == "box",
    )
    found = [job.id for job in filterset.qs]
    assert found[0] == centre_job.id
    assert sorted(found[1:]) == sorted(inside)


def great_circle_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lat2 = math.radians(a[0]), math.radians(b[0])
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin(math.radians(b[1] - a[1]) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, h)))


@pytest.mark.parametrize("sparse", [True, False])
def test_near_lists_exactly_the_jobs_within_the_radius_for_random_circles(monkeypatch, sparse):
    import random

    from jobs import filters

    if not sparse:
        monkeypatch.setattr(filters, "SPARSE_NEAR_JOBS", 0)
    rng = random.Random(18)
    centres = [(rng.uniform(-80, 80), rng.uniform(-180, 180)) for _ in range(6)] + [(0.0, 179.99), (88.0, 10.0)]
    points = {}
    for centre in centres:  # jobs scattered around each centre, up to ~800 km away, and a few anywhere
        for _ in range(25):
            lat, lng = destination(centre, rng.uniform(0, 360), rng.uniform(0, 800))
            points[JobFactory(latitude=lat, longitude=lng).id] = (lat, lng)
    for _ in range(20):
        lat, lng = rng.uniform(-90, 90), rng.uniform(-180, 180)
        points[JobFactory(latitude=lat, longitude=lng).id] = (lat, lng)
    for centre in centres:
        for radius in (1, 30, 75, 250, 900, 5000):
            expected = {job_id for job_id, point in points.items() if great_circle_km(centre, point) <= radius}
            found = set(run(f"near={centre[0]},{centre[1]}&radius_km={radius}"))
            # Within a metre of the edge the database's arithmetic and this test's may differ.
            unsure = {
                job_id for job_id, point in points.items() if abs(great_circle_km(centre, point) - radius) < 0.001
            }
            assert found - unsure == expected - unsure, (centre, radius)


def test_a_sparse_near_area_with_no_jobs_sends_no_listing_query(django_assert_num_queries):
    JobFactory(latitude=LONDON[0], longitude=LONDON[1])
    filterset = JobFilterSet(QueryDict("near=57.1497,-2.0943&radius_km=10"), queryset=job_list_public())
    assert filterset.is_valid()
    with django_assert_num_queries(1):  # the cells' index says: none there
        assert list(filterset.qs) == []


def test_orderings_by_salary_put_unknown_salaries_last():
    low = salaried(20000, 30000)
    high = salaried(90000, 120000)
    unknown = JobFactory()
    assert run("ordering=-salary") == [high.id, low.id, unknown.id]
    assert run("ordering=salary") == [low.id, high.id, unknown.id]


def test_orderings_by_posted_date():
    now = timezone.now()
    old = JobFactory(posted_at=now - timedelta(days=3))
    new = JobFactory(posted_at=now - timedelta(days=1))
    assert run("") == [new.id, old.id]
    assert run("ordering=posted_at") == [old.id, new.id]


def test_status_is_for_staff_only(rf, django_user_model):
    hidden = JobFactory(status=JobStatus.HIDDEN)
    request = rf.get("/")
    request.user = django_user_model.objects.create_user("s", is_staff=True)
    assert run("status=hidden", queryset=job_list_staff(), request=request) == [hidden.id]
    request.user = django_user_model.objects.create_user("u")
    assert errors("status=hidden", request=request) == {"status": ["only staff can filter by status."]}


@pytest.mark.parametrize(
    ("query", "field", "fragment"),
    [
        ("remote=moon", "remote", "'moon' is not one of onsite, hybrid, remote, true, false."),
        ("employment_type=SOMETIMES", "employment_type", "is not one of FULL_TIME, PART_TIME"),
        ("job_level=guru", "job_level", "ENTRY_LEVEL, EXPERIENCED, MANAGER, DIRECTOR, EXECUTIVE"),
        ("near=london", "near", "expected near=lat,lng"),
        ("near=91,0", "near", "latitude in -90..90"),
        ("near=1,2,3", "near", "expected near=lat,lng"),
        ("radius_km=5", "radius_km", "radius_km needs near=lat,lng."),
        ("near=1,2&radius_km=5&radius_mi=3", "radius_mi", "not both"),
        ("near=1,2&radius_km=-1", "radius_km", "greater than or equal to 0"),
        ("country=GBR", "country", "two-letter country code"),
        ("internship=maybe", "internship", "expected true or false, got 'maybe'."),
        ("salary_min=lots", "salary_min", "Enter a number."),
        ("salary_min=9&salary_max=1", "salary_max", "must be at least salary_min."),
        ("posted_within_days=0", "posted_within_days", "greater than or equal to 1"),
        ("posted_after=yesterday", "posted_after", "expected a date"),
        ("ordering=oldest", "ordering", "is not one of -posted_at, posted_at, -salary, salary, relevance, distance"),
        ("ordering=relevance", "ordering", "ordering=relevance needs q."),
        ("ordering=distance", "ordering", "ordering=distance needs near."),
        ("company=a b", "company", "neither a company id nor a company slug"),
        ("source=ad zuna", "source", "is not a source name"),
        ("q=" + "x" * 201, "q", "at most 200 characters"),
    ],
)
def test_bad_values_say_what_is_expected(query, field, fragment):
    found = errors(query)
    assert field in found, found
    assert any(fragment in message for message in found[field]), found[field]


def test_facet_querysets_leave_out_their_own_filter():
    remote_full = JobFactory(remote=Remote.REMOTE, employment_type=EmploymentType.FULL_TIME)
    onsite_full = JobFactory(remote=Remote.ONSITE, employment_type=EmploymentType.FULL_TIME)
    JobFactory(remote=Remote.REMOTE, employment_type=EmploymentType.PART_TIME)
    filterset = JobFilterSet(QueryDict("remote=remote&employment_type=FULL_TIME"), queryset=job_list_public())
    assert filterset.is_valid()
    assert [job.id for job in filterset.qs] == [remote_full.id]
    assert set(filterset.queryset_for_facet("remote").values_list("id", flat=True)) == {remote_full.id, onsite_full.id}
    assert filterset.queryset_for_facet("employment_type").count() == 2


def test_plain_dict_data_as_the_match_endpoints_send_it():
    hit = JobFactory(remote=Remote.REMOTE, employment_type=EmploymentType.FULL_TIME, is_internship=True)
    JobFactory(remote=Remote.REMOTE, employment_type=EmploymentType.PART_TIME, is_internship=True)
    JobFactory(remote=Remote.ONSITE, employment_type=EmploymentType.FULL_TIME, is_internship=True)
    data = {"remote": ["remote", "hybrid"], "employment_type": "FULL_TIME", "internship": True, "posted_within_days": 7}
    filterset = JobFilterSet(data, queryset=job_list_public())
    assert filterset.is_valid(), filterset.errors
    assert [job.id for job in filterset.qs] == [hit.id]
    bad = JobFilterSet({"remote": ["moon"], "near": "x"}, queryset=job_list_public())
    assert not bad.is_valid()
    assert set(bad.errors) == {"remote", "near"}


def test_the_listing_index_serves_the_default_ordering_and_its_cursor():
    """job_public_posted_idx is keyed on the same expression as the -posted_at ordering (unknown
    dates as its low sentinel): the planner walks it in order, no sort, also past a cursor."""
    from django.db import connection

    from jobs.api.pagination import _after

    JobFactory.create_batch(3)
    JobFactory(posted_at=None)
    filterset = JobFilterSet(QueryDict(""), queryset=job_list_public())
    assert filterset.is_valid()
    first = filterset.qs
    key = first[0].sort_key
    after = first.filter(_after(key, first[0].id, descending=True))
    with connection.cursor() as cursor:
        # A tiny table is cheaper to sort than to walk by index: ask whether the index *can* serve it.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        for queryset in (first[:20], after[:20]):
            sql, params = queryset.query.sql_with_params()
            cursor.execute("EXPLAIN " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert "job_public_posted_idx" in plan, plan
            assert "Sort" not in plan.replace("Sort Key", ""), plan


def test_salary_filters_compare_amounts_in_the_callers_currency_when_given(client):
    yen = JobFactory(salary_currency="JPY", salary_annual_min=Decimal(90000), salary_annual_max=Decimal(95000))
    pounds = JobFactory(salary_currency="GBP", salary_annual_min=Decimal(85000), salary_annual_max=Decimal(90000))
    unknown = JobFactory()

    def ids(query: str) -> set[int]:
        response = client.get(f"/api/jobs/?{query}")
        assert response.status_code == 200, response.json()
        return {job["id"] for job in response.json()["results"]}

    assert ids("salary_min=80000") == {yen.id, pounds.id}  # each job in its own currency (documented)
    assert ids("salary_min=80000&salary_currency=GBP") == {pounds.id}
    assert ids("salary_min=80000&salary_currency=gbp&include_unknown_salary=true") == {pounds.id, unknown.id}
    bad = client.get("/api/jobs/?salary_currency=pounds").json()
    assert "three-letter ISO 4217" in bad["error"]["fields"]["salary_currency"][0]
