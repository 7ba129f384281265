import math
from datetime import timedelta

import pytest
from django.contrib.postgres.search import SearchRank
from django.db.models import F
from django.utils import timezone

from jobs.choices import EmploymentType, JobLevel, Remote
from jobs.models import Job
from jobs.selectors import job_list_public
from matching import selectors, services
from matching.backends import get_backend, local
from matching.backends.base import MatchBackend
from matching.backends.local import _LEVEL_ORDER, JD_WEIGHTS, WEIGHTS, LocalBackend, _query_level, cosine_query_weights
from matching.resume import ResumeProfile
from matching.tests.conftest import NURSING_JOB, PYTHON_JOB, PYTHON_RESUME

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_cache(settings):
    settings.MATCH_CACHE_TTL = 0


def test_get_backend_loads_the_configured_engine_once():
    backend = get_backend()
    assert isinstance(backend, MatchBackend) and backend.name == "local"
    assert get_backend("local") is backend


def test_explanation_for_a_hand_built_case(make_job):
    job = make_job(
        title="Backend Engineer",
        description="Build our APIs.\n\nRequirements\nPython, Django, Kubernetes.\n\nNice to have\nDocker, Terraform.",
    )
    make_job(**NURSING_JOB)
    resume = "Backend developer. Skills: Python, Django, Docker. Five years building web APIs."

    response = services.resume_match(text=resume)

    result = next(item for item in response.jobs if item.job_id == job.pk)
    assert result.matched_skills == ["Python", "Django", "Docker"]
    assert result.missing_skills == ["Kubernetes"]
    # required count 3:1 over mentioned: (3 * 2 + 1) / (3 * 3 + 2)
    assert result.score_parts["skills"] == pytest.approx(7 / 11, abs=1e-4)
    assert set(result.score_parts) == set(WEIGHTS)
    assert all(0 <= value <= 1 for value in result.score_parts.values())
    weighted = sum(WEIGHTS[name] * value for name, value in result.score_parts.items())
    assert result.relevance_score == pytest.approx(weighted, abs=1e-3)
    assert result.title == "Backend Engineer" and result.redirect_url == job.apply_url


def test_filters_are_applied_in_sql(make_job):
    remote = make_job(title="Python Developer", description="Python and Django, remote.", remote=Remote.REMOTE)
    make_job(title="Python Developer", description="Python and Django, in the office.", remote=Remote.ONSITE)
    make_job(
        title="Python Developer",
        description="Python, Django. Part time.",
        remote=Remote.REMOTE,
        employment_type=EmploymentType.PART_TIME,
    )
    old = make_job(
        title="Python Developer",
        description="Python and Django.",
        remote=Remote.REMOTE,
        posted_at=timezone.now() - timedelta(days=90),
    )

    response = services.resume_match(
        text=PYTHON_RESUME,
        filters={"remote": "remote", "employment_type": "FULL_TIME", "posted_within_days": "30"},
    )

    assert [job.job_id for job in response.jobs] == [remote.pk]
    assert response.total_matches == 1
    assert old.pk not in [job.job_id for job in response.jobs]


def test_invalid_filter_is_an_input_error(make_job):
    with pytest.raises(services.MatchInputError) as error:
        services.resume_match(text=PYTHON_RESUME, filters={"remote": "moon"})
    assert "remote" in error.value.fields


def test_same_request_same_order_and_scores(make_job):
    for index in range(6):
        make_job(title=f"Python Developer {index % 2}", description="Python, Django and PostgreSQL web services.")
    make_job(**NURSING_JOB)

    first = services.resume_match(text=PYTHON_RESUME)
    second = services.resume_match(text=PYTHON_RESUME)

    assert [(j.job_id, j.relevance_score) for j in first.jobs] == [(j.job_id, j.relevance_score) for j in second.jobs]
    scores = [job.relevance_score for job in first.jobs]
    assert scores == sorted(scores, reverse=True)
    # Identical jobs tie on score and then keep id order.
    for a, b in zip(first.jobs, first.jobs[1:], strict=False):
        if a.relevance_score == b.relevance_score:
            assert a.job_id < b.job_id


