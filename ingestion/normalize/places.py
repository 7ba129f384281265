"""Countries, currencies and locations."""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Sequence

import pycountry

from jobs.rules import currency_of_country

# Names people write that ISO 3166 does not list (or lists under another name); keys are
# casefolded with dots removed.
_COUNTRY_ALIASES = {
    "uk": "GB",
    "u k": "GB",
    "great britain": "GB",
    "britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
    "us": "US",
    "usa": "US",
    "u s": "US",
    "u s a": "US",
    "america": "US",
    "united states of america": "US",
    "russia": "RU",
    "turkey": "TR",
    "south korea": "KR",
    "korea": "KR",
    "deutschland": "DE",
    "holland": "NL",
    "the netherlands": "NL",
    "ivory coast": "CI",
    "uae": "AE",
    "u a e": "AE",
    "macau": "MO",
    "brunei": "BN",
    "cape verde": "CV",
    "palestine": "PS",
    "vatican": "VA",
    "vatican city": "VA",
    "micronesia": "FM",
    "czech republic": "CZ",
    "the bahamas": "BS",
    "dr congo": "CD",
    "democratic republic of the congo": "CD",
}
# Codes that are not ISO 3166 but mean a country (the UK's own code, and Adzuna's "uk").
_CODE_ALIASES = {"UK": "GB", "EL": "GR"}


@dataclasses.dataclass(frozen=True, slots=True)
class LocationParts:
    """A location split into parts; each is "" when unknown. `country` is ISO 3166-1 alpha-2."""

    city: str = ""
    region: str = ""
    country: str = ""


def country_code(name_or_code: object) -> str:
    """ISO 3166-1 alpha-2 code (upper case) for a country name, alpha-2 or alpha-3 code, or "".

    Knows the common informal names too: "UK", "England", "USA", "U.S.", "South Korea", "Russia"…
    ("UK" is GB). Anything that is not a country gives "".
    """
    if not name_or_code or not isinstance(name_or_code, str):
        return ""
    return _country_code(name_or_code)


@functools.lru_cache(maxsize=4096)
def _country_code(name_or_code: str) -> str:
    text = " ".join(name_or_code.split())
    if not text:
        return ""
    if text.upper() in _CODE_ALIASES:
        return _CODE_ALIASES[text.upper()]
    key = re.sub(r"[.\s]+", " ", text.casefold()).strip()
    if key in _COUNTRY_ALIASES:
        return _COUNTRY_ALIASES[key]
    try:
        return pycountry.countries.lookup(text).alpha_2
    except LookupError:
        return ""


def currency_for_country(code: object) -> str:
    """ISO 4217 code of a country's currency (``"GB"`` → ``"GBP"``), or "" when not known.

    Accepts anything `country_code` does.
    """
    return currency_of_country(country_code(code))


@functools.cache
def _subdivisions(country: str) -> dict[str, str]:
    """{casefolded code or name: as written} for a country's top-level subdivisions (states, provinces)."""
    index: dict[str, str] = {}
    for sub in pycountry.subdivisions.get(country_code=country) or ():
        if getattr(sub, "parent_code", None):
            continue
        short = sub.code.split("-", 1)[1]
        index[short.casefold()] = short
        index[sub.name.casefold()] = sub.name
    return index


def _is_subdivision(part: str, country: str) -> bool:
    return bool(country) and part.casefold() in _subdivisions(country)


def _alpha3_country(code: str) -> str:
    """The alpha-2 code of an exact ISO 3166-1 alpha-3 code ("USA" → "US"), else "" ("NYC", "THE")."""
    country = pycountry.countries.get(alpha_3=code)
    return country.alpha_2 if country else ""


def _split_alpha3_first(rest: str, country: str) -> LocationParts:
    """ "DC Washington" or "Wiesbaden - Wiesbaden Army Airfield (APC180)" after an alpha-3 country."""
    head = _PART_SEPARATORS_RE.split(_NOT_A_PLACE_RE.sub(" ", rest).strip())[0]
    region, _, city = head.partition(" ")
    if not (city and region.isupper() and _is_subdivision(region, country)):
        region, city = "", head
    return LocationParts(city=" ".join(city.split()), region=region, country=country)


