"""Salaries: free-text parsing, periods, currencies and annualization."""

from __future__ import annotations

import dataclasses
import logging
import re
from decimal import Decimal, InvalidOperation

from jobs.choices import SalaryPeriod
from jobs.rules import annualize

from .places import country_code, currency_for_country

logger = logging.getLogger(__name__)

_CENT = Decimal("0.01")
# Above this an amount is garbage (and would overflow the DecimalField(max_digits=14)).
_MAX_AMOUNT = Decimal("1000000000")


@dataclasses.dataclass(frozen=True, slots=True)
class SalaryParse:
    """A salary read from text. `min` or `max` may be None ("up to £35k", "$120,000+"), not both.

    `period` is a ``jobs.choices.SalaryPeriod`` value; `currency` an ISO 4217 code or "" when neither the
    text nor the country tells it; `annual_min`/`annual_max` are `min`/`max` annualized (see `annualize`);
    `estimated` is True when the text says the figure is an estimate ("Glassdoor est.").
    """

    min: Decimal | None
    max: Decimal | None
    currency: str
    period: str
    annual_min: Decimal | None
    annual_max: Decimal | None
    estimated: bool = False


_PERIOD_WORDS: dict[str, str] = {}
for _period, _words in {
    SalaryPeriod.HOUR: "hour hourly hours hr hrs h ph",
    SalaryPeriod.DAY: "day daily days d pd diem",
    SalaryPeriod.WEEK: "week weekly weeks wk w pw",
    SalaryPeriod.MONTH: "month monthly months mo mth pcm m",
    SalaryPeriod.YEAR: "year yearly years annum annual annually yr y pa a",
}.items():
    for _word in _words.split():
        _PERIOD_WORDS[_word] = _period


def normalize_period(value: object) -> str:
    """A ``SalaryPeriod`` value for a source's period field, or "".

    Understands "hour", "HOURLY", "per hour", "YEAR", "yearly", "annual", "per annum", schema.org
    ``unitText`` ("MONTH") and Ashby's interval ("1 YEAR").
    """
    if not value:
        return ""
    words = re.sub(r"[^a-z]+", " ", str(value).casefold()).split()
    for word in reversed(words):  # "per hour", "1 YEAR": the unit comes last
        if word in _PERIOD_WORDS and len(word) > 1:
            return _PERIOD_WORDS[word]
    return ""


# A period written after an amount: "per hour", "/hr", "p.h.", "ph", "an hour", "/annum", "pa", "p.a.",
# "per calendar month", "pcm", "a year", "/yr", "Hourly", "Annual".
_PERIOD_RE = re.compile(
    r"(?P<hour>\b(?:per|an?)\s+(?:hour|hr)s?\b|/\s*(?:hour|hr|h)\b|\bhourly\b"
    r"|(?<![a-z])p(?:\.\s?|/)?h(?:r|our)?\b\.?|(?<=\d)\s?(?:hr|h)\b)"
    r"|(?P<day>\b(?:per|an?)\s+day\b|/\s*(?:day|d)\b|\bdaily\b|\bday\s+rate\b|(?<![a-z])p(?:\.|/)?d\b\.?)"
    r"|(?P<week>\b(?:per|an?)\s+(?:week|wk)\b|/\s*(?:week|wk|w)\b|\bweekly\b|(?<![a-z])p(?:\.|/)?w\b\.?)"
    r"|(?P<month>\b(?:per|an?)\s+(?:calendar\s+)?(?:month|mth)\b|/\s*(?:month|mth|mo|m)\b|\bmonthly\b"
    r"|(?<![a-z])p\.?c\.?m\b\.?)"
    r"|(?P<year>\b(?:per|an?)\s+(?:year|yr|annum)\b|/\s*(?:year|yr|y|annum|a)\b|\b(?:yearly|annual(?:ly)?|annum)\b"
    r"|(?<![a-z])p\.?a\b\.?|(?<![a-z])py\b)",
    re.IGNORECASE,
)

