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
    r"(?P<hour>[时時]薪|\b(?:per|an?)\s+(?:hour|hr)s?\b|/\s*(?:hour|hr|h)\b|\bhourly\b"
    r"|(?<![a-z])p(?:\.\s?|/)?h(?:r|our)?\b\.?|(?<=\d)\s?(?:hr|h)\b)"
    r"|(?P<day>日薪|\b(?:per|an?)\s+day\b|/\s*(?:day|d)\b|\bdaily\b|\bday\s+rate\b|(?<![a-z])p(?:\.|/)?d\b\.?)"
    r"|(?P<week>[周週]薪|\b(?:per|an?)\s+(?:week|wk)\b|/\s*(?:week|wk|w)\b|\bweekly\b|(?<![a-z])p(?:\.|/)?w\b\.?)"
    r"|(?P<month>月薪|\b(?:per|an?)\s+(?:calendar\s+)?(?:month|mth)\b|/\s*(?:month|mth|mo|m)\b|\bmonthly\b"
    r"|(?<![a-z])p\.?c\.?m\b\.?)"
    r"|(?P<year>年薪|\b(?:per|an?)\s+(?:year|yr|annum)\b|/\s*(?:year|yr|y|annum|a)\b|\b(?:yearly|annual(?:ly)?|annum)\b"
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
    "nt$": "TWD",
    "twd": "TWD",
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
    r"(?:(?<![a-z])(?:us|ca|au|nz|hk|nt|c|a|s|r)\$|\$|£|€|₹|¥|₩|₪|₺|zł"
    r"|(?<![a-z])(?:usd|cad|aud|nzd|hkd|twd|sgd|brl|gbp|eur|inr|rs|jpy|cny|rmb|krw|chf|pln|sek|nok|dkk|czk|huf|zar|mxn|"
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


def _amounts(text: str, start: int = 0, end: int | None = None) -> list[_Amount]:
    found = []
    for match in _AMOUNT_RE.finditer(text, start, len(text) if end is None else end):
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

    ranges = _group_ranges(text, amounts)

    def next_start(j: int) -> int:
        return amounts[j + 1].start if j + 1 < len(amounts) else len(text)

    def money_like(i: int, j: int) -> bool:
        parts = amounts[i : j + 1]
        return any(a.currency or a.mult or a.value >= 1000 for a in parts) or bool(
            _period_at(text, amounts[i].end, next_start(j))
        )

    first, last = next(((i, j) for i, j in ranges if money_like(i, j)), ranges[0])
    currency_match = _CURRENCY_RE.search(text)
    return _read_range(
        text,
        amounts[first],
        amounts[last],
        country=country,
        after_end=next_start(last),
        before_start=amounts[first - 1].end if first else 0,
        fallback_currency=currency_match.group(0) if currency_match else "",
        estimated=bool(_ESTIMATE_RE.search(text)),
    )


def _group_ranges(text: str, amounts: list[_Amount]) -> list[tuple[int, int]]:
    """The amounts grouped into ranges: an amount, then a connector, then another amount. Each range is
    (index of its first amount, index of its last); a lone amount is a range of one."""
    ranges: list[tuple[int, int]] = []
    i = 0
    while i < len(amounts):
        j = i
        if i + 1 < len(amounts) and _RANGE_GAP_RE.fullmatch(text, amounts[i].end, amounts[i + 1].start):
            j = i + 1
        ranges.append((i, j))
        i = j + 1
    return ranges