def _is_us_state_code(part: str) -> bool:
    return len(part) == 2 and part.isupper() and _is_subdivision(part, "US")


# States that share their name with their big city: alone, the name means the city.
_CITY_NAMED_REGIONS = frozenset(
    {
        "new york",
        "berlin",
        "hamburg",
        "bremen",
        "wien",
        "vienna",
        "rio de janeiro",
        "são paulo",
        "sao paulo",
        "tokyo",
        "osaka",
        "kyoto",
        "mexico city",
        "ciudad de méxico",
        "delhi",
        "singapore",
        "luxembourg",
        "geneva",
        "genève",
        "zürich",
        "zurich",
        "basel-stadt",
    }
)

# Cities that job boards write alone ("London", "Hybrid - London", "Stockholm") and that, alone, mean one
# country: the big hubs of the boards we read. Only used when neither the text nor the source names a
# country; "London, ON" and a source's country hint still win.
_CITY_COUNTRIES = {
    "london": "GB",
    "manchester": "GB",
    "edinburgh": "GB",
    "glasgow": "GB",
    "dublin": "IE",
    "paris": "FR",
    "berlin": "DE",
    "munich": "DE",
    "münchen": "DE",
    "hamburg": "DE",
    "frankfurt": "DE",
    "amsterdam": "NL",
    "stockholm": "SE",
    "copenhagen": "DK",
    "oslo": "NO",
    "helsinki": "FI",
    "zurich": "CH",
    "zürich": "CH",
    "madrid": "ES",
    "barcelona": "ES",
    "lisbon": "PT",
    "milan": "IT",
    "warsaw": "PL",
    "prague": "CZ",
    "vienna": "AT",
    "wien": "AT",
    "tel aviv": "IL",
    "bangalore": "IN",
    "bengaluru": "IN",
    "tokyo": "JP",
    "seoul": "KR",
    "sydney": "AU",
    "melbourne": "AU",
    "toronto": "CA",
    "vancouver": "CA",
    "montreal": "CA",
    "new york": "US",
    "new york city": "US",
    "nyc": "US",
    "san francisco": "US",
    "seattle": "US",
    "são paulo": "BR",
    "sao paulo": "BR",
    "mexico city": "MX",
    "singapore": "SG",
}

# Words that say how, not where: "Remote - US", "New York, NY (HQ)", "Remote-Friendly, United States".
_NOT_A_PLACE_RE = re.compile(
    r"\b(?:remote[- ]friendly|fully remote|remote|hybrid|on[- ]?site|in[- ]office|work from home|wfh|"
    r"anywhere|worldwide|global|hq|headquarters|multiple locations|various locations)\b",
    re.IGNORECASE,
)
_LOCATION_SEPARATORS_RE = re.compile(r"\s*(?:\||;|\n|\s/\s|\bor\b)\s*", re.IGNORECASE)
_DASH = r"[-\u2013\u2014]"
_PART_SEPARATORS_RE = re.compile(rf"\s*,\s*|\s+{_DASH}\s+|\s*[()]\s*|^\s*{_DASH}\s*|\s*{_DASH}\s*$")
# Workday boards often start a place with the ISO alpha-3 country, then a state code and the city
# ("USA DC Washington", "USA NC Fort Bragg") or the city and a site ("DEU Wiesbaden - Wiesbaden Army Airfield").
_ALPHA3_FIRST_RE = re.compile(r"^(?P<code>[A-Z]{3}) (?P<rest>\S.*)$")


