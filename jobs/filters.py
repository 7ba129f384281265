"""JobFilterSet: the one filter set over jobs, used by the listing API and the match endpoints.

Use it anywhere, not only in a viewset:

    filterset = JobFilterSet(request.GET, queryset=job_list_public(), request=request)
    if not filterset.is_valid():
        ...  # filterset.errors: {"remote": ["'moon' is not one of onsite, hybrid, remote, true, false."]}
    jobs = filterset.qs  # filtered, annotated with sort_key (and relevance / distance_km) and ordered

Multi-valued filters take repeated parameters or commas (`remote=remote&remote=hybrid` or
`remote=remote,hybrid`); values within one filter are ORed, filters are ANDed.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import django_filters
from django import forms
from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db.models import BooleanField, F, FloatField, Func, Q, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import ASin, Cast, Coalesce, Cos, Least, Power, Radians, Sin, Sqrt
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from jobs.choices import EmploymentType, GeoPrecision, JobLevel, JobStatus, Remote
from jobs.models import GEO_CELLS_PER_DEGREE, SEARCH_CONFIG, Company, EarthPoint, Job, geo_cell
from jobs.selectors import (
    POSTED_NEWEST_FIRST,
    POSTED_OLDEST_FIRST,
    SALARY_BOTTOM,
    SALARY_TOP,
    company_filter_with_open_jobs,
)
from skills.occupations import major_groups, occupation

EARTH_RADIUS_KM = 6371.0088  # mean radius (IUGG)
KM_PER_MILE = 1.609344
DEFAULT_RADIUS_KM = 50.0
NOT_NEAR_PRECISIONS = (GeoPrecision.REGION, GeoPrecision.COUNTRY)
MAX_RADIUS_KM = 20000.0
KM_PER_DEGREE = math.pi * EARTH_RADIUS_KM / 180
MAX_TEXT = 200
MAX_VALUES = 50
_TOKEN = re.compile(r"^[a-z0-9][a-z0-9_.:-]*$")
_SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")


# --- Fields: parse one parameter, or say exactly what was wrong with it ----------------------


class ListWidget(forms.TextInput):
    """A list from repeated parameters and/or commas: ?a=x&a=y,z -> [x, y, z] (order kept, no repeats)."""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> list[str]:
        raw = data.getlist(name) if hasattr(data, "getlist") else data.get(name)
        if raw is None:
            return []
        if isinstance(raw, str):
            raw = [raw]
        values: list[str] = []
        for item in raw:
            for part in str(item).split(","):
                part = part.strip()
                if part and part not in values:
                    values.append(part)
        return values


class ListField(forms.Field):
    """Many values, each cleaned by `clean_item` (which raises ValidationError naming the bad value)."""

    widget = ListWidget

    def clean_item(self, value: str) -> Any:
        return value

    def to_python(self, value: Any) -> list[Any]:
        if not value:
            return []
        if len(value) > MAX_VALUES:
            raise forms.ValidationError(f"at most {MAX_VALUES} values, got {len(value)}.")
        cleaned: list[Any] = []
        for item in value:
            for result in self._as_list(self.clean_item(item)):
                if result not in cleaned:
                    cleaned.append(result)
        return cleaned

    @staticmethod
    def _as_list(result: Any) -> list[Any]:
        return list(result) if isinstance(result, list | tuple) else [result]


def _canon_enum(value: str) -> str:
    return re.sub(r"[\s-]+", "_", value.strip()).upper()


class ChoiceListField(ListField):
    """Values from a fixed set (case and '-'/' ' vs '_' ignored); an unknown value lists the allowed ones.

    `aliases` maps extra words onto several choices (remote: true -> remote, hybrid).
    """

    def __init__(
        self,
        *,
        choices: Sequence[str],
        aliases: dict[str, Sequence[str]] | None = None,
        canon: Callable[[str], str] = str.lower,
        **kwargs: Any,
    ) -> None:
        self.choices = list(choices)
        self.aliases = dict(aliases or {})
        self.canon = canon
        super().__init__(**kwargs)

    def clean_item(self, value: str) -> Any:
        key = self.canon(value)
        by_key = {self.canon(choice): choice for choice in self.choices}
        if key in by_key:
            return by_key[key]
        if value.lower() in self.aliases:
            return list(self.aliases[value.lower()])
        allowed = ", ".join([*self.choices, *self.aliases])
        raise forms.ValidationError(f"'{value}' is not one of {allowed}.")


class CountryListField(ListField):
    def clean_item(self, value: str) -> str:
        if not re.fullmatch(r"[A-Za-z]{2}", value):
            raise forms.ValidationError(f"'{value}' is not a two-letter country code (ISO 3166-1 alpha-2, e.g. GB).")
        return value.upper()


class TokenListField(ListField):
    def clean_item(self, value: str) -> str:
        token = value.lower()
        if not _TOKEN.match(token) or len(token) > 50:
            raise forms.ValidationError(f"'{value}' is not a source name (letters, digits, '_', '-', '.', ':').")
        return token


class OccupationListField(ListField):
    """O*NET-SOC codes ("17-2051.00"; "17-2051" means its ".00")."""

    def clean_item(self, value: str) -> str:
        code = f"{value}.00" if re.fullmatch(r"\d{2}-\d{4}", value) else value
        if occupation(code) is None:
            raise forms.ValidationError(
                f"'{value}' is not an O*NET-SOC occupation code (e.g. 17-2051.00 for Civil Engineers)."
            )
        return code


class OccupationGroupListField(ListField):
    """SOC major groups: "17-0000" or "17"; cleaned to the two digits."""

    def clean_item(self, value: str) -> str:
        major = value[:2] if re.fullmatch(r"\d{2}(-0000)?", value) else ""
        if f"{major}-0000" not in major_groups():
            raise forms.ValidationError(
                f"'{value}' is not an SOC major group (e.g. 17-0000 or 17 for Architecture and Engineering)."
            )
        return major


class CompanyListField(ListField):
    """Company ids (numbers) or slugs."""

    def clean_item(self, value: str) -> int | str:
        if value.isdigit():
            return int(value)
        if not _SLUG.match(value) or len(value) > 255:
            raise forms.ValidationError(f"'{value}' is neither a company id nor a company slug.")
        return value


class StrictBooleanField(forms.Field):
    """true/false (also 1/0, yes/no); anything else is an error rather than "no filter"."""

    widget = forms.TextInput
    _TRUE = {"true", "1", "yes", "on"}
    _FALSE = {"false", "0", "no", "off"}

    def to_python(self, value: Any) -> bool | None:
        if value in (None, ""):
            return None
        if isinstance(value, bool):
            return value
        lowered = str(value).strip().lower()
        if lowered in self._TRUE:
            return True
        if lowered in self._FALSE:
            return False
        raise forms.ValidationError(f"expected true or false, got '{value}'.")


class NearField(forms.CharField):
    """near=lat,lng in decimal degrees."""

    def to_python(self, value: Any) -> tuple[float, float] | None:  # type: ignore[override]  # parses the text
        value = super().to_python(value)
        if not value:
            return None
        parts = value.split(",")
        try:
            if len(parts) != 2:
                raise ValueError
            lat, lng = float(parts[0]), float(parts[1])
        except ValueError:
            raise forms.ValidationError(
                f"expected near=lat,lng in decimal degrees (e.g. 51.5074,-0.1278), got '{value}'."
            ) from None
        if not (math.isfinite(lat) and math.isfinite(lng)) or not (-90 <= lat <= 90 and -180 <= lng <= 180):
            raise forms.ValidationError(
                f"expected near=lat,lng with latitude in -90..90 and longitude in -180..180, got '{value}'."
            )
        return lat, lng


class PostedAfterField(forms.CharField):
    """An ISO 8601 date or date-time; a date means its midnight UTC, a time without offset is UTC."""

    def to_python(self, value: Any) -> datetime | None:  # type: ignore[override]  # parses the text
        value = super().to_python(value)
        if not value:
            return None
        try:
            parsed = parse_datetime(value)
            if parsed is None and (day := parse_date(value)) is not None:
                parsed = datetime.combine(day, time.min)
        except ValueError:
            parsed = None
        if parsed is None:
            raise forms.ValidationError(f"expected a date (2026-11-01) or an ISO 8601 date-time, got '{value}'.")
        if timezone.is_naive(parsed):
            return parsed.replace(tzinfo=UTC)
        # In UTC: PostgreSQL refuses offsets beyond ±15:59 that ISO 8601 (and Python) allow (+23:59
        # was a 500); near year 1 or 9999 the UTC time itself may not exist.
        try:
            return parsed.astimezone(UTC)
        except OverflowError:
            raise forms.ValidationError(f"'{value}' is out of range once converted to UTC.") from None


# --- Filters ---------------------------------------------------------------------------------


class _MethodFilter(django_filters.Filter):
    """A filter that always goes through the FilterSet method named on it."""


@extend_schema_field({"type": "array", "items": {"type": "string"}})
class ChoiceListFilter(_MethodFilter):
    field_class: type[forms.Field] = ChoiceListField

    def __init__(self, *args: Any, field_name: str | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("method", "filter_in")
        super().__init__(*args, field_name=field_name, **kwargs)  # type: ignore[misc]  # args hold no field_name


@extend_schema_field({"type": "array", "items": {"type": "string", "pattern": "^[A-Za-z]{2}$"}})
class CountryListFilter(ChoiceListFilter):
    field_class = CountryListField


@extend_schema_field({"type": "array", "items": {"type": "string"}})
class TokenListFilter(ChoiceListFilter):
    field_class = TokenListField


@extend_schema_field({"type": "array", "items": {"type": "string", "pattern": r"^\d{2}-\d{4}(\.\d{2})?$"}})
class OccupationListFilter(ChoiceListFilter):
    field_class = OccupationListField


@extend_schema_field({"type": "array", "items": {"type": "string", "pattern": r"^\d{2}(-0000)?$"}})
class OccupationGroupListFilter(_MethodFilter):
    field_class = OccupationGroupListField


@extend_schema_field({"type": "array", "items": {"type": "string"}})
class CompanyListFilter(_MethodFilter):
    field_class = CompanyListField


@extend_schema_field(OpenApiTypes.BOOL)
class StrictBooleanFilter(django_filters.Filter):
    field_class = StrictBooleanField


@extend_schema_field({"type": "string", "pattern": r"^-?\d+(\.\d+)?,-?\d+(\.\d+)?$", "example": "51.5074,-0.1278"})
class NearFilter(_MethodFilter):
    field_class = NearField


@extend_schema_field(OpenApiTypes.DATETIME)
class PostedAfterFilter(_MethodFilter):
    field_class = PostedAfterField


@dataclass(frozen=True)
class Ordering:
    """A sort: the key expression (never NULL, so a keyset cursor can compare it) and its direction."""

    name: str
    key: Any
    descending: bool
    kind: str  # how a cursor stores the key: "datetime", "decimal", "float" or "str"
    needs: str = ""  # the filter it needs ("q" for relevance, "near" for distance)


# Unknown salaries and unknown dates sort last both ways: the sentinels sit past every real value.
ORDERINGS: dict[str, Ordering] = {
    "-posted_at": Ordering("-posted_at", POSTED_NEWEST_FIRST, True, "datetime"),
    "posted_at": Ordering("posted_at", POSTED_OLDEST_FIRST, False, "datetime"),
    "-salary": Ordering("-salary", SALARY_TOP, True, "decimal"),
    "salary": Ordering("salary", Coalesce(SALARY_BOTTOM, Value(Decimal("1e12"))), False, "decimal"),
    "relevance": Ordering("relevance", F("relevance"), True, "float", needs="q"),
    # Nearest first by the chord (the same order as distance_km, which a GiST index can walk).
    "distance": Ordering("distance", F("nearness"), False, "float", needs="near"),
}
DEFAULT_ORDERING = "-posted_at"


class OrderingField(forms.CharField):
    def to_python(self, value: Any) -> str:
        value = super().to_python(value)
        if value and value not in ORDERINGS:
            raise forms.ValidationError(f"'{value}' is not one of {', '.join(ORDERINGS)}.")
        return value


@extend_schema_field({"type": "string", "enum": list(ORDERINGS)})
class OrderingFilter(django_filters.Filter):
    field_class = OrderingField


# The filters behind each facet: a facet is counted with every filter except these.
FACET_FILTERS: dict[str, frozenset[str]] = {
    "employment_type": frozenset({"employment_type"}),
    "remote": frozenset({"remote"}),
    "job_level": frozenset({"job_level"}),
    "occupation": frozenset({"occupation"}),
    "occupation_group": frozenset({"occupation_group"}),
    "source": frozenset({"source"}),
    "country": frozenset({"country"}),
    "company": frozenset({"company"}),
    "salary_band": frozenset({"salary_min", "salary_max", "include_unknown_salary", "salary_currency"}),
    "posted_band": frozenset({"posted_within_days", "posted_after", "posted_unknown"}),
}


class JobFilterForm(forms.Form):
    """Checks between parameters. `allow_status` is set by the filter set from its request."""

    allow_status = False

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        assert data is not None  # Form.clean returns cleaned_data
        get: Callable[[str], Any] = data.get
        if get("radius_km") is not None and get("radius_mi") is not None:
            self.add_error("radius_mi", "give radius_km or radius_mi, not both.")
        for name in ("radius_km", "radius_mi"):
            if get(name) is not None and get("near") is None and name not in self.errors:
                self.add_error(name, f"{name} needs near=lat,lng.")
        if get("salary_min") is not None and get("salary_max") is not None and get("salary_min") > get("salary_max"):
            self.add_error("salary_max", "must be at least salary_min.")
        currency = get("salary_currency")
        if currency and not re.fullmatch(r"[A-Za-z]{3}", currency):
            self.add_error("salary_currency", f"expected a three-letter ISO 4217 code such as GBP, got '{currency}'.")
        ordering = get("ordering")
        if ordering and (needs := ORDERINGS[ordering].needs) and not get(needs) and needs not in self.errors:
            self.add_error("ordering", f"ordering={ordering} needs {needs}.")
        if get("status") and not self.allow_status:
            self.add_error("status", "only staff can filter by status.")
        return data


class Nearness(Func):
    """The straight-line distance between two EarthPoints (cube's `<->`), for ordering=distance."""

    arg_joiner = " <-> "
    template = "(%(expressions)s)"
    output_field = FloatField()


def _great_circle_km(lat: float, lng: float) -> Any:
    """Haversine distance in km from (lat, lng) to each row's coordinates, in SQL."""
    row_lat = Radians(F("latitude"))
    a = Power(Sin((row_lat - Value(math.radians(lat))) / Value(2.0)), 2) + Value(math.cos(math.radians(lat))) * Cos(
        row_lat
    ) * Power(Sin((Radians(F("longitude")) - Value(math.radians(lng))) / Value(2.0)), 2)
    return Value(2 * EARTH_RADIUS_KM) * ASin(Sqrt(Least(Value(1.0), a)))


def _box(lat: float, lng: float, radius_km: float) -> tuple[float, float, list[tuple[float, float]] | None]:
    """The lat/lng box around the circle: (lowest latitude, highest, longitude ranges); the
    ranges are None when every longitude is in (the circle reaches a pole, or spans half the globe)."""
    dlat = radius_km / KM_PER_DEGREE
    low_lat, high_lat = lat - dlat, lat + dlat
    if abs(lat) + dlat >= 90:
        return max(low_lat, -90.0), min(high_lat, 90.0), None  # the circle reaches a pole
    ratio = math.sin(radius_km / EARTH_RADIUS_KM) / math.cos(math.radians(lat))
    if ratio >= 1:
        return low_lat, high_lat, None
    dlng = math.degrees(math.asin(ratio))
    low, high = lng - dlng, lng + dlng
    if low < -180:
        return low_lat, high_lat, [(low + 360, 180.0), (-180.0, high)]
    if high > 180:
        return low_lat, high_lat, [(low, 180.0), (-180.0, high - 360)]
    return low_lat, high_lat, [(low, high)]


def _bounding_box(lat: float, lng: float, radius_km: float) -> Q:
    """A lat/lng box around the circle, cheap to test and served by the (latitude, longitude) index."""
    low_lat, high_lat, ranges = _box(lat, lng, radius_km)
    box = Q(latitude__gte=low_lat, latitude__lte=high_lat)
    if ranges is None:
        return box
    either = Q()
    for low, high in ranges:
        either |= Q(longitude__gte=low, longitude__lte=high)
    return box & either


# A near= area holding at most this many listed jobs is listed by their ids (read from the cells'
# index): the planner then sorts those few, where an estimate of "1 % of the jobs" would have it
# walk the newest-first index looking for 20 that are not there (1.4 s at 150,000 jobs).
SPARSE_NEAR_JOBS = 2_000
# At most this many grid cells in one near= filter (an IN list the planner checks against the
# cells' statistics; 25 km around London is ~50 cells of 0.1°, 50 km ~150).
MAX_NEAR_CELLS = 400


def _covering_cells(lat: float, lng: float, radius_km: float) -> tuple[int, list[int]] | None:
    """(cells per degree, the cells) of the finest level (jobs.models.GEO_CELLS_PER_DEGREE) whose
    cells covering the circle's bounding box are at most MAX_NEAR_CELLS; None if no level is coarse
    enough (a radius of thousands of km, or a circle reaching a pole).

    Every point of the box is in one of the cells: a cell is floor(coordinate * per_degree), and
    floor and multiplication by a positive number keep order, so a coordinate inside a range has
    its cell between the range ends' cells, however PostgreSQL rounds (IEEE doubles, as here)."""
    low_lat, high_lat, ranges = _box(lat, lng, radius_km)
    if ranges is None:
        return None
    for per_degree in GEO_CELLS_PER_DEGREE:
        width = 360 * per_degree + 1
        rows = range(math.floor(low_lat * per_degree), math.floor(high_lat * per_degree) + 1)
        columns = [
            column
            for low, high in ranges
            for column in range(math.floor(low * per_degree), math.floor(high * per_degree) + 1)
        ]
        if len(rows) * len(columns) <= MAX_NEAR_CELLS:
            return per_degree, sorted({row * width + column for row in rows for column in columns})
    return None


def search_query(value: str) -> SearchQuery:
    """The tsquery of a user's search text (web-search syntax)."""
    return SearchQuery(value, search_type="websearch", config=SEARCH_CONFIG)


class _InArray(Func):
    """`column = ANY(ARRAY(subquery))`: the subquery runs once and its ids are looked up by the
    primary key, where `IN (subquery)` may be planned as a scan of every row hashed against it."""

    arg_joiner = " = ANY(ARRAY"
    template = "%(expressions)s)"
    output_field = BooleanField()


def _with_relevance(queryset: QuerySet[Job], value: str) -> QuerySet[Job]:
    """Annotated with relevance: ts_rank_cd of the search over search_vector."""
    query = search_query(value)
    # ts_rank_cd is a float4, which the driver reads as its shortest decimal (2.8, not
    # 2.7999999523…): a keyset cursor holding that would compare unequal to the row it came
    # from, repeating and skipping rows. As float8 the key round-trips exactly.
    return queryset.annotate(relevance=Cast(SearchRank(F("search_vector"), query, cover_density=True), FloatField()))


def search_candidates(queryset: QuerySet[Job], value: str, *, limit: int | None = None) -> RawSQL:
    """The ids relevance ranks for a search: a bounded set, so its cost does not follow the matches.

    The newest `limit` (SEARCH_RANK_CANDIDATES) jobs of `queryset` holding the words in their title
    or skills (Job.search_head: small, in the row, so a walk down the newest-first listing index
    tests it cheaply); when fewer hold them there, the newest of the jobs holding them elsewhere
    only, up to `limit` in all (LIMIT 0 when the first part is full: PostgreSQL then does not
    read the second). Ranking (ts_rank_cd over the whole search_vector, TOASTed) then reads at
    most `limit` vectors instead of every match's. The title/skills test stands in for a match
    in the first part only: with an excluded word ("python -java") a job may hold java in its
    description, so those are tested against search_vector (by primary key). Deterministic for given
    data (newest first, then id), so keyset pages over it are exact.
    """
    limit = limit if limit is not None else settings.SEARCH_RANK_CANDIDATES
    query = search_query(value)
    newest = (POSTED_NEWEST_FIRST.desc(), F("id").desc())
    in_head = queryset.filter(search_head=query).order_by(*newest).values("id")[:limit]
    elsewhere = queryset.filter(search_vector=query).exclude(search_head=query).order_by(*newest).values("id")
    head_sql, head_params = in_head.query.sql_with_params()
    rest_sql, rest_params = elsewhere.query.sql_with_params()
    table = Job._meta.db_table
    # A title/skills holder is a match only if search_vector says so (an excluded word may be in
    # its description): tested here, on at most `limit` rows by primary key, so the caller needs
    # no `search_vector @@` filter of its own (which the planner may serve by reading every match).
    sql = (
        f"WITH head AS MATERIALIZED ({head_sql}) "
        f'SELECT head.id FROM head JOIN "{table}" job ON job.id = head.id '
        f"WHERE job.search_vector @@ websearch_to_tsquery(%s::regconfig, %s) "
        f"UNION ALL ({rest_sql} LIMIT (SELECT %s - count(*) FROM head))"
    )
    return RawSQL(sql, (*head_params, SEARCH_CONFIG, value, *rest_params, limit))


# websearch_to_tsquery keeps each "-" (NOT) waiting for its word on a stack PostgreSQL limits to
# 32 entries: 33 dashes without words ("- - - …", "-!-!…") were a 500 ("tsquery stack too small").
MAX_SEARCH_NOTS = 32


def _validate_search(value: str) -> None:
    if (dashes := value.count("-")) > MAX_SEARCH_NOTS:
        raise forms.ValidationError(
            f"at most {MAX_SEARCH_NOTS} '-' (excluded words, hyphens) in a search, got {dashes}."
        )


class JobFilterSet(django_filters.FilterSet):
    queryset: QuerySet[Job]  # never None: FilterSet falls back to the model's manager
    q = django_filters.CharFilter(
        method="search",
        max_length=MAX_TEXT,
        validators=[_validate_search],
        label="Full-text search over title, skills and description, web-search syntax: "
        '"exact phrase", -exclude, or. Adds ordering=relevance (the default while q is given), which ranks '
        "the newest SEARCH_RANK_CANDIDATES (1000) jobs with the words in title or skills (filled up with the newest "
        "holding them elsewhere); count counts every match, and ordering=-posted_at pages through them all.",
    )
    title = django_filters.CharFilter(
        field_name="title", lookup_expr="icontains", max_length=MAX_TEXT, label="Title contains this text."
    )
    company = CompanyListFilter(method="filter_company", label="Company ids or slugs (many).")
    location = django_filters.CharFilter(
        field_name="location",
        lookup_expr="icontains",
        max_length=MAX_TEXT,
        label="Location text contains this (e.g. London).",
    )
    near = NearFilter(
        method="filter_near",
        label=(
            "lat,lng: only jobs within radius_km (default 50) of this point "
            "(jobs placed only by region or country are left out)."
        ),
    )
    radius_km = django_filters.NumberFilter(
        method="filter_noop", min_value=0, max_value=MAX_RADIUS_KM, label="Radius around near, in kilometres."
    )
    radius_mi = django_filters.NumberFilter(
        method="filter_noop",
        min_value=0,
        max_value=MAX_RADIUS_KM / KM_PER_MILE,
        label="Radius around near, in miles.",
    )
    country = CountryListFilter(field_name="country", label="ISO 3166-1 alpha-2 country codes (many).")
    remote = ChoiceListFilter(
        field_name="remote",
        choices=Remote.values,
        aliases={"true": [Remote.REMOTE, Remote.HYBRID], "false": [Remote.ONSITE]},
        label="onsite, hybrid, remote (many); true means remote or hybrid, false on site.",
    )
    internship = StrictBooleanFilter(field_name="is_internship", label="Only internships (true) or none (false).")
    employment_type = ChoiceListFilter(
        field_name="employment_type",
        choices=EmploymentType.values,
        canon=_canon_enum,
        label="Employment types (many): " + ", ".join(EmploymentType.values) + ".",
    )
    job_level = ChoiceListFilter(
        field_name="job_level",
        choices=JobLevel.values,
        canon=_canon_enum,
        label="Job levels (many): " + ", ".join(JobLevel.values) + ".",
    )
    occupation = OccupationListFilter(
        field_name="occupation_code",
        label="O*NET-SOC occupation codes (many), e.g. 17-2051.00 (Civil Engineers): the occupation the "
        "job's title names, read at ingest (skills.occupations).",
    )
    occupation_group = OccupationGroupListFilter(
        method="filter_occupation_group",
        label="SOC major groups (many), e.g. 17-0000 or 17 (Architecture and Engineering Occupations).",
    )
    salary_min = django_filters.NumberFilter(
        method="filter_salary",
        min_value=0,
        max_digits=14,
        decimal_places=2,
        label="Pays at least this much a year (the top of the job's annualized range, in its own currency).",
    )
    salary_max = django_filters.NumberFilter(
        method="filter_salary",
        min_value=0,
        max_digits=14,
        decimal_places=2,
        label="Starts at or below this much a year (the bottom of the job's annualized range).",
    )
    include_unknown_salary = StrictBooleanFilter(
        method="filter_salary", label="With salary_min/salary_max: also keep jobs that give no salary."
    )
    salary_currency = django_filters.CharFilter(
        method="filter_salary",
        label="ISO 4217 code (e.g. GBP): only jobs paying in this currency, so salary_min/salary_max compare "
        "like with like. Without it, amounts are compared in each job's own currency.",
    )
    hide_predicted_salary = StrictBooleanFilter(
        method="filter_hide_predicted", label="Leave out jobs whose salary is the source's estimate."
    )
    source = TokenListFilter(field_name="source", label="Sources (many): adzuna, greenhouse, lever, …")
    category = django_filters.CharFilter(
        field_name="category", lookup_expr="iexact", max_length=MAX_TEXT, label="Category, exactly (any case)."
    )
    posted_within_days = django_filters.NumberFilter(
        method="filter_posted",
        min_value=1,
        max_value=3650,
        max_digits=4,
        decimal_places=0,
        label="Posted in the last N days (1 to 3650); jobs whose date is unknown are left out.",
    )
    posted_after = PostedAfterFilter(
        method="filter_posted",
        label="Posted on or after this date or date-time; jobs whose date is unknown are left out.",
    )
    posted_unknown = StrictBooleanFilter(
        method="filter_posted_unknown",
        label="Only jobs whose source gives no date (true; posted_at is null) or only dated jobs (false).",
    )
    featured = StrictBooleanFilter(field_name="is_featured", label="Only featured jobs (true) or none (false).")
    status = ChoiceListFilter(
        field_name="status", choices=JobStatus.values, label="Staff only: active, expired, hidden (many)."
    )
    ordering = OrderingFilter(
        method="filter_noop",
        label="Sort: " + ", ".join(ORDERINGS) + ". Default -posted_at (newest first), relevance when q is given.",
    )

    class Meta:
        model = Job
        fields: list[str] = []
        form = JobFilterForm

    def __init__(self, data: Any = None, queryset: QuerySet[Job] | None = None, *, request: Any = None, **kwargs: Any):
        super().__init__(data, queryset, request=request, **kwargs)
        user = getattr(request, "user", None)
        self.is_staff = bool(user is not None and user.is_authenticated and user.is_staff)

    @property
    def form(self) -> JobFilterForm:
        form: JobFilterForm = super().form  # type: ignore[assignment]  # Meta.form is JobFilterForm
        form.allow_status = self.is_staff
        return form

    # --- applying the filters --------------------------------------------------------------

    @property
    def sort(self) -> Ordering:
        """The sort the results have (valid filter sets only)."""
        data = self.form.cleaned_data
        name = data.get("ordering") or ("relevance" if data.get("q") else DEFAULT_ORDERING)
        return ORDERINGS[name]

    def filter_queryset(self, queryset: QuerySet[Job]) -> QuerySet[Job]:
        return self._apply(queryset, exclude=frozenset(), order=True)

    def queryset_for_facet(self, facet: str) -> QuerySet[Job]:
        """The base queryset filtered by everything except the facet's own filters, unordered."""
        self.errors  # noqa: B018 - validates the form first, as .qs does
        return self._apply(self.queryset.all(), exclude=FACET_FILTERS[facet], order=False)

    @property
    def counted(self) -> QuerySet[Job]:
        """What a page's `count` counts: every match, also when relevance ranks a bounded set of them."""
        self.errors  # noqa: B018 - validates the form first, as .qs does
        return self._apply(self.queryset.all(), exclude=frozenset(), order=False)

    def _apply(self, queryset: QuerySet[Job], *, exclude: frozenset[str], order: bool) -> QuerySet[Job]:
        data = self.form.cleaned_data
        for name, value in data.items():
            if name in exclude or name == "q":
                continue
            queryset = self.filters[name].filter(queryset, value)
        if data.get("q") and "q" not in exclude:
            if order and self.sort.name == "relevance":
                candidates = _InArray(F("id"), search_candidates(queryset, data["q"]))
                queryset = _with_relevance(queryset.filter(candidates), data["q"])
            else:
                queryset = self.filters["q"].filter(queryset, data["q"])
        if not order:
            return queryset
        ordering = self.sort
        direction = "-" if ordering.descending else ""
        return queryset.annotate(sort_key=ordering.key).order_by(f"{direction}sort_key", f"{direction}id")

    # --- filter methods ----------------------------------------------------------------------

    def filter_noop(self, queryset: QuerySet[Job], name: str, value: Any) -> QuerySet[Job]:
        return queryset  # read by another filter's method (radius by near, ordering by filter_queryset)

    def filter_in(self, queryset: QuerySet[Job], name: str, value: Iterable[Any]) -> QuerySet[Job]:
        # django-filter passes the filter's field_name as `name`.
        return queryset.filter(**{f"{name}__in": list(value)})

    def search(self, queryset: QuerySet[Job], name: str, value: str) -> QuerySet[Job]:
        """websearch_to_tsquery over the generated search_vector; relevance = ts_rank_cd."""
        return _with_relevance(queryset.filter(search_vector=search_query(value)), value)

    def filter_occupation_group(self, queryset: QuerySet[Job], name: str, value: list[str]) -> QuerySet[Job]:
        # A range of codes per group, which job_public_occupation_idx serves (codes are fixed-width digits).
        either = Q()
        for major in value:
            either |= Q(occupation_code__gte=f"{major}-0000.00", occupation_code__lte=f"{major}-9999.99")
        return queryset.filter(either)

    def filter_company(self, queryset: QuerySet[Job], name: str, value: list[int | str]) -> QuerySet[Job]:
        ids = [item for item in value if isinstance(item, int)]
        if slugs := [item for item in value if isinstance(item, str)]:
            # Slugs become ids first: the planner knows how many jobs a company_id has (a join on
            # slug hides it and picks a plan for a rare company when the company is a big one).
            ids += Company.objects.filter(slug__in=slugs).values_list("id", flat=True)
        return queryset.filter(company_id__in=ids)

    def _radius_km(self) -> float:
        data = self.form.cleaned_data
        if data.get("radius_mi") is not None:
            return float(data["radius_mi"]) * KM_PER_MILE
        if data.get("radius_km") is not None:
            return float(data["radius_km"])
        return DEFAULT_RADIUS_KM

    def filter_near(self, queryset: QuerySet[Job], name: str, value: tuple[float, float]) -> QuerySet[Job]:
        lat, lng = value
        radius = self._radius_km()
        # The grid cells around the point (or, for a circle too big for them, the lat/lng box) first,
        # then the exact distance. Cells rather than the box: the planner knows how many jobs the
        # cells hold, so around a city it walks the newest-first index and stops at a page instead
        # of reading every job of the box (bench/README "Counts, places and facets").
        if cells := _covering_cells(lat, lng, radius):
            per_degree, covering = cells
            if (ids := self._ids_in_cells(per_degree, covering)) is not None:
                area = Q(id__in=ids)
            else:
                area = Q(latitude__isnull=False) & Q(geo_cell__in=covering)
                queryset = queryset.alias(geo_cell=geo_cell(per_degree))
        else:
            area = _bounding_box(lat, lng, radius)
        return (
            # A region's or a country's centre is not where the job is: near a point means at a point or
            # in a city (every UK-wide job would otherwise be "near" the middle of England).
            # (Both coordinates known, as the distance index's rows are: job_public_earth_idx.)
            queryset.filter(area, latitude__isnull=False, longitude__isnull=False)
            .exclude(geo_precision__in=NOT_NEAR_PRECISIONS)
            .annotate(distance_km=_great_circle_km(lat, lng))
            .filter(distance_km__lte=radius)
            # ordering=distance's key: the chord to the point, which job_public_earth_idx walks nearest first.
            .annotate(nearness=Nearness(EarthPoint(F("latitude"), F("longitude")), EarthPoint(Value(lat), Value(lng))))
        )

    def _ids_in_cells(self, per_degree: int, covering: list[int]) -> list[int] | None:
        """The ids of the listed jobs in the cells when they are at most SPARSE_NEAR_JOBS, else None.
        One index-only read of at most SPARSE_NEAR_JOBS + 1 entries, kept for the facets' querysets."""
        key = (per_degree, tuple(covering))
        cached = getattr(self, "_sparse_cells", None)
        if cached is None or cached[0] != key:
            ids = list(
                Job.objects.filter(status=JobStatus.ACTIVE, duplicate_of__isnull=True, latitude__isnull=False)
                .alias(geo_cell=geo_cell(per_degree))
                .filter(geo_cell__in=covering)
                .order_by()
                .values_list("id", flat=True)[: SPARSE_NEAR_JOBS + 1]
            )
            self._sparse_cells = cached = (key, ids if len(ids) <= SPARSE_NEAR_JOBS else None)
        return cached[1]

    def filter_salary(self, queryset: QuerySet[Job], name: str, value: Any) -> QuerySet[Job]:
        # Three parameters, one condition: apply it once, when the first of them comes by.
        if name != self._first_present(("salary_min", "salary_max", "include_unknown_salary", "salary_currency")):
            return queryset
        data = self.form.cleaned_data
        low, high, currency = data.get("salary_min"), data.get("salary_max"), (data.get("salary_currency") or "")
        if low is None and high is None and not currency:
            return queryset
        # No exchange rates: a caller's amount is compared only with jobs paid in its currency.
        condition = Q(salary_currency=currency.upper()) if currency else Q()
        if low is not None:
            condition &= Q(salary_top__gte=low)
        if high is not None:
            condition &= Q(salary_bottom__lte=high)
        if data.get("include_unknown_salary"):
            condition |= Q(salary_annual_min__isnull=True, salary_annual_max__isnull=True)
        return queryset.annotate(salary_top=SALARY_TOP, salary_bottom=SALARY_BOTTOM).filter(condition)

    def _first_present(self, names: Sequence[str]) -> str | None:
        data = self.form.cleaned_data
        return next((name for name in names if data.get(name) not in (None, "")), None)

    def filter_hide_predicted(self, queryset: QuerySet[Job], name: str, value: bool | None) -> QuerySet[Job]:
        return queryset.filter(salary_is_predicted=False) if value else queryset

    def filter_posted(self, queryset: QuerySet[Job], name: str, value: Any) -> QuerySet[Job]:
        since = timezone.now() - timedelta(days=int(value)) if name == "posted_within_days" else value
        # The listing index's key: an unknown date is its low sentinel, below every `since`.
        return queryset.annotate(posted=POSTED_NEWEST_FIRST).filter(posted__gte=since)

    def filter_posted_unknown(self, queryset: QuerySet[Job], name: str, value: bool | None) -> QuerySet[Job]:
        return queryset if value is None else queryset.filter(posted_at__isnull=value)


# Companies sort by name, then id: the keyset pagination reads it as `sort`, as a job listing's.
COMPANY_ORDERING = Ordering("name", F("name"), False, "str")


class CompanyFilterSet(django_filters.FilterSet):
    """The company listing's filters (companies not blocked, with open-job counts: company_list_public)."""

    # CharField's own validator turns a NUL (which PostgreSQL text cannot hold) into a 400.
    q = django_filters.CharFilter(method="search", label="Name contains this text.")
    has_jobs = StrictBooleanFilter(method="filter_has_jobs", label="true: only companies with open jobs.")

    class Meta:
        model = Company
        fields: list[str] = []

    sort = COMPANY_ORDERING

    def filter_queryset(self, queryset: QuerySet[Company]) -> QuerySet[Company]:
        return super().filter_queryset(queryset).annotate(sort_key=self.sort.key).order_by("sort_key", "id")

    def search(self, queryset: QuerySet[Company], name: str, value: str) -> QuerySet[Company]:
        return queryset.filter(name__icontains=value[:MAX_TEXT])

    def filter_has_jobs(self, queryset: QuerySet[Company], name: str, value: bool | None) -> QuerySet[Company]:
        return company_filter_with_open_jobs(queryset=queryset) if value else queryset
