import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
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


# What the API's writes ask for (jobs.api.permissions): every job permission and starting runs.
STAFF_PERMISSIONS = ("jobs.add_job", "jobs.change_job", "jobs.delete_job", "ingestion.add_synclog")


def grant(user, *names: str):
    """Give a user these `app_label.codename` permissions; returns the user reloaded (Django caches them)."""
    for name in names:
        app_label, codename = name.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return get_user_model().objects.get(pk=user.pk)
