"""The listing's hand-written rendering stays equal to DRF's rendering of the declared fields."""

from decimal import Decimal

import pytest

from jobs.api.serializers import JobListSerializer, SalarySerializer
from jobs.tests.factories import CompanyFactory, JobFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("with_salary", [True, False])
@pytest.mark.parametrize("with_company", [True, False])
def test_fast_listing_rendering_equals_drf_rendering(with_salary, with_company):
    job = JobFactory(
        company=CompanyFactory(name="Acme") if with_company else None,
        latitude=51.5,
        longitude=-0.12,
        skills=["python"],
        salary_min=Decimal("30000.50") if with_salary else None,
        salary_max=Decimal("40000") if with_salary else None,
        salary_annual_min=Decimal("30000.50") if with_salary else None,
        salary_annual_max=Decimal("40000") if with_salary else None,
        salary_currency="GBP" if with_salary else "",
        salary_period="year" if with_salary else "",
        salary_source="structured" if with_salary else "",
    )
    job.refresh_from_db()
    job.relevance = 0.25
    serializer = JobListSerializer()
    generic = serializer.generic_representation(job)
    if with_salary:
        generic["salary"] = dict(SalarySerializer(job).data)
    assert serializer.to_representation(job) == generic
    del job.relevance
    assert "relevance" not in serializer.to_representation(job)
