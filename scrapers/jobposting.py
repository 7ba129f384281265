"""schema.org JobPosting markup (JSON-LD, microdata and RDFa) read with extruct, mapped to build_job_data's arguments.

Nodes may point at each other: a JSON-LD `@graph` (WordPress SEO plugins, Yoast and Rank Math, write
one) gives `hiringOrganization: {"@id": "https://example.com/#organization"}` and the organization as
another node of the graph; RDFa always does (every nested thing is a node of its own, joined by
`@id`). Such references are resolved before a posting is read.
"""

from __future__ import annotations

import html
from typing import Any
from urllib.parse import urljoin, urlsplit

import extruct

from ingestion.normalize import country_code

# In order: a page that marks a posting up twice (JSON-LD for search engines, microdata or RDFa in
# its HTML) gives the same posting each way, so the first syntax that has postings is the one read.
_SYNTAXES = ["json-ld", "microdata", "rdfa"]
_SCHEMA_PREFIXES = ("http://schema.org/", "https://schema.org/")
_MAX_DEPTH = 6  # nodes nested deeper than a posting's salary value are not read anyway


def _types(node: dict[str, Any]) -> list[str]:
    value = node.get("@type") or []
    values = value if isinstance(value, list) else [value]
    # Microdata gives full IRIs ("http://schema.org/JobPosting"); JSON-LD short names.
    return [str(v).rsplit("/", 1)[-1] for v in values]


def _walk(node: Any, found: list[dict[str, Any]]) -> None:
    if isinstance(node, dict):
        if "JobPosting" in _types(node):
            found.append(node)
            return
        for value in node.values():
            _walk(value, found)
    elif isinstance(node, list):
        for value in node:
            _walk(value, found)


def _rdfa_node(node: dict[str, Any]) -> dict[str, Any]:
    """An RDFa node (extruct gives expanded JSON-LD: full IRIs, every value a list of
    {"@value": …} or {"@id": …}) as the compact shape JSON-LD pages use."""
    compact: dict[str, Any] = {}
    for key, value in node.items():
        if key.startswith("@"):
            compact[key] = value
            continue
        name = next((key[len(p) :] for p in _SCHEMA_PREFIXES if key.startswith(p)), None)
        if name is None:
            continue  # another vocabulary (rdfa:usesVocabulary, og:…)
        items = [item.get("@value", item) if isinstance(item, dict) else item for item in _list(value)]
        compact[name] = items[0] if len(items) == 1 else items
    return compact


def _index(node: Any, nodes: dict[str, dict[str, Any]]) -> None:
    """Every node that has an @id and says something more, by its @id."""
    if isinstance(node, dict):
        if isinstance(node.get("@id"), str) and set(node) - {"@id", "@context"}:
            nodes.setdefault(node["@id"], node)
        for value in node.values():
            _index(value, nodes)
    elif isinstance(node, list):
        for value in node:
            _index(value, nodes)


def _resolve(value: Any, nodes: dict[str, dict[str, Any]], depth: int = 0) -> Any:
    """`value` with each {"@id": …} reference replaced by the node it names (cycles end at _MAX_DEPTH)."""
    if depth > _MAX_DEPTH:
        return value
    if isinstance(value, list):
        return [_resolve(item, nodes, depth + 1) for item in value]
    if not isinstance(value, dict):
        return value
    if set(value) <= {"@id", "@type"} and value.get("@id") in nodes:
        value = nodes[value["@id"]]
    return {key: _resolve(item, nodes, depth + 1) if not key.startswith("@") else item for key, item in value.items()}


def extract_job_postings(page_html: str, *, url: str) -> list[dict[str, Any]]:
    """Every JobPosting on a page, from JSON-LD (also inside @graph), microdata or RDFa, with the
    nodes it references by @id (its organization, place, salary) put in place."""
    data = extruct.extract(page_html, base_url=url, syntaxes=_SYNTAXES, uniform=True, errors="ignore")
    data["rdfa"] = [_rdfa_node(node) for node in data.get("rdfa") or [] if isinstance(node, dict)]
    for syntax in _SYNTAXES:
        found: list[dict[str, Any]] = []
        _walk(data.get(syntax) or [], found)
        if found:
            nodes: dict[str, dict[str, Any]] = {}
            _index(data[syntax], nodes)
            return [_resolve(node, nodes) for node in found]
    return []


def _first(value: Any) -> Any:
    while isinstance(value, list):
        value = value[0] if value else None
    return value