# Currency written before or after an amount. "$" alone is the country's dollar when it has one.
_CURRENCY_TOKENS: dict[str, str] = {
    "us$": "USD",
    "usd": "USD",
    "c$": "CAD",
    "ca$": "CAD",
    "cad": "CAD",
    "a$": "AUD",
    "au$": "AUD",
    "aud": "AUD",
    "nz$": "NZD",
    "nzd": "NZD",
    "hk$": "HKD",
    "hkd": "HKD",
    "s$": "SGD",
    "sgd": "SGD",
    "r$": "BRL",
    "brl": "BRL",
    "£": "GBP",
    "gbp": "GBP",
    "€": "EUR",
    "eur": "EUR",
    "₹": "INR",
    "inr": "INR",
    "rs": "INR",
    "¥": "JPY",
    "jpy": "JPY",
    "cny": "CNY",
    "rmb": "CNY",
    "₩": "KRW",
    "krw": "KRW",
    "chf": "CHF",
    "zł": "PLN",
    "pln": "PLN",
    "sek": "SEK",
    "nok": "NOK",
    "dkk": "DKK",
    "czk": "CZK",
    "huf": "HUF",
    "zar": "ZAR",
    "mxn": "MXN",
    "aed": "AED",
    "ils": "ILS",
    "₪": "ILS",
    "₺": "TRY",
    "pounds": "GBP",
    "pound": "GBP",
    "sterling": "GBP",
    "euro": "EUR",
    "euros": "EUR",
    "dollars": "$",
    "dollar": "$",
    "rupees": "INR",
    "$": "$",
}
_DOLLAR_CURRENCIES = frozenset({"USD", "CAD", "AUD", "NZD", "SGD", "HKD", "MXN", "TWD"})
_CURRENCY_RE = re.compile(
    r"(?:(?<![a-z])(?:us|ca|au|nz|hk|c|a|s|r)\$|\$|£|€|₹|¥|₩|₪|₺|zł"
    r"|(?<![a-z])(?:usd|cad|aud|nzd|hkd|sgd|brl|gbp|eur|inr|rs|jpy|cny|rmb|krw|chf|pln|sek|nok|dkk|czk|huf|zar|mxn|"
    r"aed|ils|pounds?|sterling|euros?|dollars?|rupees)(?![a-z]))",
    re.IGNORECASE,
)

# An amount: optional currency, the number (1,234.56 · 1.234,56 · 40 000 · 45.5), optional multiplier.
_NUMBER = (
    r"\d{1,2}(?:,\d{2})+,\d{3}(?:\.\d+)?(?![\d,])"  # Indian lakh grouping: 8,00,000 / 1,20,00,000
    r"|\d{1,3}(?:,\d{3})+(?:\.\d+)?"  # 120,000 / 120,000.00
    r"|\d{1,3}(?:\.\d{3})+(?:,\d{1,2})?(?![\d.])"  # 40.000 / 40.000,00 (a salary never has 3 decimals)
    r"|\d{1,3}(?:[ '\u2019\u00a0\u202f\u2009]\d{3})+(?![\d.,])"  # 40 000 / Swiss 120'000
    r"|\d+,\d{1,2}(?![\d,])"  # decimal comma: 12,50
    r"|\d+(?:\.\d+)?"
)
_AMOUNT_RE = re.compile(
    rf"(?:(?P<cur>{_CURRENCY_RE.pattern})\s?|(?<![\w.,]))(?P<num>{_NUMBER})"
    r"(?:\s?(?P<mult>k(?![a-z])|m(?![a-z])|mn\b|mil\b|million\b|thousand\b))?"
    r"(?P<pct>\s?%)?",
    re.IGNORECASE,
)
# Between the two ends of a range: a dash, "to", "and", optionally after the first end's own period
# or currency ("7 per hour to 8.50 per hour", "17.00ph to 27.20ph", "€2095 - €2295").
_RANGE_GAP_RE = re.compile(
    rf"\s*(?:{_PERIOD_RE.pattern})?\s*(?:{_CURRENCY_RE.pattern})?\s*(?:-+|\u2013|\u2014|~|\bto\b|\band\b|\buntil\b)\s*",
    re.IGNORECASE,
)
_UP_TO_RE = re.compile(
    r"(?:\bup\s?to|\bupto|\bto|\bmax(?:imum)?|\bunder|\bbelow|\bless than|\bnot exceeding)\W*$", re.I
)
_AT_LEAST_RE = re.compile(
    r"(?:\bfrom|\bmin(?:imum)?|\bat least|\bstarting(?: at| from)?|\bstarts? at|\bover)\W*$", re.I
)
_OR_MORE_RE = re.compile(r"\s*\+\s*(?:$|[)\]])|\s*(?:or more|and above|plus)\W*$", re.IGNORECASE)  # "$120,000+"
_ESTIMATE_RE = re.compile(r"\best\b\.?|\bestimated?\b", re.IGNORECASE)
_MULTIPLIERS = {"k": 1000, "thousand": 1000, "m": 1_000_000, "mn": 1_000_000, "mil": 1_000_000, "million": 1_000_000}


