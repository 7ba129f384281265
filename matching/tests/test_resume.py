import csv
from datetime import date

import pytest

from matching.resume import merged_years, resume_read
from matching.text import clean_text, extract_text

TODAY = date(2026, 12, 1)


def test_title_then_company_then_range_and_the_range_first():
    text = (
        "Experience\n"
        "Software Engineer, Acme Corp — Jan 2019 \u2013 Present\n"
        "Built the billing service.\n"
        "2015-2018 Civil Engineer at Larsen & Toubro\n"
    )
    profile = resume_read(text, today=TODAY)
    assert profile.recent_titles == ("Software Engineer", "Civil Engineer")
    assert [role.current for role in profile.roles] == [True, False]
    # Jan 2019 through Dec 2026 (96 months) and 2015-2018 (36): 11 years.
    assert profile.years == 11.0
    assert profile.summary() == "11 years of experience; recent role: Software Engineer"


@pytest.mark.parametrize(
    ("line", "title", "months"),
    [
        ("Backend developer, Globex (March 2021 - now)", "Backend Developer", 70),
        ("Data Analyst | Initech | 03/2020 \u2013 06/2022", "Data Analyst", 28),
        ("Working at NOVA WORKS since May 2018 to till date as a CIVIL ENGINEER.", "Civil Engineer", 104),
        ("Sr. Sales Executive at Foo Ltd. Sept' 2017 to current", "Sr. Sales Executive", 112),
        ("1-Jan 2016 To 24th Dec 2016: Designation - Software Developer", "Software Developer", 12),
    ],
)
def test_range_forms_and_their_titles(line, title, months):
    profile = resume_read(line, today=TODAY)
    assert profile.recent_titles[0] == title
    assert profile.roles[0].end - profile.roles[0].start == months


def test_overlapping_roles_count_once_and_schooling_not_at_all():
    text = (
        "Work history\n"
        "Team Lead, Foo - Jan 2020 - Dec 2021\n"
        "Consultant, Bar - Jun 2021 - Jun 2022\n"
        "Education\n"
        "2012 - 2016 BSc Computer Science, University of Leeds\n"
    )
    profile = resume_read(text, today=TODAY)
    assert profile.years == 2.5  # Jan 2020 to Jun 2022
    assert profile.recent_titles == ("Consultant", "Team Lead")
    assert merged_years([(0, 12), (6, 18), (30, 36)]) == 2.0


def test_stated_years_when_no_dates_and_none_when_nothing_said():
    assert resume_read("Java developer with 7+ years of experience in banking.", today=TODAY).years == 7.0
    assert resume_read("Skills\nPython- Exprience - 42 months\n", today=TODAY).years == 3.5
    nothing = resume_read("Python, Django, PostgreSQL. I like building things.", today=TODAY)
    assert nothing.years is None and nothing.recent_titles == () and nothing.summary() == ""


def test_reading_is_fast(shared_resumes):
    import time

    texts = [clean_text(text) for text in shared_resumes[:60]]
    started = time.perf_counter()
    for text in texts:
        resume_read(text)
    assert (time.perf_counter() - started) / len(texts) < 0.02  # ~2 ms each; generous on a busy machine


@pytest.fixture(scope="module")
def shared_resumes():
    from pathlib import Path

    from django.conf import settings

    path = Path(settings.BASE_DIR).parent / "shared" / "data" / "resumes" / "UpdatedResumeDataSet.csv"
    if not path.exists():
        pytest.skip(f"shared data not present at {path}")
    csv.field_size_limit(10**8)
    with path.open(encoding="utf-8", errors="replace", newline="") as handle:
        return list(dict.fromkeys(row["Resume"] for row in csv.DictReader(handle)))


def _one(resumes, marker):
    return clean_text(next(text for text in resumes if marker in text))


def test_real_resume_civil_engineer(shared_resumes):
    profile = resume_read(_one(shared_resumes, "NOVA ENGINEERING WORKS"), today=TODAY)
    assert set(profile.sections) >= {"education", "experience", "skills"}
    assert profile.recent_titles == ("Civil Engineer",)
    # Since May 2018 to till date, Jan 2017 to Apr 2018 (adjoining), June 2014 to May 2015.
    assert len(profile.roles) == 3 and profile.roles[0].current
    assert profile.years == 11.0


def test_real_resume_java_developer(shared_resumes):
    profile = resume_read(_one(shared_resumes, "Sept' 2017 to till date"), today=TODAY)
    assert "experience" in profile.sections
    assert profile.recent_title == "Java Developer"
    assert profile.years == 9.3  # September 2017 to December 2026


def test_real_resume_automation_tester_titles_from_designations(shared_resumes):
    profile = resume_read(_one(shared_resumes, "Mumbai\t\tMay 2018 to Present"), today=TODAY)
    assert profile.recent_titles[0] == "Automation Tester"
    assert "Software Tester" in profile.recent_titles


def test_real_docx_resumes(shared_cv_dir):
    first = resume_read(extract_text((shared_cv_dir / "1.docx").read_bytes()).text, today=TODAY)
    assert set(first.sections) >= {"education", "experience", "skills"}
    assert first.recent_titles == (
        "Backend JAVA Developer",
        "Full Stack JAVA Developer",
        "Software R-Style Language Developer",
    )
    # 2020 - now, 2017 - 2019, 2005 - 2017; the 2000 - 2005 master's degree is schooling.
    assert first.years == 21.0
    seventh = resume_read(extract_text((shared_cv_dir / "7.docx").read_bytes()).text, today=TODAY)
    assert seventh.recent_titles == ("Frontend Developer", "MES Architect", "Control System Programmer")
    assert seventh.roles[0].current and seventh.years == 12.0
