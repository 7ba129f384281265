"""manage.py import_jobs: CSV and JSON lines, --map, bad files and unknown columns write nothing."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from rest_framework.test import APIClient

from gigm8.tests.xss import DIRTY_DESCRIPTION_HTML, assert_sanitized
from ingestion.models import SyncLog
from jobs.models import Company, Job

pytestmark = pytest.mark.django_db

GOOD_CSV = """Id;Title;Company;Location;Responsibilities;Minimum Qualifications;Category
g1;Data Engineer;Google;Zürich, Switzerland;"Build pipelines.
Own data quality.";BS degree;Technical Infrastructure
g2;Account Manager;YouTube;London, UK;Grow partners;3 years of sales;Sales & Account Management
g3;;Google;Paris, France;No title here;None;Sales
"""


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_mapped_csv_is_imported_with_a_report(tmp_path):
    path = write(tmp_path, "jobs.csv", GOOD_CSV)
    out = io.StringIO()
    argv = [str(path), "--source", "google", "--delimiter", ";", "--map", "Id=external_id", "--map", "Title=title"]
    argv += ["--map", "Company=company", "--map", "Location=location", "--map", "Category=category"]
    argv += ["--map", "Responsibilities=description", "--map", "Minimum Qualifications=description+"]
    call_command("import_jobs", *argv, stdout=out)
    assert "created 2" in out.getvalue() and "skipped 1" in out.getvalue()
    job = Job.objects.get(external_id="g1")
    assert job.source == "google" and job.country == "CH" and job.category == "Technical Infrastructure"
    assert job.description.startswith("Build pipelines.") and "Minimum Qualifications:\nBS degree" in job.description
    assert Company.objects.count() == 2
    # Again: the same rows, unchanged.
    out = io.StringIO()
    call_command("import_jobs", *argv, stdout=out)
    assert "unchanged 2" in out.getvalue() and Job.objects.count() == 2


def test_jsonl_with_normalized_names_and_no_id_gets_a_stable_hash(tmp_path):
    records = [
        {"title": "Nurse", "company": "NHS Trust", "location": "Leeds", "salary": "£25,000 - £30,000 per annum"},
        {"title": "Chef", "company": "Bistro", "location": "York", "url": "https://example.com/chef"},
    ]
    path = write(tmp_path, "jobs.jsonl", "\n".join(json.dumps(r) for r in records) + "\n")
    call_command("import_jobs", str(path), "--source", "export", "--country", "gb", stdout=io.StringIO())
    call_command("import_jobs", str(path), "--source", "export", "--country", "gb", stdout=io.StringIO())
    assert Job.objects.count() == 2
    nurse = Job.objects.get(title="Nurse")
    assert nurse.external_id.startswith("sha1-") and nurse.salary_min == 25000 and nurse.salary_currency == "GBP"


def test_an_unknown_column_writes_nothing(tmp_path):
    path = write(tmp_path, "jobs.csv", "title,company,colour\nNurse,NHS,blue\n")
    with pytest.raises(CommandError, match=r"unknown columns: 'colour'.*nothing imported"):
        call_command("import_jobs", str(path), "--source", "x")
    with pytest.raises(CommandError, match="does not have: 'Colour'"):
        call_command("import_jobs", str(path), "--source", "x", "--map", "Colour=category")
    with pytest.raises(CommandError, match="unknown field 'hue'"):
        call_command("import_jobs", str(path), "--source", "x", "--map", "colour=hue")
    assert not Job.objects.exists() and not SyncLog.objects.exists()
    call_command("import_jobs", str(path), "--source", "x", "--map", "colour=-", stdout=io.StringIO())
    assert Job.objects.count() == 1


def test_a_bad_file_writes_nothing(tmp_path):
    half_good = '{"title": "Nurse", "external_id": "1"}\n{"title": "Chef", \n'
    path = write(tmp_path, "jobs.jsonl", half_good)
    with pytest.raises(CommandError, match="line 2 is not valid JSON"):
        call_command("import_jobs", str(path), "--source", "x")
    ragged = write(tmp_path, "ragged.csv", "title,company\nNurse,NHS\nChef,Bistro,York,extra\n")
    with pytest.raises(CommandError, match="row 3 has 4 values for 2 columns"):
        call_command("import_jobs", str(ragged), "--source", "x")
    binary = tmp_path / "jobs.csv"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(CommandError, match="nothing imported"):
        call_command("import_jobs", str(binary), "--source", "x")
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_jobs", str(tmp_path / "missing.csv"), "--source", "x")
    with pytest.raises(CommandError, match="--format"):
        call_command("import_jobs", str(write(tmp_path, "jobs.xlsx", "x")), "--source", "x")
    assert not Job.objects.exists()


def test_a_file_where_every_row_is_bad_exits_non_zero(tmp_path):
    path = write(tmp_path, "jobs.csv", "title,company\n,NHS\n,Bistro\n")
    with pytest.raises(CommandError, match="every row was skipped"):
        call_command("import_jobs", str(path), "--source", "x", stdout=io.StringIO())


GLASSDOOR_CSV = """,Job Title,Salary Estimate,Job Description,Rating,Company Name,Location,Headquarters,Industry
0,Data Scientist,$53K-$91K (Glassdoor est.),"Build models.
Ship them.",3.8,"Tecolote Research
3.8","Albuquerque, NM","Goleta, CA",Aerospace & Defense
1,Data Scientist,$53K-$91K (Glassdoor est.),"Build models.
Ship them.",3.8,"Tecolote Research
3.8","Albuquerque, NM","Goleta, CA",Aerospace & Defense
2,Data Analyst,-1,Dashboards,-1,Acme,"Boston, MA",-1,-1
"""


def test_the_glassdoor_shape_as_in_the_readme(tmp_path):
    path = write(tmp_path, "glassdoor_jobs.csv", GLASSDOOR_CSV)
    argv = [str(path), "--source", "glassdoor", "--country", "us", "--null", "-1", "--ignore-unknown"]
    argv += ["--map", "Job Title=title", "--map", "Salary Estimate=salary", "--map", "Job Description=description"]
    argv += ["--map", "Company Name=company", "--map", "Location=location", "--map", "Industry=category"]
    out = io.StringIO()
    call_command("import_jobs", *argv, stdout=out)
    assert "created 2" in out.getvalue() and "skipped 1" in out.getvalue()  # row 1 repeats row 0
    scientist = Job.objects.get(title="Data Scientist")
    assert scientist.company.name == "Tecolote Research"  # the rating line dropped
    assert (scientist.salary_min, scientist.salary_max, scientist.salary_is_predicted) == (53000, 91000, True)
    assert (scientist.city, scientist.region, scientist.country) == ("Albuquerque", "NM", "US")
    analyst = Job.objects.get(title="Data Analyst")
    assert analyst.salary_min is None and analyst.category == ""  # -1 means missing


def test_two_columns_into_employment_type(tmp_path):
    path = write(
        tmp_path,
        "Train_rev1.csv",
        "Id,Title,ContractType,ContractTime\n1,Nurse,part_time,permanent\n2,Welder,,contract\n",
    )
    argv = [str(path), "--source", "adzuna-uk", "--map", "Id=external_id", "--map", "Title=title"]
    argv += ["--map", "ContractType=employment_type", "--map", "ContractTime=employment_type+"]
    call_command("import_jobs", *argv, stdout=io.StringIO())
    assert dict(Job.objects.values_list("external_id", "employment_type")) == {"1": "PART_TIME", "2": "CONTRACTOR"}


def test_imported_description_html_is_stored_and_served_sanitized(tmp_path):
    record = {"external_id": "x1", "title": "Data Engineer", "description_html": DIRTY_DESCRIPTION_HTML}
    path = write(tmp_path, "jobs.jsonl", json.dumps(record) + "\n")
    call_command("import_jobs", str(path), "--source", "export", "--country", "gb", stdout=io.StringIO())
    job = Job.objects.get(source="export", external_id="x1")
    assert_sanitized(job.description_html)
    served = APIClient().get(f"/api/jobs/{job.id}/").json()["description_html"]
    assert_sanitized(served)


DATED_JSONL = [
    {"external_id": "d1", "title": "Nurse", "location": "Leeds"},
    {"external_id": "d2", "title": "Chef", "location": "York", "posted_at": "2012-03-05"},
]


def test_rows_without_a_date_keep_none_rather_than_the_import_day(tmp_path):
    path = write(tmp_path, "old.jsonl", "\n".join(json.dumps(r) for r in DATED_JSONL) + "\n")
    call_command("import_jobs", str(path), "--source", "export", "--country", "gb", stdout=io.StringIO())
    assert Job.objects.get(external_id="d1").posted_at is None
    assert Job.objects.get(external_id="d2").posted_at.date().isoformat() == "2012-03-05"


def test_posted_at_dates_only_the_rows_that_give_none(tmp_path):
    path = write(tmp_path, "old.jsonl", "\n".join(json.dumps(r) for r in DATED_JSONL) + "\n")
    argv = [str(path), "--source", "export", "--country", "gb", "--posted-at", "2012-01-31"]
    call_command("import_jobs", *argv, stdout=io.StringIO())
    assert Job.objects.get(external_id="d1").posted_at.isoformat() == "2012-01-31T00:00:00+00:00"
    assert Job.objects.get(external_id="d2").posted_at.date().isoformat() == "2012-03-05"


@pytest.mark.parametrize("value", ["yesterday", "2012-13-01", "31/01/2012", "2999-01-01"])
def test_a_bad_posted_at_is_one_clear_error(tmp_path, value):
    path = write(tmp_path, "old.jsonl", json.dumps(DATED_JSONL[0]) + "\n")
    with pytest.raises(CommandError, match="--posted-at"):
        call_command("import_jobs", str(path), "--source", "export", "--posted-at", value, stdout=io.StringIO())
    assert not Job.objects.exists()
