"""manage.py renormalize_jobs: stored jobs written under older rules get today's derived fields."""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from ingestion.normalize import build_job_data, detect_job_level
from ingestion.services.renormalize import jobs_renormalize
from jobs.models import Job
from jobs.services.upsert import job_bulk_upsert

pytestmark = pytest.mark.django_db

CARE_HOME = (
    "We are looking for a caring Senior Care Assistant to join our friendly nursing home based in Maidstone, "
    "Kent. You will support residents with personal care. Day and night shifts available."
)
PYTHON = "We build data pipelines in Python and PostgreSQL. Our team works from the Leeds office."
PAY = "Join our warehouse team in Bristol. The salary for this role is £24,000 - £26,000 per annum plus overtime."


def _store(**fields) -> Job:
    """A job written by today's normalizer and upsert, as any source writes one."""
    defaults = {"source": "adzuna", "company_name": "Acme", "country": "gb"}
    job_bulk_upsert(records=[build_job_data(**{**defaults, **fields})])
    return Job.objects.get(source=fields.get("source", "adzuna"), external_id=fields["external_id"])


def _age(job: Job, **old_values) -> Job:
    """Put back what an older rule stored."""
    Job.objects.filter(pk=job.pk).update(**old_values)
    job.refresh_from_db()
    return job


@pytest.fixture
def old_rows():
    care = _age(
        _store(external_id="care", title="Senior Care Assistant", description=CARE_HOME, location="Maidstone, Kent"),
        remote="remote",
    )
    london = _age(
        _store(external_id="ldn", title="Barista", description="Coffee shop in Soho.", location="London"),
        latitude=None,
        longitude=None,
        geo_precision="",
    )
    pay = _age(
        _store(external_id="pay", title="Warehouse Operative", description=PAY, location="Bristol"),
        salary_min=None,
        salary_max=None,
        salary_currency="",
        salary_period="",
        salary_annual_min=None,
        salary_annual_max=None,
        salary_source="",
    )
    dev = _age(
        _store(external_id="dev", title="Senior Python Developer", description=PYTHON, location="Leeds"),
        skills=[],
        job_level="",
    )
    return {"care": care, "london": london, "pay": pay, "dev": dev}


def test_a_job_stored_by_todays_rules_is_left_alone():
    job = _store(external_id="fresh", title="Senior Python Developer", description=PYTHON + " " + PAY, location="Leeds")
    before = job.updated_at
    result = jobs_renormalize()
    job.refresh_from_db()
    assert (result.scanned, result.changed) == (1, 0)
    assert job.updated_at == before


def test_old_rule_values_are_fixed_and_a_second_run_changes_nothing(old_rows):
    before = {name: job.updated_at for name, job in old_rows.items()}
    result = jobs_renormalize(batch_size=3)  # two batches: the id ranges join up
    assert (result.scanned, result.changed) == (4, 4)
    assert dict(result.by_field) == {"remote": 1, "geo": 1, "salary": 1, "skills": 1, "job_level": 1}

    for job in old_rows.values():
        job.refresh_from_db()
    assert old_rows["care"].remote == "onsite"
    london = old_rows["london"]
    assert london.geo_precision == "city" and london.latitude == pytest.approx(51.5, abs=0.1)
    pay = old_rows["pay"]
    assert (pay.salary_min, pay.salary_max, pay.salary_currency) == (Decimal(24000), Decimal(26000), "GBP")
    assert pay.salary_source == "description" and pay.salary_annual_min == Decimal(24000)
    dev = old_rows["dev"]
    assert {"Python", "PostgreSQL"} <= set(dev.skills)
    assert dev.job_level == detect_job_level("Senior Python Developer") != ""
    # Changed rows are "changed" for the embedding index and the CTS sync.
    assert all(job.updated_at > before[name] for name, job in old_rows.items())

    again = jobs_renormalize()
    assert (again.scanned, again.changed) == (4, 0)


