"""The rules that make two jobs comparable, whatever their source: which company a name means,
and a salary as a yearly amount. Pure functions over values; the normalizer, the upsert, the
admin and the API all call these, so each rule lives here once.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from decimal import Decimal

from gigm8.lib.text import clean_line
from jobs.choices import SalaryPeriod

# ------------------------------------------------------------------------------------------------ job level

_TITLE_MANAGER_RE = re.compile(r"\b(?:manager|mgr)s?\b", re.IGNORECASE)
# What an individual contributor called "manager" manages: an account, a product, a project or programme, a
# partner, a campaign, a deal, a supply chain … (issue 16: "Account Manager" is an individual sales role).
# Read in the words just before "manager", within the title's part: "Strategic Account Sales Manager",
# "Product Marketing Manager", "Technical Program Manager", "Business Development Manager" are individual
# roles; "Manager, Product Marketing", "Sales Manager", "Home Manager", "Deputy Manager", "Engineering
# Manager", "Finance Manager" manage people or a unit. Decided per pattern on the labelled titles
# (ingestion/tests/data/quality/job_level.jsonl).
_MANAGED_THING_RE = re.compile(
    r"\b(?:accounts?|products?|projects?|programmes?|programs?|process|business development|partners?|"
    r"partnerships?|campaigns?|community|customer success|deals?|industry|vendors?|suppliers?|case|property|"
    r"relationships?|category|contracts?|communications|public relations|pr|events?|supply chain|"
    r"commissioning|engagement|campus|channels?|territory|brand|content|release|bids?|tenders?|portfolio|"
    r"social media)\b",
    re.IGNORECASE,
)
# A group product manager manages product managers.
_PEOPLE_RE = re.compile(r"\bgroup\b", re.IGNORECASE)
_TITLE_PART_RE = re.compile(r"[,(/|:;\u2013\u2014-]")


def manages_people(title: str) -> bool:
    """Whether some "manager" of `title` manages people (or a unit), not an account, product, project …

    False when every "manager" it names is of a thing, or when it names none. The normalizer's job level
    (``ingestion.normalize.detect_job_level``) and matching's reading of a query's level both use it.
    """
    for found in _TITLE_MANAGER_RE.finditer(title):
        words = _TITLE_PART_RE.split(title[: found.start()])[-1].split()[-3:]
        before = " ".join(words)
        if _PEOPLE_RE.search(before) or not _MANAGED_THING_RE.search(before):
            return True
    return False


# ------------------------------------------------------------------------------------------------ salaries

# ISO 4217 currency of each country, for salaries that give an amount but no currency.
_EURO_COUNTRIES = [
    "AT",
    "BE",
    "CY",
    "DE",
    "EE",
    "ES",
    "FI",
    "FR",
    "GR",
    "HR",
    "IE",
    "IT",
    "LT",
    "LU",
    "LV",
    "MT",
    "NL",
    "PT",
    "SI",
    "SK",
    "AD",
    "MC",
    "SM",
    "VA",
    "ME",
    "XK",
]
_CURRENCY_BY_COUNTRY = {
    **dict.fromkeys(_EURO_COUNTRIES, "EUR"),
    "GB": "GBP",
    "US": "USD",
    "CA": "CAD",
    "AU": "AUD",
    "NZ": "NZD",
    "IN": "INR",
    "SG": "SGD",
    "HK": "HKD",
    "ZA": "ZAR",
    "BR": "BRL",
    "MX": "MXN",
    "CH": "CHF",
    "LI": "CHF",
    "PL": "PLN",
    "SE": "SEK",
    "NO": "NOK",
    "DK": "DKK",
    "IS": "ISK",
    "CZ": "CZK",
    "HU": "HUF",
    "RO": "RON",
    "BG": "BGN",
    "RS": "RSD",
    "UA": "UAH",
    "TR": "TRY",
    "RU": "RUB",
    "IL": "ILS",
    "AE": "AED",
    "SA": "SAR",
    "QA": "QAR",
    "EG": "EGP",
    "NG": "NGN",
    "KE": "KES",
    "JP": "JPY",
    "CN": "CNY",
    "KR": "KRW",
    "TW": "TWD",
    "MY": "MYR",
    "ID": "IDR",
    "PH": "PHP",
    "TH": "THB",
    "VN": "VND",
    "PK": "PKR",
    "BD": "BDT",
    "AR": "ARS",
    "CL": "CLP",
    "CO": "COP",
    "PE": "PEN",
    "PR": "USD",
}


def currency_of_country(code: str) -> str:
    """ISO 4217 code of the currency of an ISO 3166-1 alpha-2 country ("GB" -> "GBP"), or ""."""
    return _CURRENCY_BY_COUNTRY.get(code.upper(), "") if code else ""


# Working time per year, for the annualized value the salary filters compare: 40 h x 52 weeks,
# 5 days x 52 weeks. (Adzuna's own SalaryNormalized uses 1,920 h and 48 weeks; we use the common
# US/UK full-time convention.)
ANNUAL_FACTORS: dict[str, int] = {
    SalaryPeriod.HOUR: 2080,
    SalaryPeriod.DAY: 260,
    SalaryPeriod.WEEK: 52,
    SalaryPeriod.MONTH: 12,
    SalaryPeriod.YEAR: 1,
}
_CENT = Decimal("0.01")
# The older routes take a monthly stipend; filters compare annual amounts.
STIPEND_MONTHS = ANNUAL_FACTORS[SalaryPeriod.MONTH]


def annualize(amount: Decimal | None, period: str | None) -> Decimal | None:
    """`amount` per `period` as a yearly amount, rounded to cents: hour x 2080, day x 260, week x 52,
    month x 12, year x 1. None when the amount is None or the period unknown."""
    if amount is None or not period or period not in ANNUAL_FACTORS:
        return None
    return (Decimal(amount) * ANNUAL_FACTORS[period]).quantize(_CENT)


# ---------------------------------------------------------------------------------------------- companies

# Legal-form words dropped from the end of a company name (after punctuation became spaces, so
# "L.L.C." is "l l c"). Longest first, so "pty ltd" goes before "ltd".
_COMPANY_SUFFIXES = sorted(
    (
        tuple(s.split())
        for s in (
            "inc",
            "incorporated",
            "ltd",
            "limited",
            "llc",
            "l l c",
            "llp",
            "l l p",
            "lp",
            "corp",
            "corporation",
            "co",
            "company",
            "gmbh",
            "ag",
            "plc",
            "p l c",
            "pty",
            "pty ltd",
            "pvt",
            "pvt ltd",
            "private limited",
            "sa",
            "s a",
            "sas",
            "sarl",
            "srl",
            "s p a",
            "bv",
            "b v",
            "nv",
            "n v",
            "ab",
            "asa",
            "oy",
            "kk",
            "se",
        )
    ),
    key=len,
    reverse=True,
)
_COMPANY_WORD_RE = re.compile(r"[^\w]+|_")


def clean_company_name(name: str | None) -> str:
    """A company's display name: the first line only (Glassdoor appends the rating after a newline:
    ``"Acme Corp\\n3.8"``), entities decoded and spaces collapsed."""
    if not name:
        return ""
    for line in str(name).splitlines():
        line = clean_line(line)
        if line:
            return line
    return ""


def normalize_company_name(name: str | None) -> str:
    """The key that makes one Company of every spelling of a name.

    Case and accents are folded, ``&`` reads as "and", punctuation becomes spaces, a leading "The" and
    trailing legal forms (Inc., Ltd., Limited, LLC, L.L.C., Corp., Corporation, Co., Company, GmbH, PLC,
    Pty Ltd, S.A., AG…) are dropped, with the "and" they leave behind ("Johnson & Co."), and a Glassdoor
    rating line is ignored: "NRT Technology Corp", "NRT Technology Corp." and "nrt technology corp\\n3.8"
    are all ``"nrt technology"``. A name that is only a legal form ("Limited") keeps it rather than
    becoming empty. Empty input gives "".
    """
    return _company_key(name if isinstance(name, str) else str(name or ""))


@functools.lru_cache(maxsize=4096)  # a feed lists many postings of each company; the upsert asks for each
def _company_key(name: str) -> str:
    display = clean_company_name(name)
    if not display:
        return ""
    folded = unicodedata.normalize("NFKD", display.casefold())
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    words = _COMPANY_WORD_RE.sub(" ", folded.replace("&", " and ")).split()
    if len(words) > 1 and words[0] == "the":
        words = words[1:]
    stripped = True
    while stripped:
        stripped = False
        for suffix in _COMPANY_SUFFIXES:
            if len(words) > len(suffix) and tuple(words[-len(suffix) :]) == suffix:
                words = words[: -len(suffix)]
                stripped = True
                break
    if len(words) > 1 and words[-1] == "and":  # "Johnson & Co." lost its "Co."
        words = words[:-1]
    return " ".join(words)