def _read_range(
    text: str,
    low_amount: _Amount,
    high_amount: _Amount,
    *,
    country: str,
    after_end: int,
    before_start: int,
    fallback_currency: str,
    estimated: bool = False,
    small_period: str = "",
) -> SalaryParse | None:
    """The salary one range of amounts states. The period is the one written after the range (up to
    `after_end`), else between its ends, else before it (from `before_start`); without one, a k or an amount
    of 1,000 or more is yearly and a smaller amount is `small_period` (None when that is "")."""
    low, high = low_amount.value, high_amount.value
    if low_amount is not high_amount:
        # "20 - 25k": the multiplier of the second end applies to the first too.
        if high_amount.mult and not low_amount.mult and low < high_amount.number:
            low *= high_amount.factor
        # "30-45000" and "21 - 23,000": thousands left off the first end.
        elif low < 1000 <= high and high / 1000 <= low * 10 and low * 1000 <= high:
            low *= 1000
    else:
        before = text[before_start : low_amount.start]
        after = text[low_amount.end :]
        if _UP_TO_RE.search(before):
            low, high = Decimal(0), low
        elif _AT_LEAST_RE.search(before) or _OR_MORE_RE.match(after):
            high = Decimal(0)

    period = (
        _period_at(text, high_amount.end, after_end)
        or _period_at(text, low_amount.end, high_amount.start)
        or _period_at(text, before_start, low_amount.start)
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
        elif small_period:
            period = small_period
        else:
            return None

    currency = ""
    for amount in (low_amount, high_amount):
        if amount.currency:
            currency = _currency(amount.currency, country)
            break
    if not currency:
        currency = _currency(fallback_currency, country) if fallback_currency else currency_for_country(country)

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
        estimated=estimated,
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


# ------------------------------------------------------------------------------------ pay in a description

# Pay-transparency laws (Colorado, New York, California, Washington; the EU directive) put the range into
# the description: "The base pay range for this role is $120,000-$150,000 USD". Descriptions also hold
# revenue, funding, bonuses and benefit amounts; a figure counts only in a pay context.
_CURRENCY_MARKS = "$£€¥₹₩₪₺"
_CURRENCY_MARK_RE = re.compile(rf"[{re.escape(_CURRENCY_MARKS)}]")
# Without a currency mark, a number must sit close after a pay word to be worth reading ("Salary 24,500").
_PAY_HINTS = ("salar", "pay", "compensation", "remuneration", "wage", "rate", "stipend", "ote", "earn", "薪")
_DIGIT_RE = re.compile(r"\d")
_HINT_REACH = 45

# The words before an amount that say what it is; the one closest to the amount decides. Groups, best first:
# base (the base salary itself), pay (pay of some kind), total (OTE or a package: pay, but not the base), and
# other (revenue, funding, a bonus, a benefit: not pay). Alternatives that start at the same place are tried in
# order, so "learning stipend" is a benefit before "stipend" is pay.
_CONTEXT_RE = re.compile(
    r"(?P<other>\b(?:(?:learning|education|equipment|home[- ]office|wellness|well-being|wellbeing|internet|phone|"
    r"mobile|commuter|commuting|transit|lunch|meal|gym|fitness|remote[- ]work|wfh|tech(?:nology)?|book|"
    r"development)\s+(?:stipend|allowance|budget)|revenues?|sales|funding|funded|raised?|raising|valuations?|"
    r"valued|worth|invest\w*|capital|series\s+[a-f]|round|assets|aum|spend(?:ing)?|expenditures?|bookings|gmv|"
    r"market|industry|loans?|lent|transactions?|commerce|coverage|bonus(?:es)?|sign[- ]?on|signing|referral|"
    r"401\s?\(?k\)?|match(?:ing)?|tuition|reimburse\w*|relocation|allowances?|budgets?|perks?|membership|hra|"
    r"fsa|hsa|lifetime|insurance|subsid\w*|credits?|discounts?|grants?|equity|stock|rsus?|shares|donat\w*|"
    r"incentives?|prizes?|awards?|fees?|costs?|prices?|savings|profits?|turnover|funds?|mileage|commission|add|contracts?\s+"
    r"(?:worth|value)|projects?|deals?|payments?|paycheck|pence)\b)"
    r"|(?P<total>\b(?:on[- ]target[- ]earnings|ote|package|total|tc)\b)"
    r"|(?P<base>\b(?:base|basic|salary|salaries)\b|[月年時时日周週]薪)"
    r"|(?P<pay>\b(?:pay|paying|paid|compensation|remuneration|wages?|earn(?:s|ing|ings)?|rates?|stipend|"
    r"income|hiring range)\b)",
    re.IGNORECASE,
)
_CONTEXT_SCORES = {"base": 3, "pay": 2, "total": 1}
# What directly follows an amount that makes it something else: "$10,000 sign on bonus", "$24B in coverage",
# "$1500/yr ProDev allowance", "35 years", "401(k)", "$500 per year to spend on…". Up to three words may come
# between (no punctuation), so "$125,000 - $160,000) + discretionary bonus" is still pay.
_AFTER_OTHER_RE = re.compile(
    r"\s?(?:b|bn|billion|trillion|mm|m|mn|million)\b|\s?\(k\)|\s?(?:am|pm)\b|\s?(?:hours?|hr)\s?(?:/\s?)?"
    r"(?:week|wk|day|shift|night|contract)|\s?\+?\s?(?:hours?|hrs|years?|yrs|days?|weeks?|months?|shifts?|nights?|"
    r"employees|people|staff|beds?|bedded|miles?|km|countries|locations|users|customers|clients|members|"
    r"students|times|x|percent|per\s?cent)\b|(?:\s+[A-Za-z][\w-]*){0,3}?\s+(?:in|of)\s+(?:revenue|funding|sales|assets|spend|"
    r"venture|annual|equity)|(?:\s+[A-Za-z/][\w/-]*){0,3}?\s+(?:bonus(?:es)?|allowance|stipend|budget|"
    r"reimbursement|subsidy|credit|perk|spend|to\s+spend|relocation|match|grant|fee|commission|forgiveness|"
    r"funding|round|raise|valuation|revenue|sales|per\s+paycheck)\b",
    re.IGNORECASE,
)
# Pay named right after the amounts: "$85k-$95k Base", "£30k basic", "NT$ 60,000 - 80,000 (月薪)".
_AFTER_PAY_RE = re.compile(r"\W{0,3}(?:(?P<base>base|basic|salary|[月年時时日周週]薪)|(?P<total>ote)\b)", re.I)
_AFTER_CURRENCY_RE = re.compile(rf"\s?(?P<cur>{_CURRENCY_RE.pattern})", re.IGNORECASE)
_MIN_LABEL_RE = re.compile(r"\bmin(?:imum)?\b[^\d\n]{0,30}$", re.IGNORECASE)
_MAX_LABEL_RE = re.compile(r"\W*\bmax(?:imum)?\b[^\d]{0,30}$", re.IGNORECASE)
# "we pay 7.40 weekdays & 8.50 weekends": two rates, each with a word or two after it, read as a range.
_RATE_LIST_GAP_RE = re.compile(r"\s+(?:[A-Za-z]+\s*){1,3}(?:&|and|or|,)\s*", re.IGNORECASE)
_YEAR_NUMBER_RE = re.compile(r"(?:19|20)\d\d")
_NUMBER_BETWEEN_RE = re.compile(r"[\d*]")
_SENTENCE_END_RE = re.compile(r"[.!?;](?:\s|$)|\n\s*\n")
_CONTEXT_CHARS = 80  # how far before an amount its pay word may be
_PERIOD_BEFORE_CHARS = 40  # "Weekly stipend of 3,850 USD", "Pay Type Hourly Min Hiring Rate $18.35"
_AFTER_CHARS = 40
_SMALL_PAY = Decimal(200)  # "Pay is 8": a pay figure this small without a period is an hourly rate


def salary_from_description(text: str | None, *, country: str | None = None) -> SalaryParse | None:
    """The pay a posting's description states, or None. Never raises.

    Reads ranges and single amounts like `parse_salary`, but only in a pay context: the word closest before
    the amount is a pay word (salary, base, basic, pay, compensation, remuneration, wage, rate, earn,
    stipend, income, OTE, package, 月薪…), or pay is named right after it ("$85k-$95k Base"), or a currency
    amount is followed by a period ("$45-$55/hour"), or two currency amounts of at least 10,000 form a range.
    Figures about something else are skipped: revenue, funding, raised, valuation, assets, bonus, sign-on,
    401(k), match, tuition, relocation, allowances and learning/equipment stipends, "$5M"/"$2B", counts of
    hours, years or people. Several pay figures: the base salary beats plain pay, which beats OTE or a
    package ("Total remuneration package valued to $72,969. Package includes salary ($59,636 - $65,827)"
    gives 59,636-65,827), then a range beats a single amount, then the first wins.

    Period: written after the amounts, else between them, else within a few words before ("Weekly stipend of
    3,850 USD"); else yearly for a k or 1,000 and more, hourly for a pay figure under 200 ("Pay is 8"), or
    nothing. Currency: the amount's own mark, else a code right after the range ("$265,000 — $365,000 USD"),
    else the country's (`country` a name or code). `estimated` is always False.
    """
    if not text:
        return None
    try:
        return _salary_from_description(str(text), country_code(country))
    except Exception:  # a parser bug must not stop an import; it is logged to be fixed
        logger.warning("salary_from_description failed", exc_info=True)
        return None


def _salary_from_description(text: str, country: str) -> SalaryParse | None:
    text = text.replace("\u2212", "-").replace("\u00a0", " ")
    if "_" in text:
        text = re.sub(r"(?<=[\dkK])[ \t]*_[ \t]*(?=[$£€\d])", " - ", text)  # "$85k _$95k": a dash typed as _
    # Most descriptions state no pay, and amounts are read only near a currency or a pay word: the amount
    # pattern is costly over a whole ~3 KB description.
    windows = _pay_windows(text)
    if not windows:
        return None
    amounts = [amount for start, end in windows for amount in _amounts(text, start, end)]
    if not amounts:
        return None
    ranges = _group_ranges(text, amounts)
    best: tuple[int, int, int] | None = None  # (score, is a range, -position)
    best_parse: SalaryParse | None = None
    k = 0
    while k < len(ranges):
        first, last = ranges[k]
        k += 1
        low, high = amounts[first], amounts[last]
        clause_start = _clause_start(text, low.start)
        before = text[clause_start : low.start]
        # "Min Hiring Rate $18.35 Max Hiring Rate $22.93": two labelled ends make one range.
        if first == last and k < len(ranges) and ranges[k][0] == ranges[k][1] and _MIN_LABEL_RE.search(before):
            nxt = amounts[ranges[k][0]]
            if nxt.start - high.end <= 40 and _MAX_LABEL_RE.match(text, high.end, nxt.start):
                high, last = nxt, ranges[k][0]
                k += 1
        after_end = _after_end(text, high.end, amounts[last + 1].start if last + 1 < len(amounts) else len(text))
        score = _pay_score(text, before, low, high, after_end)
        if score <= 0:
            continue
        # "we pay 7.40 weekdays & 8.50 weekends"
        if first == last and k < len(ranges) and ranges[k][0] == ranges[k][1]:
            nxt = amounts[ranges[k][0]]
            if (
                _RATE_LIST_GAP_RE.fullmatch(text, high.end, nxt.start)
                and not nxt.mult
                and not high.mult
                and high.value < nxt.value <= high.value * 3
            ):
                high = nxt
                after_end = _after_end(text, high.end, len(text))
        currency_after = _AFTER_CURRENCY_RE.match(text, high.end, after_end)
        parsed = _read_range(
            text,
            low,
            high,
            country=country,
            after_end=after_end,
            before_start=max(clause_start, low.start - _PERIOD_BEFORE_CHARS),
            fallback_currency=currency_after["cur"] if currency_after else "",
            small_period=SalaryPeriod.HOUR if score >= 2 else "",
        )
        if parsed is None:
            continue
        biggest = max(v for v in (parsed.min, parsed.max) if v is not None)
        if parsed.period == SalaryPeriod.HOUR and (biggest >= 1000 or (not low.currency and biggest > _SMALL_PAY)):
            continue  # an hourly word that belongs to something else
        key = (score, int(low is not high), -low.start)
        if best is None or key > best:
            best, best_parse = key, parsed
    return best_parse


def _pay_windows(text: str) -> list[tuple[int, int]]:
    """The stretches of `text` where an amount may be pay, in order and apart: from a little before each
    currency mark ($ £ € …), or each pay word with a digit shortly after it, to `_CONTEXT_CHARS` past it.
    A currency code alone is no anchor ("3,850 USD" is read when a pay word precedes it): searching ~3 KB for
    codes costs more than the rest together. Plain substring tests first; they are C-speed."""
    anchors = []
    if any(mark in text for mark in _CURRENCY_MARKS):
        anchors = [match.start() for match in _CURRENCY_MARK_RE.finditer(text)]
    folded = text.casefold()
    for hint in _PAY_HINTS:
        at = folded.find(hint)
        while at != -1:
            if _DIGIT_RE.search(folded, at, at + _HINT_REACH):
                anchors.append(at)
            at = folded.find(hint, at + len(hint))
    windows: list[tuple[int, int]] = []
    for anchor in sorted(anchors):
        # The number follows its mark or pay word, but a code may come after it ("3,850 USD"): start before.
        start, end = max(0, anchor - 24), anchor + _CONTEXT_CHARS + _HINT_REACH
        while end < len(text) and not text[end].isspace():  # never cut a number in two
            end += 1
        if windows and start <= windows[-1][1]:
            windows[-1] = (windows[-1][0], max(windows[-1][1], end))
        else:
            windows.append((start, end))
    return windows


def _clause_start(text: str, position: int) -> int:
    """Where the sentence holding text[position] starts, at most `_CONTEXT_CHARS` back."""
    start = max(0, position - _CONTEXT_CHARS)
    ends = list(_SENTENCE_END_RE.finditer(text, start, position))
    return ends[-1].end() if ends else start


def _after_end(text: str, end: int, next_amount: int) -> int:
    """How far after a range its period, currency or pay word may be: the sentence's end, the next amount or
    `_AFTER_CHARS`, whichever comes first."""
    limit = min(next_amount, end + _AFTER_CHARS)
    stop = _SENTENCE_END_RE.search(text, end, limit)
    return stop.start() + 1 if stop else limit


def _pay_score(text: str, before: str, low: _Amount, high: _Amount, after_end: int) -> int:
    """How surely the range low..high is this job's pay: 3 base salary, 2 pay, 1 OTE or a package or a bare
    currency range, 0 not pay."""
    for amount in (low, high):
        if amount.value >= _MAX_AMOUNT or (
            not amount.currency and not amount.mult and _YEAR_NUMBER_RE.fullmatch(text, amount.start, amount.end)
        ):
            return 0  # "in 2019": a year
    if _AFTER_OTHER_RE.match(text, high.end, after_end) or _AFTER_OTHER_RE.match(text, low.end, high.start):
        return 0
    if any(a.mult and a.factor >= 1_000_000 for a in (low, high)):
        return 0  # "$5M funding round"
    if low.number == 401 and low.mult:
        return 0  # "401k"
    closest = None
    for closest in _CONTEXT_RE.finditer(before):  # noqa: B007 - the last match is the closest word
        pass
    if closest is not None and closest.lastgroup == "other":
        return 0
    if closest is not None and _NUMBER_BETWEEN_RE.search(before, closest.end()):
        # "a salary of **** (based on working 3 shifts": the pay word belongs to an earlier (here masked) figure.
        closest = None
    score = _CONTEXT_SCORES[closest.lastgroup] if closest is not None and closest.lastgroup else 0
    named_after = _AFTER_PAY_RE.match(text, high.end, after_end)
    if named_after and named_after.lastgroup:
        score = max(score, _CONTEXT_SCORES[named_after.lastgroup])
    if score:
        return score
    has_currency = bool(low.currency or high.currency or _AFTER_CURRENCY_RE.match(text, high.end, after_end))
    if has_currency and _period_at(text, high.end, after_end):
        return 2  # "$45-$55/hour"
    if low is not high and low.currency and high.currency and min(low.value, high.value) >= 10_000:
        return 1  # "$100,000- $75,000" alone on a line under the title
    return 0