def _text(value: Any) -> str:
    value = _first(value)
    if isinstance(value, dict):
        value = value.get("name") or value.get("@value") or value.get("value")
    return str(value).strip() if value is not None else ""


def _number(value: Any) -> Any:
    value = _first(value)
    if isinstance(value, str):
        value = value.replace(",", "").strip()
        return value or None
    return value


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _place(job_location: Any) -> dict[str, Any]:
    place = _first(job_location)
    if not isinstance(place, dict):
        return {"location": _text(place)}
    address = _first(place.get("address"))
    if isinstance(address, dict):
        country = _text(address.get("addressCountry"))
        parts = [_text(address.get("addressLocality")), _text(address.get("addressRegion")), country]
        location = ", ".join(p for p in parts if p)
    else:
        country, location = "", _text(address) or _text(place.get("name"))
    geo = place["geo"] if isinstance(place.get("geo"), dict) else place
    return {
        "location": location,
        "country": country or None,
        "latitude": _number(geo.get("latitude")),
        "longitude": _number(geo.get("longitude")),
    }


def _salary(node: dict[str, Any]) -> dict[str, Any]:
    amount = _first(node.get("baseSalary") or node.get("estimatedSalary"))
    if not isinstance(amount, dict):
        return {"salary_text": _text(amount)} if amount else {}
    value = _first(amount.get("value"))
    if isinstance(value, dict):
        low = _number(value.get("minValue")) or _number(value.get("value"))
        high = _number(value.get("maxValue")) or _number(value.get("value"))
        unit = _text(value.get("unitText")) or _text(amount.get("unitText"))
    else:
        low = high = _number(value)
        unit = _text(amount.get("unitText"))
    return {
        "salary_min": low,
        "salary_max": high,
        "salary_currency": _text(amount.get("currency")) or None,
        "salary_period": unit or None,  # HOUR, DAY, WEEK, MONTH, YEAR (or MONTHLY, …)
    }


def _description_html(node: dict[str, Any]) -> str:
    description = _text(node.get("description"))
    # Some sites entity-escape the HTML inside the JSON string (&lt;p&gt;): make it HTML again.
    if "<" not in description and "&lt;" in description:
        description = html.unescape(description)
    return description


def _skills(value: Any) -> list[str] | None:
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list):
        return None
    skills = [_text(v) for v in value if _text(v)]
    return skills or None


def _applicant_country(requirements: Any) -> str | None:
    """The one country a remote job's applicants must live in (applicantLocationRequirements:
    Country or State nodes, or names), or None when it names several countries or none."""
    codes = {country_code(_text(place)) for place in _list(requirements) if place}
    codes.discard("")
    return codes.pop() if len(codes) == 1 else None


def jobposting_fields(node: dict[str, Any], *, page_url: str) -> dict[str, Any]:
    """build_job_data keyword arguments (less external_id) from one JobPosting node."""
    # schema.org: jobLocationType TELECOMMUTE marks a remote job; applicantLocationRequirements names where
    # its remote applicants may live, so it marks one too (Google asks for both together).
    telecommute = any(_text(t).upper() == "TELECOMMUTE" for t in _list(node.get("jobLocationType")))
    requirements = node.get("applicantLocationRequirements")
    remote = "remote" if telecommute or requirements else None
    place = _place(node.get("jobLocation"))
    if remote and (country := _applicant_country(requirements)) and place.get("country") != country:
        # Where a remote job is done is where its applicants live, not the employer's office that
        # jobLocation often gives beside it (nor is the office's point where the job is).
        names = ", ".join(dict.fromkeys(_text(p) for p in _list(requirements) if _text(p)))
        place = {"location": names, "country": country}
    employment = node.get("employmentType")
    employment_types = employment if isinstance(employment, list) else [employment]
    link = _text(node.get("url"))
    apply_url = urljoin(page_url, link) if link else page_url
    if urlsplit(apply_url).scheme not in ("http", "https"):
        apply_url = page_url
    return {
        "title": _text(node.get("title")) or _text(node.get("name")),
        "company_name": _text(node.get("hiringOrganization")),
        "description_html": _description_html(node),
        **place,
        "remote": remote,
        "employment_type": ", ".join(_text(t) for t in employment_types if _text(t)) or None,
        **_salary(node),
        "category": _text(node.get("occupationalCategory")) or _text(node.get("industry")),
        "skills": _skills(node.get("skills")),
        "apply_url": apply_url,
        "posted_at": _text(node.get("datePosted")) or None,
        "expires_at": _text(node.get("validThrough")) or None,
    }
