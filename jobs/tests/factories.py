import factory
from django.utils import timezone
from django.utils.text import slugify

from jobs.choices import EmploymentType, JobStatus, Remote
from jobs.models import Company, Job


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company
        django_get_or_create = ("normalized_name",)

    name = factory.Sequence(lambda n: f"Company {n}")
    normalized_name = factory.LazyAttribute(lambda o: o.name.lower())
    slug = factory.LazyAttribute(lambda o: slugify(o.name))


class JobFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Job

    company = factory.SubFactory(CompanyFactory)
    title = factory.Sequence(lambda n: f"Software Engineer {n}")
    description = "Build and run web services."
    location = "London, UK"
    city = "London"
    country = "GB"
    remote = Remote.ONSITE
    employment_type = EmploymentType.FULL_TIME
    source = "adzuna"
    external_id = factory.Sequence(lambda n: f"ext-{n}")
    apply_url = factory.LazyAttribute(lambda o: f"https://example.com/jobs/{o.external_id}")
    posted_at = factory.LazyFunction(timezone.now)
    last_seen_at = factory.LazyFunction(timezone.now)
    status = JobStatus.ACTIVE
