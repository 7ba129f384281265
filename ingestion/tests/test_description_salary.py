"""Pay stated in a description (salary_from_description) and Lever's "Short Term" commitment.

The sentences below are hand-written, modelled on real postings; the figures on real descriptions are in
test_quality_description_salary.py.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from ingestion.normalize import build_job_data, detect_employment_type, salary_from_description
from jobs.choices import EmploymentType, SalarySource

D = Decimal


@pytest.mark.parametrize(
    ("text", "country", "expected"),
    [
        # The three real-world samples of issue 16.
        ("$85k _$95k Base +Package", "US", (D(85000), D(95000), "USD", "year")),
        ("NT$ 60,000 - 80,000 (月薪)", "TW", (D(60000), D(80000), "TWD", "month")),
        (
            "Total remuneration package valued to $72,969. Package includes salary ($59,636 - $65,827), "
            "superannuation and leave loading.",
            "AU",
            (D(59636), D(65827), "AUD", "year"),
        ),
        # Pay-transparency phrasings.
        (
            "The base pay range for this role is $120,000\u2013$150,000 USD.",
            "US",
            (D(120000), D(150000), "USD", "year"),
        ),
        ("Pay: $45\u2013$55/hour, paid weekly.", "US", (D(45), D(55), "USD", "hour")),
        ("Salary: £40k\u2013£50k per annum plus benefits", "GB", (D(40000), D(50000), "GBP", "year")),
        ("Annual Salary:\n$265,000 — $365,000 USD", "US", (D(265000), D(365000), "USD", "year")),
        ("Weekly stipend of 3,850 USD / 2,310 GBP", "US", (D(3850), D(3850), "USD", "week")),
        (
            "Pay Type\nHourly\nMin Hiring Rate\n$18.35\nMax Hiring Rate\n$22.93",
            "US",
            (D("18.35"), D("22.93"), "USD", "hour"),
        ),
        ("We pay 7.40 weekdays & 8.50 weekends as well as mileage.", "GB", (D("7.40"), D("8.50"), "GBP", "hour")),
        ("Compensation: 165,000-185,000\nApply now", "US", (D(165000), D(185000), "USD", "year")),
        ("Salary: up to 8 per hour", "GB", (None, D(8), "GBP", "hour")),
        # A currency range followed by a period needs no pay word.
        ("Rates of €400 - €500 per day, outside IR35.", "IE", (D(400), D(500), "EUR", "day")),
        # The base salary wins over an OTE figure and over a plain pay figure before it.
        ("OTE $180,000. Base salary $90,000 - $110,000.", "US", (D(90000), D(110000), "USD", "year")),
        # The bonus after the range is not the range's.
        (
            "Competitive Salary ranging from ($125,000 - $160,000) + discretionary bonus",
            "US",
            (D(125000), D(160000), "USD", "year"),
        ),
    ],
)
def test_salary_from_description_reads_pay_statements(text: str, country: str, expected: tuple) -> None:
    parsed = salary_from_description(text, country=country)
    assert parsed is not None
    assert (parsed.min, parsed.max, parsed.currency, parsed.period) == expected


@pytest.mark.parametrize(
    "text",
    [
        "We raised a $5M funding round led by Sequoia.",
        "We have gone from 0 to $24B in coverage and $139MM in venture capital raised.",
        "Leidos reported annual revenues of approximately $10.19 billion for the fiscal year.",
        "$10,000 sign on bonus & $10,000 student loan forgiveness",
        "Tuition Reimbursement up to $3K/year; 401(k) with a 4% match",
        "401k, competitive compensation and benefits",
        "Annual $2,000 learning budget and a $500 home office stipend",
        "Wellness Benefit - $500 per year to spend on eligible well being",
        "Relocation assistance of $7,500 is available.",
        "Enjoy 20 paid days off and earn a quarterly incentive, up to 20 percent of your annual base salary.",
        "The salary is based on a 40hr week.",
        "Salary: **** per hour, 21.25 HOURS PER WEEK",  # the Adzuna UK dataset masks figures as ****
        "Posted On: Thursday, March 26, 2020. Competitive salary.",
        "Competitive salary, great benefits and a friendly team.",
        "",
        None,
    ],
)
def test_salary_from_description_takes_no_other_figure_for_pay(text: str | None) -> None:
    assert salary_from_description(text, country="US") is None


def test_build_job_data_takes_the_description_salary_when_no_field_has_one() -> None:
    data = build_job_data(
        source="lever",
        external_id="1",
        title="Analyst",
        description_html="<p>The United States base range for this position is $67,172 - $95,960 plus equity.</p>",
        country="US",
    )
    assert (data.salary_min, data.salary_max, data.salary_currency, data.salary_period) == (
        D(67172),
        D(95960),
        "USD",
        "year",
    )
    assert (data.salary_annual_min, data.salary_source, data.salary_is_predicted) == (
        D(67172),
        SalarySource.DESCRIPTION,
        False,
    )


def test_build_job_data_prefers_a_salary_field_to_the_description() -> None:
    data = build_job_data(
        source="ashby",
        external_id="1",
        title="Analyst",
        description="Salary: $50,000 - $60,000",
        salary_min=151000,
        salary_max=231000,
        salary_currency="USD",
    )
    assert (data.salary_min, data.salary_source) == (D(151000), SalarySource.STRUCTURED)
    parsed = build_job_data(
        source="greenhouse",
        external_id="2",
        title="AE",
        description="Salary: $50,000",
        salary_text="$265,000 - $365,000",
    )
    assert (parsed.salary_min, parsed.salary_source) == (D(265000), SalarySource.PARSED)


@pytest.mark.parametrize(
    ("commitment", "title", "expected"),
    [
        ("Short Term", "Recruiting Coordinator", EmploymentType.TEMPORARY),
        ("Short-term", "Data Engineer", EmploymentType.TEMPORARY),
        ("Short Term", "Contract Recruiter", EmploymentType.CONTRACTOR),
        ("Short Term", "Data Engineer (Contractor)", EmploymentType.CONTRACTOR),
        ("Permanent", "Contract Manager", EmploymentType.FULL_TIME),  # only a temporary post becomes a contractor's
        ("Short Term", None, EmploymentType.TEMPORARY),
    ],
)
def test_lever_short_term_commitment(commitment: str, title: str | None, expected: str) -> None:
    assert detect_employment_type(commitment, title=title) == expected


def test_build_job_data_reads_short_term_with_the_title() -> None:
    temporary = build_job_data(source="lever", external_id="1", title="Barista", employment_type="Short Term")
    contractor = build_job_data(
        source="lever", external_id="2", title="Contract Designer", employment_type="Short Term"
    )
    assert (temporary.employment_type, contractor.employment_type) == (
        EmploymentType.TEMPORARY,
        EmploymentType.CONTRACTOR,
    )
