"""The job level read from titles keeps its accuracy on the labelled real titles
(ingestion/tests/data/quality/job_level.jsonl; bench/quality_level.py prints the figures)."""

from __future__ import annotations

import pytest

from ingestion.tests import quality_level as q


@pytest.fixture(scope="module")
def labelled() -> tuple[list[q.Label], dict[tuple[str, str], str]]:
    q.require_shared_data()  # fails, never skips: CI has ../shared beside the clone
    labels = q.read_labels()
    return labels, q.levels(labels)


def test_the_labelled_set_is_whole(labelled) -> None:
    labels, found = labelled
    assert len(labels) >= 300
    assert set(found) == {(label.file, label.key) for label in labels}  # every title found in shared/data


@pytest.mark.parametrize("split", ["dev", "heldout"])
def test_level_accuracy_reaches_the_target(labelled, split: str) -> None:
    labels, found = labelled
    score = q.score([label for label in labels if label.split == split], found)
    assert score.accuracy >= q.TARGET_ACCURACY, score


def test_no_individual_contributor_is_called_a_manager(labelled) -> None:
    labels, found = labelled
    wrong = [
        label.title for label in labels if found[(label.file, label.key)] == "MANAGER" and label.label != "MANAGER"
    ]
    assert wrong == []
