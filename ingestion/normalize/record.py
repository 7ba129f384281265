"""build_job_data: a source's raw fields in, one normalized JobData out."""

from __future__ import annotations

import functools
import logging
import math
import re
from collections.abc import Sequence

from gigm8.lib.html import sanitize_html
from gigm8.lib.text import clean_line
from jobs.choices import EmploymentType, GeoPrecision, JobLevel, Remote, SalaryPeriod, SalarySource
from jobs.rules import clean_company_name
from jobs.types import JobData
from skills.extract import extract_skills
from skills.occupations import classify_title

from .classify import detect_employment_type, detect_job_level, detect_remote, is_internship
from .geocode import geocode
from .places import LocationParts, country_code, currency_for_country, split_location
from .salary import (
    _CURRENCY_TOKENS,
    annualize,
    normalize_period,
    parse_salary,
    plausible_annual,
    salary_from_description,
    to_decimal,
)
from .text import (
    clean_text,
    html_to_text,
    looks_like_html,
    parse_datetime,
    strip_control,
    unescape_html,
)

logger = logging.getLogger(__name__)


class InvalidPosting(ValueError):
    """A posting that cannot become a job (no title, no id). `reason` is short, for the SyncLog."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _max_lengths() -> dict[str, int]:
    """Column widths of Job (jobs.models.column_widths: read from the models in one place)."""
    from jobs.models import column_widths  # imported late: this module must import before Django's apps are ready

    return column_widths()


def _truncate(text: str, field: str) -> str:
    """`text` cut to the column's width, at a word boundary when one is near, with an ellipsis."""
    limit = _max_lengths().get(field)
    if not limit or len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit * 0.8:
        cut = cut[:space]
    return cut.rstrip(" ,;:-") + "…"


def _coordinate(value: object, bound: float) -> float | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    if not math.isfinite(number) or abs(number) > bound:
        return None
    return number


def _truthy(value: object) -> bool:
    if isinstance(value, str):
        return value.strip().casefold() in {"1", "true", "yes", "y", "t"}
    return bool(value)


def _currency_code(value: object) -> str:
    """An ISO 4217 code from a source's currency field ("usd", "GBP", "£"), or ""."""
    if not value:
        return ""
    text = str(value).strip()
    mapped = _CURRENCY_TOKENS.get(text.casefold(), "")
    if mapped and mapped != "$":
        return mapped
    if len(text) == 3 and text.isalpha():
        return text.upper()
    return "USD" if mapped == "$" else ""


