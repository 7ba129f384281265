"""jobs.rules: the job-level rule shared by the normalizer and matching (issue 16)."""

from __future__ import annotations

import pytest

from jobs.rules import manages_people


@pytest.mark.parametrize(
    ("title", "people"),
    [
        ("Account Manager", False),
        ("Strategic Account Sales Manager Central/LatAm", False),
        ("Product Marketing Manager, Google Analytics", False),
        ("Technical Program Manager, Test Engineering", False),
        ("Business Development Manager", False),
        ("Data Analytics Project Manager", False),
        ("Software Engineer", False),  # no manager at all
        ("Group Product Manager", True),
        ("Manager, Product Marketing", True),
        ("Sales Manager", True),
        ("RGN Deputy Home Manager", True),
        ("Product Manager / Engineering Manager", True),  # one of the two manages people
    ],
)
def test_manages_people(title: str, people: bool) -> None:
    assert manages_people(title) is people