@dataclasses.dataclass(slots=True)
class _Amount:
    number: Decimal  # as written, without the multiplier
    factor: int  # 1000 for "k", 1 without a multiplier
    start: int
    end: int
    currency: str

    @property
    def value(self) -> Decimal:
        return self.number * self.factor

    @property
    def mult(self) -> bool:
        return self.factor != 1


def _to_number(raw: str) -> Decimal | None:
    for separator in ("\u00a0", "\u202f", "\u2009", "'", "\u2019"):
        raw = raw.replace(separator, " ")
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+(?:,\d{1,2})?", raw):  # European 40.000,00
        raw = raw.replace(".", "").replace(",", ".")
    elif re.fullmatch(r"\d+,\d{1,2}", raw):  # European decimal comma
        raw = raw.replace(",", ".")
    else:
        raw = raw.replace(",", "").replace(" ", "")
    try:
        return Decimal(raw)
    except InvalidOperation:
        return None


def _amounts(text: str) -> list[_Amount]:
    found = []
    for match in _AMOUNT_RE.finditer(text):
        if match["pct"]:
            continue
        value = _to_number(match["num"])
        if value is None:
            continue
        mult = (match["mult"] or "").casefold()
        found.append(_Amount(value, _MULTIPLIERS.get(mult, 1), match.start(), match.end(), match["cur"] or ""))
    return found


def _currency(token: str, country: str) -> str:
    code = _CURRENCY_TOKENS.get(token.casefold().replace(" ", ""), "")
    if code == "$":
        local = currency_for_country(country)
        return local if local in _DOLLAR_CURRENCIES else "USD"
    if code == "JPY" and country == "CN":
        return "CNY"
    return code


def _period_at(text: str, start: int, end: int) -> str:
    """The first period written in text[start:end], or ""."""
    match = _PERIOD_RE.search(text, start, end)
    if not match:
        return ""
    return next(name for name, value in match.groupdict().items() if value)


def parse_salary(text: str | None, *, country: str | None = None) -> SalaryParse | None:
    """Read a salary from free text, or None when it holds none. Never raises.

    Reads ranges and single amounts with their currency, multiplier and period: "$120k-$150k" (any dash),
    "£40,000 - £45,000 per annum", "$17-$24 Per Hour(Glassdoor est.)", "Employer Provided Salary:$90K-$124K",
    "£25 - £30/hour", "$45/hr", "€2095 - €2295 per month", "20000 - 25000/annum", "30-45000" (30,000 to 45,000),
    "20 - 25k" (k applies to both ends). "up to £35k" has only a max, "$120,000+" and "from 7.00" only a min;
    a single amount is both min and max. The first money-like amount counts (one with a currency, a k, a
    period or at least 1,000), so "OTE", bonus and tips figures after it are ignored.

    Period: the one written after the amounts (before the next amount) — per hour/day/week/month/year,
    "/hr", "ph", "p.a.", "pa", "per annum", "a year", "pcm", "Hourly", "Annual" — else one written before
    them, else year when a k is used or the amount is at least 1,000; a bare small number ("12") is too
    ambiguous and gives None. Currency: the symbol or code in the text ("$" is the country's dollar when it
    has one, else USD), else the country's currency (`country` is a name or code), else "".
    "Negotiable", "Competitive", "", "-1", "0" and None give None; zero amounts count as missing.
    """
    try:
        return _parse_salary(text, country_code(country))
    except Exception:  # a parser bug must not stop an import; it is logged to be fixed
        logger.warning("parse_salary failed on %r", text, exc_info=True)
        return None