def test_job_without_an_embedding_is_still_matched_lexically(make_job):
    unembedded = make_job(embed=False, **PYTHON_JOB)
    make_job(**NURSING_JOB)

    response = services.resume_match(text=PYTHON_RESUME)

    result = next(item for item in response.jobs if item.job_id == unembedded.pk)
    assert result.score_parts["semantic"] == 0
    assert result.score_parts["lexical"] > 0
    assert response.jobs[0].job_id == unembedded.pk


def test_limit_and_offset_page_through_one_ranking(make_job):
    for index in range(7):
        make_job(title=f"Python Developer {index}", description=f"Python and Django, team {index}.")
    full = services.resume_match(text=PYTHON_RESUME, limit=7)
    page = services.resume_match(text=PYTHON_RESUME, limit=3, offset=2)
    assert [job.job_id for job in page.jobs] == [job.job_id for job in full.jobs[2:5]]
    assert page.total_matches == full.total_matches == 7


def test_jd_match_ranks_the_same_occupation_first(make_job):
    nurse = make_job(**NURSING_JOB)
    make_job(**PYTHON_JOB)
    response = services.jd_match(
        text="Staff nurse wanted for a nursing home; patient care and medication rounds, NMC registered."
    )
    assert response.jobs[0].job_id == nurse.pk


def test_jd_explanation_is_its_own_blend_with_the_whole_text_cosine(make_job):
    job = make_job(
        title="Ward Nurse",
        description="Patient care on a busy ward. Patient care plans, medication rounds, NMC registration.",
    )
    make_job(**PYTHON_JOB)
    jd = "Nurse for patient care and medication rounds on a surgical ward; NMC registration required."

    response = services.jd_match(text=jd)

    result = next(item for item in response.jobs if item.job_id == job.pk)
    assert set(result.score_parts) == set(JD_WEIGHTS)
    weighted = sum(JD_WEIGHTS[name] * value for name, value in result.score_parts.items())
    assert result.relevance_score == pytest.approx(weighted, abs=1e-3)
    # lexical: lnc.ltc cosine, worked out here from the two texts' lexeme counts.
    stats = selectors.corpus_stats(lexemes=selectors.text_lexemes(jd))
    query = {lx: (1 + math.log(tf)) * stats.idf(lx) for lx, tf in selectors.text_lexemes(jd).items() if lx in stats.df}
    document = {
        lx: 1 + math.log(tf)
        for lx, tf in selectors.text_lexemes(f"{job.title} {' '.join(job.skills)} {job.description}").items()
    }
    dot = sum(weight * document.get(lx, 0.0) for lx, weight in query.items())
    norms = math.sqrt(sum(w * w for w in query.values())) * math.sqrt(sum(w * w for w in document.values()))
    cosines = local._lexical_cosines(
        [item.job_id for item in response.jobs], cosine_query_weights(selectors.text_lexemes(jd), stats)
    )
    assert cosines[job.pk] == pytest.approx(dot / norms, abs=1e-4)
    assert 0 < cosines[job.pk] < 1
    # The part is that cosine against the other candidates': the best 1, the worst 0.
    low, high = min(cosines.values()), max(cosines.values())
    for item in response.jobs:
        assert item.score_parts["lexical"] == pytest.approx((cosines[item.job_id] - low) / (high - low), abs=1e-4)
    assert result.score_parts["lexical"] == 1.0


def test_cosine_query_weights_are_unit_length_over_known_lexemes(make_job):
    make_job(**NURSING_JOB)
    make_job(**PYTHON_JOB)
    services.corpus_stats_refresh(force=True)
    stats = selectors.corpus_stats(lexemes=["python", "django", "zzzunknown"])
    weights = cosine_query_weights({"python": 3, "django": 1, "zzzunknown": 5}, stats)
    assert set(weights) == {"python", "django"}
    assert math.sqrt(sum(w * w for w in weights.values())) == pytest.approx(1.0)
    assert cosine_query_weights({"zzzunknown": 2}, stats) == {}


