"""The normalizer: one set of pure functions every source shares (no database access).

Every source — the Adzuna client, the Scrapy spiders, ``manage.py import_jobs`` — turns its raw fields
into a ``jobs.types.JobData`` with `build_job_data`, which runs all the detectors below; the tests and
the admin call the detectors directly. Public API (import from ``ingestion.normalize``):

- `build_job_data(**raw) -> JobData` — the one raw-to-record step; raises `InvalidPosting(reason)`.
- Salary: `parse_salary(text, *, country=None) -> SalaryParse | None`,
  `salary_from_description(text, *, country=None) -> SalaryParse | None` (the pay a description states),
  `annualize(amount, period)`, `normalize_period(value)`, `to_decimal(value)`, `ANNUAL_FACTORS`.
- Classification: `detect_employment_type(*values)`, `is_internship(*, title, employment_type, text)`,
  `detect_job_level(title)`, `detect_remote(*, text, explicit, title, locations)` (which evidence wins;
  its parts `remote_from_explicit`, `remote_from_place`, `remote_from_text`).
- Places: `split_location(text, *, country=None) -> LocationParts`, `country_code(name_or_code)`,
  `currency_for_country(code)`.
- Text: `html_to_text(html)`, `clean_text`, `clean_line`, `parse_datetime(value)`,
  `normalize_company_name(name)`, `clean_company_name(name)` (the last two and `annualize` are
  `jobs.rules`', re-exported here).

Every function returns an empty value ("" / None) for input it cannot read instead of raising, so one
odd posting never stops a run; only `build_job_data` raises, and only `InvalidPosting`.
"""

from gigm8.lib.text import clean_line
from jobs.rules import ANNUAL_FACTORS, annualize, clean_company_name, normalize_company_name

from .classify import (
    detect_employment_type,
    detect_job_level,
    detect_remote,
    is_internship,
    remote_from_explicit,
    remote_from_place,
    remote_from_text,
)
from .places import LocationParts, country_code, currency_for_country, split_location
from .record import InvalidPosting, build_job_data, detect_occupation
from .salary import SalaryParse, normalize_period, parse_salary, salary_from_description, to_decimal
from .text import (
    clean_text,
    html_to_text,
    looks_like_html,
    parse_datetime,
    unescape_html,
)

__all__ = [
    "ANNUAL_FACTORS",
    "InvalidPosting",
    "LocationParts",
    "SalaryParse",
    "annualize",
    "build_job_data",
    "clean_company_name",
    "clean_line",
    "clean_text",
    "country_code",
    "currency_for_country",
    "detect_employment_type",
    "detect_job_level",
    "detect_occupation",
    "detect_remote",
    "html_to_text",
    "is_internship",
    "looks_like_html",
    "normalize_company_name",
    "normalize_period",
    "parse_datetime",
    "parse_salary",
    "remote_from_explicit",
    "remote_from_place",
    "remote_from_text",
    "salary_from_description",
    "split_location",
    "to_decimal",
    "unescape_html",
]
