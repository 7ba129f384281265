"""Extracted skills keep their precision and recall on real postings
(ingestion/tests/data/quality/skills.jsonl and skills_recall.jsonl; bench/quality_skills.py prints the figures)."""

from __future__ import annotations

import pytest

from ingestion.tests import quality_skills as q

# Reached on the held-out half, checked once after the rules were tuned on the development half (0.880 with
# the first and with the second round of rules: the second round's rules meet none of its false pairs).
HELD_OUT_PRECISION = 0.87
# Of the labelled pairs the second round of rules drops (skills_dropped.jsonl), at least this share is false.
DROPPED_RIGHT = 0.80


@pytest.fixture(scope="module")
def labelled() -> tuple[list[q.Pair], list[q.Expected], dict[tuple[str, str], list[str]]]:
    q.require_shared_data()  # fails, never skips: CI has ../shared beside the clone
    pairs, expected = q.read_pairs(), q.read_expected()
    return pairs, expected, q.extracted({p.posting for p in pairs} | {e.posting for e in expected})


def test_the_labelled_sets_are_whole(labelled) -> None:
    pairs, expected, found = labelled
    assert len(pairs) >= 600
    assert len(expected) >= 40
    assert set(found) == {p.posting for p in pairs} | {e.posting for e in expected}  # every posting found


def test_every_extracted_skill_of_a_labelled_posting_is_labelled(labelled) -> None:
    pairs, _, found = labelled
    assert q.precision(pairs, found).unlabelled == ()


def test_precision_reaches_the_target(labelled) -> None:
    pairs, _, found = labelled
    assert q.precision(pairs, found).precision >= q.TARGET_PRECISION
    assert q.precision([p for p in pairs if p.split == "dev"], found).precision >= q.TARGET_PRECISION
    assert q.precision([p for p in pairs if p.split == "heldout"], found).precision >= HELD_OUT_PRECISION


@pytest.mark.parametrize("split", ["dev", "heldout"])
def test_recall_does_not_collapse(labelled, split: str) -> None:
    _, expected, found = labelled
    assert q.recall([e for e in expected if e.split == split], found).recall >= q.TARGET_RECALL


@pytest.fixture(scope="module")
def checked() -> tuple[list[q.Pair], list[q.Pair], dict[tuple[str, str], list[str]]]:
    q.require_shared_data()
    check, drops = q.read_pairs(q.CHECK), q.read_pairs(q.DROPPED)
    return check, drops, q.extracted({p.posting for p in (*check, *drops)})


def test_the_check_sets_are_whole(checked) -> None:
    check, drops, found = checked
    assert len(check) >= 160
    assert len(drops) >= 40
    assert set(found) == {p.posting for p in (*check, *drops)}
    assert q.precision(check, found).unlabelled == ()  # every pair the check postings give is labelled


def test_precision_on_the_check_set(checked) -> None:
    check, _, found = checked
    assert q.precision(check, found).precision >= q.TARGET_PRECISION


def test_the_rules_drop_mostly_false_pairs(checked) -> None:
    _, drops, found = checked
    result = q.dropped(drops, found)
    assert result.dropped == result.labelled  # every labelled pair is still dropped
    assert result.right >= DROPPED_RIGHT