def test_similar_jobs_leave_the_job_itself_out(make_job):
    job = make_job(**PYTHON_JOB)
    twin = make_job(title="Django Developer", description="Python developer for Django REST APIs on PostgreSQL.")
    make_job(**NURSING_JOB)

    response = services.job_similar(job_id=job.pk)

    ids = [item.job_id for item in response.jobs]
    assert job.pk not in ids
    assert ids[0] == twin.pk


def test_similar_to_an_unknown_job_is_not_found(db):
    with pytest.raises(services.MatchJobNotFound):
        services.job_similar(job_id=999_999)


def test_scores_stay_in_unit_interval_for_a_perfect_fit(make_job):
    make_job(title="Python Developer", description="Requirements\nPython")
    response = services.resume_match(text="Python Developer. Python Developer. Skills: Python. " * 20)
    assert 0 < response.jobs[0].relevance_score <= 1
    assert not math.isnan(response.jobs[0].relevance_score)


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("Account Manager\nGrow our advertisers", "EXPERIENCED"),  # an individual sales role, as the job says
        ("Product Marketing Manager, Google Analytics", "EXPERIENCED"),
        ("Sales Manager\nLead a team of ten", "MANAGER"),
        ("Account Manager\nYou will be head of a small team", "MANAGER"),
        ("Director of Sales", "DIRECTOR"),
    ],
)
def test_a_querys_level_reads_managers_as_the_jobs_do(text, level):
    assert _query_level(text) == _LEVEL_ORDER[JobLevel(level)]


def _fulltext(terms, depth=10):
    services.corpus_stats_refresh(force=True)  # the stored statistics of the jobs made so far
    stats = selectors.corpus_stats(lexemes=terms)
    return LocalBackend._fulltext_ids(job_list_public().order_by(), terms, stats, depth)


def test_fulltext_leg_ranks_a_bounded_set_from_the_rarest_terms(make_job, monkeypatch):
    shifts = [make_job(embed=False, title="Shift Supervisor", skills=[], description="Rota.") for _ in range(3)]
    welder = make_job(embed=False, title="Welder", skills=[], description="Shift work, shift pay.")
    driver = make_job(embed=False, title="Driver", skills=[], description="A welder's mate.")
    make_job(embed=False, title="Clerk", skills=[], description="Filing.")
    # A budget of one job: title/skills holding the rarest term there (welder: 1 job), then, as
    # that gives fewer than asked, jobs holding the rarest term anywhere (welder: 2 jobs). The
    # supervisors, holding only the commoner term, are left to the vector retriever.
    monkeypatch.setattr(local, "FULLTEXT_BUDGET", 1)
    assert _fulltext(["shift", "welder"]) == [welder.pk, driver.pk]
    # A budget past every term's frequency: every job holding a term, title/skills holders first
    # in their ts_rank order over the whole search_vector (unchanged by the bound), then the others.
    monkeypatch.setattr(local, "FULLTEXT_BUDGET", 100)
    found = _fulltext(["shift", "welder"])
    heads = [welder.pk, *(job.pk for job in shifts)]
    rank = SearchRank(F("search_vector"), local._or_query(["shift", "welder"]), normalization=1)
    by_rank = list(
        Job.objects.filter(pk__in=heads).annotate(rank=rank).order_by("-rank", "id").values_list("pk", flat=True)
    )
    assert found == [*by_rank, driver.pk]
    assert _fulltext(["shift", "welder"]) == found  # ties break by id: the same list every time
    # Asked for fewer than the title/skills holders: the best of them only.
    assert _fulltext(["shift", "welder"], depth=2) == found[:2]
    assert _fulltext([]) == []


