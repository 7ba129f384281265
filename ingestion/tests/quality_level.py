"""The job-level labelled set: read the labels, run each labelled posting through the normalizer as its
source would (the loaders of ``quality_remote``) and score the level it gives.

Shared by ``ingestion/tests/test_quality_level.py`` (the target) and ``bench/quality_level.py`` (the
figures, before and after). The level is read from the title (and an internship from the type fields), so
each label was decided by reading the title; "" is a title that states no level.
"""

from __future__ import annotations

import collections
import dataclasses
import json
import random
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ingestion import normalize
from ingestion.tests import quality_remote

LABELS = Path(__file__).resolve().parent / "data" / "quality" / "job_level.jsonl"
SPLIT_SEED = 16  # the dev/held-out split (issue 16), per title, drawn before any result was looked at
TARGET_ACCURACY = 0.95

require_shared_data = quality_remote.require_shared_data


@dataclasses.dataclass(frozen=True, slots=True)
class Label:
    file: str
    key: str
    title: str
    label: str  # a JobLevel value, or "" (the title states no level)
    evidence: str

    @property
    def split(self) -> str:
        return "dev" if random.Random(f"{SPLIT_SEED}:level:{self.file}:{self.key}").random() < 0.5 else "heldout"


def read_labels(path: Path = LABELS) -> list[Label]:
    labels = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            item = json.loads(line)
            key = str(item.get("row", item.get("id")))
            labels.append(Label(item["file"], key, item["title"], item["label"], item["evidence"]))
    return labels


def _level(source: str, key: str, kwargs: dict[str, Any]) -> str:
    if "__data__" in kwargs:
        return str(kwargs["__data__"].job_level)
    accepted = quality_remote._accepted()
    known = {k: v for k, v in kwargs.items() if k in accepted and k not in ("source", "external_id", "skills")}
    return str(normalize.build_job_data(source=source, external_id=key, skills=[], **known).job_level)


def levels(labels: Iterable[Label]) -> dict[tuple[str, str], str]:
    """{(file, key): the level the normalizer gives} for every labelled posting."""
    wanted = {(label.file, label.key) for label in labels}
    found: dict[tuple[str, str], str] = {}
    for name, (path, _, _) in quality_remote.CORPORA.items():
        file = path.removeprefix("job_postings/")
        for index, kwargs in quality_remote.corpus_postings(name):
            if (file, str(index)) in wanted:
                found[(file, str(index))] = _level(name, str(index), kwargs)
    for file, key, kwargs in quality_remote.fixture_postings():
        if (file, key) in wanted:
            found[(file, key)] = _level(file.rsplit("/", 1)[-1].split("_")[0], key, kwargs)
    return found


@dataclasses.dataclass(frozen=True, slots=True)
class Score:
    n: int
    right: int
    confusion: dict[tuple[str, str], int]  # (label, got) -> count, wrong ones only

    @property
    def accuracy(self) -> float:
        return self.right / self.n if self.n else 1.0


def score(labels: Iterable[Label], found: dict[tuple[str, str], str]) -> Score:
    n = right = 0
    confusion: collections.Counter[tuple[str, str]] = collections.Counter()
    for label in labels:
        got = found[(label.file, label.key)]
        n += 1
        if got == label.label:
            right += 1
        else:
            confusion[(label.label, got)] += 1
    return Score(n, right, dict(confusion))
