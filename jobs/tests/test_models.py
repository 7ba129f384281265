import pytest
from django.db import IntegrityError, transaction

from jobs.models import Job
from jobs.tests.factories import CompanyFactory, JobFactory

pytestmark = pytest.mark.django_db


def test_source_and_external_id_are_unique_together():
    JobFactory(source="adzuna", external_id="42")
    JobFactory(source="greenhouse", external_id="42")  # same id at another source is fine
    with pytest.raises(IntegrityError), transaction.atomic():
        JobFactory(source="adzuna", external_id="42")


def test_search_vector_is_filled_by_the_database_with_title_weighted_highest():
    job = JobFactory(title="Kubernetes Platform Engineer", skills=["Terraform"], description="We like Python.")
    job.refresh_from_db()
    vector = str(job.search_vector)
    assert "'kubernet':1A" in vector
    assert "'terraform':4B" in vector
    assert "'python':7C" in vector


def test_search_vector_follows_an_update():
    job = JobFactory(title="Nurse")
    Job.objects.filter(pk=job.pk).update(title="Midwife")
    job.refresh_from_db()
    assert "midwif" in str(job.search_vector)
    assert "nurs" not in str(job.search_vector)


def test_full_text_query_ranks_title_match_above_description_match():
    from django.contrib.postgres.search import SearchQuery, SearchRank
    from django.db.models import F

    in_title = JobFactory(title="Python Developer", description="Backend work.")
    in_text = JobFactory(title="Backend Developer", description="Some Python scripting.")
    query = SearchQuery("python", search_type="websearch", config="english")
    ranked = list(
        Job.objects.filter(search_vector=query)
        .annotate(rank=SearchRank(F("search_vector"), query))
        .order_by("-rank")
        .values_list("pk", flat=True)
    )
    assert ranked == [in_title.pk, in_text.pk]


def test_embedding_is_stored_and_read_back():
    vector = [round(i / 384, 4) for i in range(384)]
    job = JobFactory(embedding=vector)
    job.refresh_from_db()
    assert list(job.embedding) == pytest.approx(vector)


def test_embedding_of_the_wrong_dimension_is_refused():
    with pytest.raises(Exception, match="expected 384 dimensions"), transaction.atomic():
        JobFactory(embedding=[0.5] * 3)


def test_nearest_neighbour_by_cosine_distance():
    from pgvector.django import CosineDistance

    near = JobFactory(embedding=[1.0, 0.1] + [0.0] * 382)
    JobFactory(embedding=[0.0, 1.0] + [0.0] * 382)
    nearest = Job.objects.order_by(CosineDistance("embedding", [1.0] + [0.0] * 383)).first()
    assert nearest == near


def test_locked_fields_only_accept_lockable_names():
    job = JobFactory()
    job.lock("title", "salary_min")
    job.save()
    job.refresh_from_db()
    assert job.locked_fields == ["salary_min", "title"]
    with pytest.raises(ValueError, match="not lockable: status"):
        job.lock("status")
    with pytest.raises(IntegrityError), transaction.atomic():
        Job.objects.filter(pk=job.pk).update(locked_fields=["external_id"])


def test_salary_min_above_max_is_refused_by_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        JobFactory(salary_min=90000, salary_max=50000)


def test_a_board_token_belongs_to_one_company():
    CompanyFactory(name="A", ats_kind="greenhouse", board_token="acme")
    CompanyFactory(name="B", ats_kind="lever", board_token="acme")
    with pytest.raises(IntegrityError), transaction.atomic():
        CompanyFactory(name="C", ats_kind="greenhouse", board_token="acme")


def test_company_with_jobs_cannot_be_deleted():
    from django.db.models import ProtectedError

    job = JobFactory()
    with pytest.raises(ProtectedError):
        job.company.delete()
