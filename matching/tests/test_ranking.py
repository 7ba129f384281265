import pytest

from matching import services
from matching.tests.conftest import NURSING_JOB, PYTHON_JOB, PYTHON_RESUME

pytestmark = pytest.mark.django_db


def test_python_resume_puts_python_job_above_nursing_job(make_job):
    nursing = make_job(**NURSING_JOB)
    python = make_job(**PYTHON_JOB)

    response = services.resume_match(text=PYTHON_RESUME)

    ids = [job.job_id for job in response.jobs]
    assert ids.index(python.pk) < ids.index(nursing.pk)
    top = response.jobs[0]
    assert top.job_id == python.pk
    assert 0 <= response.jobs[-1].relevance_score <= top.relevance_score <= 1
    assert response.backend == "local" and response.cached is False