def split_location(text: str | Sequence[str] | None, *, country: object = None) -> LocationParts:
    """Split a location as a source writes it into city, region and ISO-2 country.

    `text` is either a string or a list from the country down (Adzuna's ``location.area``:
    ``["UK", "London", "Central London"]`` gives country GB, region "London", city "Central London";
    with two items the second is the region and the city stays empty; the last item is the city).
    `country` (a name or code) is a hint: it decides ambiguous codes ("Toronto, ON" with "CA") and fills
    the country when the text has none; a country written in the text wins.

    Strings: only the first of several locations counts ("San Francisco, CA | New York, NY"); words that
    say how rather than where (Remote, Hybrid, HQ…) are dropped ("Remote - US" is just the country US).
    A country is looked for at the end, then at the start ("United States, Washington, Redmond").
    Without a country hint, two upper-case letters after a city are a US state when they are one
    ("San Francisco, CA" is California, not Canada; pass ``country="DE"`` for "Berlin, DE"). Of what is
    left, the first part is the city and the last the region; a single part that is a state or province
    of the country is the region ("Ontario, CAN"), unless it is named like its city ("Berlin", "New York"),
    otherwise the city. Parts keep their spelling (no "CA" → "California"). With no country at all, a
    big city that alone means one country gives it ("Hybrid - London" is GB, "Stockholm" SE).
    """
    hint = country_code(country)
    if not text:
        return LocationParts(country=hint)
    if isinstance(text, (list, tuple)):
        return _split_area([str(item).strip() for item in text if item and str(item).strip()], hint)
    return _split_text(str(text), hint)


@functools.lru_cache(maxsize=8192)  # a source repeats the same few hundred locations
def _split_text(text: str, hint: str) -> LocationParts:
    first = next((piece for piece in _LOCATION_SEPARATORS_RE.split(text) if piece and piece.strip()), "")
    if (match := _ALPHA3_FIRST_RE.match(first.strip())) and (code := _alpha3_country(match["code"])):
        return _split_alpha3_first(match["rest"], code)
    parts = [p.strip(" .") for p in _PART_SEPARATORS_RE.split(_NOT_A_PLACE_RE.sub(" ", first))]
    parts = [" ".join(p.split()) for p in parts if p and p.strip(" .-\u2013\u2014")]
    if not parts:
        return LocationParts(country=hint)

    found = ""
    last = parts[-1]
    if hint and len(parts) > 1 and _is_subdivision(last, hint):
        found = hint  # "Toronto, ON" with country CA: ON is the province, not a country
    elif not hint and len(parts) > 1 and (_is_us_state_code(last) or last.casefold() == "georgia"):
        found = "US"  # "Atlanta, Georgia" and "Wilmington, DE" are US states, as US sites write them
    elif code := country_code(last):
        found = code
        parts.pop()
    elif len(parts) > 1 and (code := country_code(parts[0])):
        found = code  # "United States, Washington, Redmond": country first, then the region, then the city
        parts = parts[1:][::-1]
    if not found and len(parts) > 1:
        # No country written: a state or province code tells it ("Toronto, ON").
        # (The last part is known not to be a country here, so "NL" or "SK" never get this far.)
        for candidate in ("US", "CA", "AU"):
            if _is_subdivision(parts[-1], candidate):
                found = candidate
                break
    result_country = found or hint or _CITY_COUNTRIES.get(parts[0].casefold(), "")
    if not parts:
        return LocationParts(country=result_country)
    if len(parts) == 1:
        if (
            result_country
            and _is_subdivision(parts[0], result_country)
            and parts[0].casefold() not in _CITY_NAMED_REGIONS
        ):
            return LocationParts(region=parts[0], country=result_country)
        return LocationParts(city=parts[0], country=result_country)
    return LocationParts(city=parts[0], region=parts[-1], country=result_country)


def _split_area(area: list[str], hint: str) -> LocationParts:
    if not area:
        return LocationParts(country=hint)
    code = country_code(area[0])
    rest = area[1:] if code else area
    region = rest[0] if rest else ""
    city = rest[-1] if len(rest) > 1 else ""
    return LocationParts(city=city, region=region, country=code or hint)