# --- a resume read as one: years -> level, recent titles -> title fit --------------------------


@pytest.mark.parametrize(
    ("profile", "level"),
    [
        (ResumeProfile(years=1.0), "ENTRY_LEVEL"),
        (ResumeProfile(years=7.0), "EXPERIENCED"),
        (ResumeProfile(years=12.0, recent_titles=("Director of Engineering",)), "DIRECTOR"),
        (ResumeProfile(years=0.5, recent_titles=("Senior Site Engineer",)), "EXPERIENCED"),
        (ResumeProfile(years=9.0, recent_titles=("Graduate Trainee",)), "ENTRY_LEVEL"),
    ],
)
def test_level_from_years_of_experience_or_the_recent_title(profile, level):
    assert local._profile_level(profile) == _LEVEL_ORDER[JobLevel(level)]
    assert local._profile_level(ResumeProfile()) is None


def test_level_fit_reads_years_from_the_work_history(make_job):
    junior = make_job(title="Python Developer", description="Python and Django.", job_level=JobLevel.ENTRY_LEVEL)
    experienced = make_job(title="Python Developer", description="Python and Django.", job_level=JobLevel.EXPERIENCED)
    resume = "Python developer, Acme - Jan 2017 - present\nDjango web services.\nSkills: Python, Django"
    parts = {job.job_id: job.score_parts for job in services.resume_match(text=resume).jobs}
    assert parts[experienced.pk]["level"] == 1.0 and parts[junior.pk]["level"] == 0.5
    # The same text without its dates says nothing of its level: both neutral, as before.
    undated = {job.job_id: job.score_parts for job in services.resume_match(text=resume.replace("2017", "")).jobs}
    assert undated[experienced.pk]["level"] == undated[junior.pk]["level"] == 0.5


def test_a_job_titled_as_the_recent_role_beats_one_matching_a_word_elsewhere(make_job):
    """Among other candidates: with these two alone, the lexical part (the best of the pool 1, the
    worst 0) makes "planning" in the older role, ts_rank's one difference, worth the whole part."""
    body = "Site supervision of concrete works, AutoCAD drawings, quantity surveying for building projects."
    site = make_job(title="Site Engineer", description=body)
    planning = make_job(title="Planning Engineer", description=body)
    make_job(**NURSING_JOB)
    make_job(**PYTHON_JOB)
    make_job(title="Building Surveyor", description="Surveys of houses for buyers; damp and roof reports.")
    resume = (
        "Experience\n"
        "Site Engineer, Nova Works - May 2016 - Apr 2025\nConcrete works and site supervision.\n"
        "Planning Engineer, Alia Construction - Jun 2014 - May 2015\nAutoCAD drawings, planning.\n"
    )
    response = services.resume_match(text=resume)
    assert [job.job_id for job in response.jobs][:2] == [site.pk, planning.pk]
    first = response.jobs[0]
    assert first.reasons == [
        "10 years of experience; recent role: Site Engineer",
        "matches your recent role: Site Engineer",
    ]
    assert first.score_parts["title"] > response.jobs[1].score_parts["title"]


def test_recent_role_fit_is_a_weighted_overlap_the_latest_role_counting_most(db):
    stats = selectors.corpus_stats(lexemes=["site", "engin", "plan"])
    recent = [("Site Engineer", ["site", "engin"]), ("Planning Engineer", ["plan", "engin"])]
    assert local._recent_role_fit(["site", "engin"], recent, stats) == (pytest.approx(1.0), "Site Engineer")
    fit, role = local._recent_role_fit(["plan", "engin"], recent, stats)
    assert fit == pytest.approx(local.RECENT_ROLE_DECAY) and role == "Planning Engineer"
    assert local._recent_role_fit(["nurs"], recent, stats) == (0.0, "")


# --- a small corpus keeps its lexical part ---------------------------------------------------


