"""Job titles to O*NET-SOC occupations (skills.occupations), on titles as real postings write them."""

from __future__ import annotations

import pytest

from skills.occupations import (
    OCCUPATIONS_PATH,
    Occupation,
    classify_title,
    major_groups,
    normalize_title,
    occupation,
    occupation_similarity,
)
from tools import build_occupations


@pytest.mark.parametrize(
    ("title", "code"),
    [
        ("Civil Engineer", "17-2051.00"),
        ("Senior Civil Engineers - REQ-1234", "17-2051.00"),
        ("Sales Manager", "11-2022.00"),
        ("Manager, Sales", "11-2022.00"),  # the head noun first, what it manages after the comma
        ("Software Engineer, Backend (Remote)", "15-1252.00"),
        ("Sr. Data Scientist", "15-2051.00"),
        ("Lead Mechanical Engineer", "17-2141.00"),
        ("Junior Accountant II", "13-2011.00"),
        ("Registered Nurse (RN) - ICU", "29-1141.00"),
        ("Staff Nurse RGN Huddersfield", "29-1141.00"),
        ("RGN/RMN, Coventry ****ph", "29-1141.00"),  # UK abbreviations (tools/occupations/curated.tsv)
        ("Electrician & Plumber", "47-2152.00"),
        ("Sous Chef Quality Branded Restaurant Tips Straight Shifts", "35-1011.00"),
        ("HGV Class 1 Driver", "53-3032.00"),
        ("CEO", "11-1011.00"),  # O*NET's Short Title column
        ("Data Analysts", "15-2051.01"),  # plurals
    ],
)
def test_real_titles_name_their_occupation(title: str, code: str) -> None:
    match = classify_title(title)
    assert match is not None, title
    assert (match.occupation.code, match.via) == (code, "title")
    assert 0.35 <= match.confidence <= 1.0


def test_a_whole_title_hit_is_surer_than_a_scored_one() -> None:
    exact, scored = classify_title("Civil Engineer"), classify_title("Sous Chef Quality Branded Restaurant Tips")
    assert exact is not None and scored is not None
    assert exact.confidence == 1.0 > scored.confidence


@pytest.mark.parametrize("title", ["Associate", "Consultant", "Analyst", "Specialist", "Team Member", "Manager"])
def test_vague_titles_alone_name_no_occupation(title: str) -> None:
    assert classify_title(title) is None
    assert classify_title(title, "We offer a great team and flexible hours.") is None


def test_a_vague_title_is_read_from_the_description_with_less_confidence() -> None:
    match = classify_title("Consultant", "We are seeking a Management Consultant to advise our clients on operations.")
    assert match is not None
    assert (match.occupation.code, match.via) == ("13-1111.00", "description")
    assert match.confidence <= 0.6
    analyst = classify_title("Analyst", "The Business Analyst gathers requirements from stakeholders.")
    assert analyst is not None and analyst.via == "description"


@pytest.mark.parametrize("junk", ["", "REQ-1234", "****", "-", "(m/f/d)", "Job 2026"])
def test_junk_names_no_occupation(junk: str) -> None:
    assert classify_title(junk) is None


def test_an_occupation_knows_its_soc_groups() -> None:
    civil = occupation("17-2051.00")
    assert civil == Occupation("17-2051.00", "Civil Engineers")
    assert (civil.major, civil.minor, civil.broad) == ("17-0000", "17-2000", "17-2050")
    assert occupation("99-9999.00") is None


def test_major_groups_are_soc_2018s_names() -> None:
    groups = major_groups()
    assert len(groups) == 23
    assert groups["17-0000"] == "Architecture and Engineering Occupations"
    assert groups["29-0000"] == "Healthcare Practitioners and Technical Occupations"


def test_similarity_falls_with_the_soc_level_two_codes_share() -> None:
    assert occupation_similarity("17-2051.00", "17-2051.00") == 1.0
    same_broad = occupation_similarity("15-2051.00", "15-2051.01")
    same_minor = occupation_similarity("17-2051.00", "17-2071.00")
    same_major = occupation_similarity("17-2051.00", "17-1011.00")
    assert 1.0 > same_broad > same_minor > same_major > 0.0
    assert occupation_similarity("17-2051.00", "29-1141.00") == 0.0
    assert occupation_similarity("", "17-2051.00") == 0.0


def test_titles_are_keyed_singular_lower_case_without_small_words() -> None:
    assert normalize_title("Heating & Air Conditioning Engineers") == "heating air conditioning engineer"
    assert normalize_title("Secretaries") == "secretary"


def test_the_shipped_data_file_is_what_the_build_script_makes() -> None:
    if not (build_occupations.DEFAULT_ONET / "Alternate Titles.txt").is_file():
        raise FileNotFoundError(f"{build_occupations.DEFAULT_ONET} is missing: the O*NET files are read from ../shared")
    rebuilt = build_occupations.render(*build_occupations.build(build_occupations.DEFAULT_ONET))
    assert OCCUPATIONS_PATH.read_bytes() == rebuilt, "stale: run .venv/bin/python -m tools.build_occupations"