def build_job_data(
    *,
    source: str,
    external_id: object,
    title: str | None,
    company_name: str | None = "",
    description: str | None = "",
    description_html: str | None = "",
    location: str | None = "",
    country: str | None = None,
    latitude: object = None,
    longitude: object = None,
    remote: object = None,
    remote_locations: Sequence[str | None] | None = None,
    employment_type: str | Sequence[str | None] | None = None,
    salary_text: str | None = None,
    salary_min: object = None,
    salary_max: object = None,
    salary_currency: str | None = None,
    salary_period: str | None = None,
    salary_is_predicted: object = False,
    category: str | None = "",
    skills: Sequence[str] | str | None = None,
    apply_url: str | None = "",
    posted_at: object = None,
    expires_at: object = None,
    location_area: Sequence[str] | None = None,
    split_place: bool = True,
    city: str | None = None,
    region: str | None = None,
    board: str | None = "",
) -> JobData:
    """THE one place that turns a source's raw fields into a ``jobs.types.JobData``.

    Every source (the Adzuna client, the spiders, ``import_jobs``) calls this and hands the result to the
    upsert. Raises `InvalidPosting` with a short reason ("missing title", "missing external id",
    "missing source") when the posting cannot become a job; everything else that cannot be read is left
    empty rather than failing the posting.

    What it does:
    - text: title, company, location and category are cleaned to one line (entities decoded) and cut to
      the model's column widths (title at a word boundary, with "…"); the company display name drops a
      Glassdoor rating line. `description` is kept as plain text; when it is really HTML, or only
      `description_html` is given, the plain text is built with `html_to_text`. Entity-escaped HTML
      (Greenhouse ``content``) is stored unescaped in `description_html`, which is sanitized
      (``gigm8.lib.html.sanitize_html``: an allow-list of text markup, no scripts, handlers or
      ``javascript:`` links) so a frontend may render it as HTML.
    - place: `split_location` on `location` (or on `location_area`, Adzuna's ``location.area`` list);
      explicit `city`/`region` (a structured postal address) win over the split; `country` (a name or
      code, e.g. Adzuna's search country or Lever's ``country``) fills or decides the country. With
      `split_place` False, `location` is only shown, never read as a place (Remotive's "USA, Canada" says
      where a remote job's applicants may live; USAJobs' "Multiple Locations"): city, region and country
      are the explicit ones.
      Latitude/longitude pass through when both are numbers in range (geo_precision "point"); otherwise
      `geocode` places the city, region or country offline (geo_precision "city", "region", "country";
      a remote job gets its country's centre or nothing).
    - remote: `detect_remote` weighs the evidence, most specific first: a listed place that is remote
      (`location` and `remote_locations`, the other places a source lists: Greenhouse offices, Ashby
      secondary locations, Lever allLocations), then `remote`, the source's explicit field (bool,
      "onsite"/"hybrid"/"remote"/"OnSite", or a list of such values read in order), then a place or the
      title saying hybrid/remote, then work-arrangement phrases in the description; default onsite.
    - occupation: `detect_occupation` reads the title's O*NET-SOC code and its confidence (the
      description's first lines when the title is vague: "Consultant"), "" and None when none.
    - type/level/internship: `employment_type` is one value or a list (Adzuna: contract_time,
      contract_type); `is_internship` looks at the title, the type and the description; an internship
      always has employment type INTERN (and entry level when the title names no level).
    - salary, with provenance: `salary_min`/`salary_max` from the source first (numbers or numeric
      strings; `salary_period` defaults to year, as Adzuna's are annual; `salary_currency` defaults to the
      country's; min > max is swapped; min == max is a point value) — provenance "predicted" when
      `salary_is_predicted` is truthy (Adzuna's "1"), else "structured". Otherwise `salary_text` is parsed
      (`parse_salary`; provenance "parsed"; a text estimate such as "Glassdoor est." sets
      salary_is_predicted). Otherwise the pay the description states, read by `salary_from_description`
      (salary_source "description"). Otherwise no salary. Annualized min/max are filled for the filters.
    - skills: cleaned and de-duplicated when given (a list, or one string separated by commas, semicolons
      or pipes, as a CSV cell holds them); when None, ``skills.extract_skills`` is run on
      the description, with the title passed apart (its context rules read a title as a title).
    - `board` (the feed inside the source whose completeness decides expiry) passes through.
    - apply_url is kept only when it is an absolute http(s) URL; dates go through `parse_datetime`.
    """
    source = clean_line(source).casefold()
    if not source:
        raise InvalidPosting("missing source")
    external = clean_line(str(external_id)) if external_id is not None else ""
    if not external:
        raise InvalidPosting("missing external id")
    if len(external) > _max_lengths().get("external_id", 255):
        raise InvalidPosting("external id too long")
    title_text = clean_line(title)
    if not title_text:
        raise InvalidPosting("missing title")

    html_source = unescape_html(strip_control(description_html))
    plain = description or ""
    if plain and looks_like_html(plain):
        html_source = html_source or unescape_html(plain)
        plain = html_to_text(plain)
    else:
        plain = clean_text(plain)
    if not plain and html_source:
        plain = html_to_text(html_source)
    # After the plain text is read: stored and served, the HTML keeps only the allow-list.
    html_source = sanitize_html(html_source)

    # Place.
    location_text = clean_line(location)
    if not location_text and location_area:
        location_text = ", ".join(str(part).strip() for part in reversed(location_area) if part)
    if split_place:
        parts = split_location(location_area if location_area else location_text, country=country)
    else:
        parts = LocationParts()
    hint = country_code(country)
    country_iso = parts.country or hint
    city_text = clean_line(city) or parts.city
    region_text = clean_line(region) or parts.region

    remote_value = detect_remote(
        text=plain,
        explicit=remote,
        title=title_text,
        locations=[location_text, *(clean_line(place) for place in remote_locations or ())],
    )

    # Type, internship, level.
    type_values = list(employment_type) if isinstance(employment_type, (list, tuple)) else [employment_type]
    employment = detect_employment_type(*type_values, title=title_text)
    internship = employment == EmploymentType.INTERN or is_internship(
        title=title_text, employment_type=type_values, text=plain
    )
    if internship:
        employment = EmploymentType.INTERN
    level = detect_job_level(title_text) or (JobLevel.ENTRY_LEVEL if internship else "")
    occupation_code, occupation_confidence = detect_occupation(title_text, plain)

    # Salary, with where it came from.
    low, high = to_decimal(salary_min), to_decimal(salary_max)
    currency, period, provenance, predicted = "", "", SalarySource.NONE, False
    if low is not None or high is not None:
        if low is not None and high is not None and low > high:
            low, high = high, low
        period = normalize_period(salary_period) or SalaryPeriod.YEAR
        currency = _currency_code(salary_currency) or currency_for_country(country_iso)
        predicted = _truthy(salary_is_predicted)
        provenance = SalarySource.PREDICTED if predicted else SalarySource.STRUCTURED
    elif salary_text:
        parsed = parse_salary(salary_text, country=country_iso or None)
        if parsed is not None:
            low, high, period = parsed.min, parsed.max, parsed.period
            currency = _currency_code(salary_currency) or parsed.currency
            predicted = parsed.estimated
            provenance = SalarySource.PARSED
    if provenance == SalarySource.NONE:
        # Pay-transparency laws put the range into the text ("The base pay range for this role is …").
        stated = salary_from_description(plain, country=country_iso or None)
        if stated is not None:
            low, high, period, currency = stated.min, stated.max, stated.period, stated.currency
            provenance = SalarySource.DESCRIPTION

    # Coordinates: the source's point wins; else the place's, from the gazetteer.
    latitude_value, longitude_value = _coordinate(latitude, 90), _coordinate(longitude, 180)
    precision: str = (
        GeoPrecision.POINT if latitude_value is not None and longitude_value is not None else GeoPrecision.NONE
    )
    if not precision:
        latitude_value = longitude_value = None
        point = geocode(city=city_text, region=region_text, country=country_iso, remote=remote_value == Remote.REMOTE)
        if point is not None:
            latitude_value, longitude_value, precision = point.latitude, point.longitude, point.precision

    annual_min, annual_max = annualize(low, period), annualize(high, period)
    if not (plausible_annual(annual_min) and plausible_annual(annual_max)):
        low = high = annual_min = annual_max = None
        currency, period, provenance, predicted = "", "", SalarySource.NONE, False

    skill_list = _clean_skills(skills) if skills is not None else _extract_skills(plain, title=title_text)

    url = clean_line(apply_url)
    if not url.lower().startswith(("http://", "https://")) or len(url) > _max_lengths().get("apply_url", 2000):
        url = ""

    return JobData(
        source=_truncate(source, "source"),
        external_id=external,
        title=_truncate(title_text, "title"),
        company_name=_truncate(clean_company_name(company_name), "company_name"),
        description=plain,
        description_html=html_source,
        location=_truncate(location_text, "location"),
        city=_truncate(city_text, "city"),
        region=_truncate(region_text, "region"),
        country=country_iso,
        latitude=latitude_value,
        longitude=longitude_value,
        geo_precision=str(precision),
        remote=str(remote_value),
        employment_type=str(employment),
        job_level=str(level),
        is_internship=internship,
        occupation_code=occupation_code,
        occupation_confidence=occupation_confidence,
        salary_min=low,
        salary_max=high,
        salary_currency=currency,
        salary_period=str(period),
        salary_annual_min=annual_min,
        salary_annual_max=annual_max,
        salary_is_predicted=predicted,
        salary_source=str(provenance),
        category=_truncate(clean_line(category), "category"),
        skills=skill_list,
        apply_url=url,
        posted_at=parse_datetime(posted_at),
        expires_at=parse_datetime(expires_at),
        board=_truncate(clean_line(board), "board"),
    )