def test_five_jobs_keep_the_lexical_part(make_job):
    """With 5 jobs, words in most of them were dropped from the query (df > half the jobs), and the
    lexical part was 0 for every job: the reference statistics keep "java" telling."""
    java = [
        make_job(
            title=f"Software Developer {index}", description=f"Java developer: Java, Spring and SQL. Team {index}."
        )
        for index in range(4)
    ]
    make_job(**NURSING_JOB)
    resume = "Java developer. Java, Spring, SQL, Hibernate; Java web services for banks."
    services.corpus_stats_refresh(force=True)
    stats = selectors.corpus_stats(lexemes=selectors.text_lexemes(resume))
    assert "java" in local.query_terms(selectors.text_lexemes(resume), stats)
    parts = {job.job_id: job.score_parts for job in services.resume_match(text=resume).jobs}
    assert all(parts[job.pk]["lexical"] > 0 for job in java)


# --- parts measured against the candidates: the same spread on 5 jobs as on many ------------


def test_place_shares_count_places_on_a_fixed_scale_equal_values_sharing():
    assert local._place_shares({1: 0.5, 2: 0.2, 3: 0.2, 4: 0.1}, 10) == {
        1: 1.0,
        2: pytest.approx(0.85),  # places 1 and 2 shared
        3: pytest.approx(0.85),
        4: pytest.approx(0.7),
    }
    assert local._place_shares({7: 0.03}, 10) == {7: 1.0}
    assert local._place_shares({i: 1.0 / i for i in range(1, 21)}, 10)[20] == 0.0  # past the scale: 0
    assert local._place_shares({}, 10) == {}


def test_min_max_scales_the_lowest_to_0_and_the_highest_to_1():
    assert local._min_max({1: 0.02, 2: 0.03, 3: 0.04}) == {1: 0.0, 2: pytest.approx(0.5), 3: 1.0}
    assert local._min_max({1: 0.2, 2: 0.2}) == {1: 1.0, 2: 1.0}
    assert local._min_max({1: 0.0, 2: 0.0}) == {1: 0.0, 2: 0.0}
    assert local._min_max({}) == {}


FIVE_DEVELOPER_JOBS = [
    ("Software Developer", "Software developer for our products. Agile team, code reviews, testing."),
    ("Backend Engineer", "Java, Spring Boot, Hibernate and PostgreSQL microservices; Kafka messaging; Java 17."),
    ("Java Programmer", "Java programmer: Java, Spring, SQL. Maintain a Java monolith."),
    ("Web Developer", "JavaScript, React and CSS for our web shop; some PHP."),
    ("Mobile Developer", "Kotlin and Swift apps for Android and iOS."),
]
JAVA_RESUME = """Software Developer, Acme Bank - Jan 2019 - Present
Java, Spring Boot, Hibernate, PostgreSQL and Kafka microservices; Java 17 migration; Spring Boot services.
Skills: Java, Spring Boot, Hibernate, Kafka, PostgreSQL, SQL."""


def test_on_five_jobs_the_lexical_part_spans_the_candidates(make_job):
    """On a 5-job corpus the raw lexical part barely differed (ts_rank of 32 ORed terms ~0.03 for
    each job), so the title decided alone; measured against the candidates it spans 0 to 1, as on a
    big corpus. The fusion part counts places on a fixed scale: 5 places are close together."""
    for title, description in FIVE_DEVELOPER_JOBS:
        make_job(title=title, description=description)
    services.corpus_stats_refresh(force=True)
    response = services.resume_match(text=JAVA_RESUME, limit=5)
    parts = {item.job_id: item.score_parts for item in response.jobs}
    assert len(parts) == 5
    assert max(p["lexical"] for p in parts.values()) == 1.0
    assert min(p["lexical"] for p in parts.values()) == 0.0
    fusion = sorted((p["fusion"] for p in parts.values()), reverse=True)
    assert fusion[0] == 1.0 and fusion[-1] >= 1.0 - 4 / local.FUSION_PLACES