def test_a_staff_locked_field_is_kept(old_rows):
    care = old_rows["care"]
    _age(care, locked_fields=["remote"])
    Job.objects.filter(pk=old_rows["dev"].pk).update(locked_fields=["skills"])
    result = jobs_renormalize()
    care.refresh_from_db()
    dev = Job.objects.get(pk=old_rows["dev"].pk)
    assert care.remote == "remote"  # the staff's value
    assert dev.skills == [] and dev.job_level != ""  # skills locked, the level is not
    assert result.by_field["remote"] == 0 and result.by_field["skills"] == 0


def test_source_and_dry_run(old_rows):
    _age(
        _store(external_id="gh-1", source="greenhouse", title="Barista", description="x", location="London"),
        latitude=None,
        longitude=None,
        geo_precision="",
    )
    dry = jobs_renormalize(source="greenhouse", dry_run=True)
    assert (dry.scanned, dry.changed) == (1, 1)
    assert Job.objects.get(external_id="gh-1").latitude is None  # nothing written
    assert jobs_renormalize(source="greenhouse").changed == 1
    assert Job.objects.get(external_id="care").remote == "remote"  # another source: untouched


def test_the_command_prints_counts_per_field(old_rows):
    out = io.StringIO()
    call_command("renormalize_jobs", "--batch-size", "2", stdout=out)
    assert out.getvalue().strip() == (
        "Renormalized: scanned 4, changed 4 (remote 1, geo 1, salary 1, skills 1, job_level 1, occupation 0)"
    )
    out = io.StringIO()
    call_command("renormalize_jobs", stdout=out)
    assert "changed 0" in out.getvalue()
    with pytest.raises(CommandError, match="batch-size"):
        call_command("renormalize_jobs", "--batch-size", "0", stdout=io.StringIO())
    with pytest.raises(CommandError, match="no stored jobs"):
        call_command("renormalize_jobs", "--source", "nowhere", stdout=io.StringIO())


def test_feed_jobs_stored_by_todays_rules_keep_their_remote_and_places():
    """Remotive's applicant regions and USAJobs' display text are shown, not read as places; their remote
    came from the source's own field: a re-run must not turn "USA, Canada" into a Canadian city."""
    from ingestion.services.remotive import remotive_record
    from ingestion.services.usajobs import usajobs_record
    from ingestion.tests.fake_feeds import remotive_job, usajobs_item
    from jobs.services.upsert import job_bulk_upsert

    plain = "<p>Write and review code for our billing service with a small team.</p>"
    anywhere = {"LocationName": "Anywhere in the U.S. (remote job)", "CountryCode": "US"}
    records = [
        remotive_record(remotive_job(1, candidate_required_location="USA, Canada", description=plain), "all"),
        remotive_record(remotive_job(2, candidate_required_location="Americas, Europe, Israel"), "all"),
        usajobs_record(usajobs_item(3, PositionLocation=[anywhere], PositionLocationDisplay=""), "all"),
        usajobs_record(usajobs_item(4, PositionLocationDisplay="Multiple Locations"), "all"),
    ]
    job_bulk_upsert(records=records)
    stored = {job.external_id: job for job in Job.objects.all()}
    assert stored[records[0].external_id].latitude is None and stored[records[0].external_id].city == ""
    result = jobs_renormalize()
    # (Remotive's tags give way to extracted skills, as an import's skills column does: README.)
    assert (result.scanned, result.by_field["remote"], result.by_field["geo"]) == (4, 0, 0), result.summary()


@pytest.mark.parametrize("source", ["workday", "smartrecruiters", "workable", "recruitee"])
def test_a_spiders_structured_remote_is_kept(source):
    """Every spider passes its board's own workplace field (Workday remoteType, SmartRecruiters
    location.remote, Workable telecommuting, Recruitee remote): a re-run keeps it as evidence, as it
    does for Greenhouse's, instead of re-reading a text that does not say remote."""
    job = _store(
        source=source,
        external_id=f"{source}-1",
        title="Payroll Specialist",
        description=PYTHON.replace(" Our team works from the Leeds office.", ""),
        location="Leeds",
        remote="remote",
    )
    assert job.remote == "remote"
    result = jobs_renormalize(source=source)
    job.refresh_from_db()
    assert job.remote == "remote" and result.by_field["remote"] == 0