def detect_occupation(title: str, description: str) -> tuple[str, float | None]:
    """(O*NET-SOC code, confidence) of a posting's title, ("", None) when it names none clearly."""
    try:
        match = classify_title(title, description)
    except Exception:  # the occupation is an extra: a bug there must not drop the posting or stop the run
        logger.exception("occupation classification failed; the posting is kept without one")
        return "", None
    return (match.occupation.code, match.confidence) if match is not None else ("", None)


def _clean_skills(skills: Sequence[str] | str) -> list[str]:
    if isinstance(skills, str):  # a CSV cell: "Python, SQL; Docker"
        skills = re.split(r"[,;|\n]", skills)
    seen: set[str] = set()
    result = []
    for skill in skills:
        name = _skill_name(skill if isinstance(skill, str) else str(skill or ""))
        if name and name.casefold() not in seen:
            seen.add(name.casefold())
            result.append(name)
    return result


@functools.lru_cache(maxsize=8192)  # the same few thousand names (the vocabulary's) again and again
def _skill_name(skill: str) -> str:
    return clean_line(skill)[: _max_lengths().get("skill", 100)]


def _extract_skills(text: str, *, title: str) -> list[str]:
    try:
        return _clean_skills(extract_skills(text, title=title))
    except Exception:  # skills are an extra: a bug there must not drop the posting or stop the run
        logger.exception("skill extraction failed; the posting is kept without skills")
        return []
