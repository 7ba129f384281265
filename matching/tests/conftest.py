import pytest
from django.core.cache import cache

from jobs.tests.factories import JobFactory
from matching import selectors, services
from matching.embeddings import get_encoder


@pytest.fixture(scope="session")
def encoder():
    """The real embedding model, loaded once for the whole session."""
    return get_encoder()


@pytest.fixture(autouse=True)
def _fresh_match_state():
    # Corpus statistics are kept per process and cache entries per run: start every test clean.
    selectors._memo_generation, selectors._memo_terms = None, {}
    cache.delete(services.STATS_QUEUED_KEY)
    _forget_cached_state()
    yield
    _forget_cached_state()


def _forget_cached_state():
    # Only our keys (match results, the API's throttle counts): cache.clear() would flush the
    # whole Redis database, which other test runs on this machine share.
    for pattern in (f"{services.CACHE_PREFIX}:*", "throttle_*"):
        cache.delete_pattern(pattern)


@pytest.fixture
def make_job(db, encoder):
    """Create a job (factory kwargs) and embed it, as ingestion + the index task would."""

    def make(*, embed: bool = True, **fields):
        job = JobFactory(**fields)
        if embed:
            services.job_embeddings_index(job_ids=[job.pk])
            job.refresh_from_db()
        return job

    return make


PYTHON_RESUME = """Jane Doe
Senior Python Developer

Skills: Python, Django, PostgreSQL, REST APIs, Docker, Kubernetes, AWS, Git

Experience
Python developer at Acme (2018-2024): built Django web services and REST APIs on PostgreSQL,
deployed with Docker and Kubernetes on AWS. Wrote Python data pipelines and unit tests with pytest.

Education
BSc Computer Science, University of Leeds
"""

PYTHON_JOB = dict(
    title="Python Developer",
    description="We need a Python developer to build Django REST APIs.\n\nRequirements\n"
    "Python, Django, PostgreSQL, Docker. Kubernetes is a plus.",
)
NURSING_JOB = dict(
    title="Registered Nurse - Elderly Care",
    description="Registered nurse (RGN) for a care home: patient care, medication administration, "
    "care plans for elderly residents. NMC registration required.",
)


@pytest.fixture
def shared_cv_dir():
    from pathlib import Path

    from django.conf import settings

    path = Path(settings.BASE_DIR).parent / "shared" / "data" / "resume_job_matching" / "vanetik_vacancy_resume" / "CV"
    if not path.is_dir():
        pytest.skip(f"shared data not present at {path}")
    return path