def _parse_salary(text: str | None, country: str) -> SalaryParse | None:
    if text is None:
        return None
    text = " ".join(str(text).replace("\u2212", "-").split())
    if not text or not any(ch.isdigit() for ch in text):
        return None
    amounts = _amounts(text)
    if not amounts:
        return None

    # Group amounts into ranges: an amount, then a connector, then another amount.
    ranges: list[tuple[int, int]] = []  # (index of the first amount, index of the last)
    i = 0
    while i < len(amounts):
        j = i
        if i + 1 < len(amounts) and _RANGE_GAP_RE.fullmatch(text, amounts[i].end, amounts[i + 1].start):
            j = i + 1
        ranges.append((i, j))
        i = j + 1

    def next_start(j: int) -> int:
        return amounts[j + 1].start if j + 1 < len(amounts) else len(text)

    def money_like(i: int, j: int) -> bool:
        parts = amounts[i : j + 1]
        return any(a.currency or a.mult or a.value >= 1000 for a in parts) or bool(
            _period_at(text, amounts[i].end, next_start(j))
        )

    first, last = next(((i, j) for i, j in ranges if money_like(i, j)), ranges[0])
    low_amount, high_amount = amounts[first], amounts[last]
    low, high = low_amount.value, high_amount.value
    if first != last:
        # "20 - 25k": the multiplier of the second end applies to the first too.
        if high_amount.mult and not low_amount.mult and low < high_amount.number:
            low *= high_amount.factor
        # "30-45000" and "21 - 23,000": thousands left off the first end.
        elif low < 1000 <= high and high / 1000 <= low * 10 and low * 1000 <= high:
            low *= 1000
    else:
        before = text[: low_amount.start]
        after = text[low_amount.end :]
        if _UP_TO_RE.search(before):
            low, high = Decimal(0), low
        elif _AT_LEAST_RE.search(before) or _OR_MORE_RE.match(after):
            high = Decimal(0)

    period = (
        _period_at(text, high_amount.end, next_start(last))
        or _period_at(text, low_amount.end, high_amount.start)
        or _period_at(text, amounts[first - 1].end if first else 0, low_amount.start)
    )
    min_value = low if low > 0 else None
    max_value = high if high > 0 else None
    if min_value is None and max_value is None:
        return None
    if min_value is not None and max_value is not None and min_value > max_value:
        min_value, max_value = max_value, min_value
    if min_value is not None and max_value is not None and max_value > min_value * 20:
        # No real range spans 20x: one end is a typo ("25,000 to 28,00"); keep the larger as the figure.
        min_value = max_value
    biggest = max(v for v in (min_value, max_value) if v is not None)
    if biggest >= _MAX_AMOUNT:
        return None
    if not period:
        if low_amount.mult or high_amount.mult or biggest >= 1000:
            period = SalaryPeriod.YEAR
        else:
            return None

    currency = ""
    for amount in (low_amount, high_amount):
        if amount.currency:
            currency = _currency(amount.currency, country)
            break
    if not currency:
        match = _CURRENCY_RE.search(text)
        currency = _currency(match.group(0), country) if match else currency_for_country(country)

    min_value = min_value.quantize(_CENT) if min_value is not None else None
    max_value = max_value.quantize(_CENT) if max_value is not None else None
    if not plausible_annual(annualize(biggest, period)):
        return None
    return SalaryParse(
        min=min_value,
        max=max_value,
        currency=currency,
        period=str(period),
        annual_min=annualize(min_value, period),
        annual_max=annualize(max_value, period),
        estimated=bool(_ESTIMATE_RE.search(text)),
    )


def plausible_annual(amount: Decimal | None) -> bool:
    """Whether a yearly amount is one a job could pay (below a billion); garbage above it would also
    overflow the salary columns."""
    return amount is None or amount < _MAX_AMOUNT


def to_decimal(value: object) -> Decimal | None:
    """A money amount from a source's number field (int, float, Decimal or a string like "85,389.50") as a
    Decimal, or None when it is missing, not a number, not finite, zero or negative. Floats go through
    their shortest repr, so 119025.7 stays 119025.7."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, float):
        value = repr(value)
    try:
        number = Decimal(str(value).replace(",", "").strip())
    except InvalidOperation:
        return None
    if not number.is_finite() or number <= 0 or number >= _MAX_AMOUNT:
        return None
    return number.quantize(_CENT)
