"""The skills labelled sets: read the labels, run each labelled posting through the normalizer as its
source would (the loaders of ``quality_remote``), and score the skills it gives.

Shared by ``ingestion/tests/test_quality_skills.py`` (the targets) and ``bench/quality_skills.py`` (the
figures, before and after). Two sets (see the README beside them):

- ``skills.jsonl``: (posting, skill) pairs the extractor gave, each labelled true (the job asks for or
  uses the skill) or false, with the evidence. Precision = true pairs / labelled pairs extracted.
- ``skills_recall.jsonl``: for 40 of those postings, every vocabulary skill a reader expects.
  Recall = expected skills extracted / expected skills.

And two check sets labelled after the rules of the first set were written (issue 16, second part):

- ``skills_check.jsonl``: every pair extracted from 26 other postings, labelled like ``skills.jsonl``.
- ``skills_dropped.jsonl``: 40 pairs that the second round of rules drops, labelled the same way: a rule
  is right to drop a false pair.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import random
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ingestion import normalize
from ingestion.tests import quality_remote

SHARED_DATA = quality_remote.SHARED_DATA
LABELS = Path(__file__).resolve().parent / "data" / "quality" / "skills.jsonl"
RECALL = Path(__file__).resolve().parent / "data" / "quality" / "skills_recall.jsonl"
CHECK = Path(__file__).resolve().parent / "data" / "quality" / "skills_check.jsonl"
DROPPED = Path(__file__).resolve().parent / "data" / "quality" / "skills_dropped.jsonl"
SPLIT_SEED = 16  # the dev/held-out split (issue 16), per posting, drawn before any result was looked at
TARGET_PRECISION = 0.90
TARGET_RECALL = 0.85

# Skills the vocabulary renamed after the labels were written, so that both revisions are scored alike.
SAME_SKILL = {"Driving": "Driving Licence", "DOE": "Design of experiments"}

require_shared_data = quality_remote.require_shared_data


def _skill(name: str) -> str:
    return SAME_SKILL.get(name, name)


def split_of(file: str, key: str) -> str:
    """dev or heldout, per posting: a seeded draw fixed before any result was seen."""
    return "dev" if random.Random(f"{SPLIT_SEED}:skills:{file}:{key}").random() < 0.5 else "heldout"


@dataclasses.dataclass(frozen=True, slots=True)
class Pair:
    file: str
    key: str  # the row index (corpora) or the posting's id (API fixtures, careers pages)
    skill: str
    label: bool
    evidence: str

    @property
    def posting(self) -> tuple[str, str]:
        return self.file, self.key

    @property
    def split(self) -> str:
        return split_of(self.file, self.key)


@dataclasses.dataclass(frozen=True, slots=True)
class Expected:
    file: str
    key: str
    skills: frozenset[str]

    @property
    def posting(self) -> tuple[str, str]:
        return self.file, self.key

    @property
    def split(self) -> str:
        return split_of(self.file, self.key)


def _key(item: dict[str, Any]) -> str:
    return str(item.get("row", item.get("id")))


def read_pairs(path: Path = LABELS) -> list[Pair]:
    items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [Pair(i["file"], _key(i), _skill(i["skill"]), bool(i["label"]), i["evidence"]) for i in items]


def read_expected(path: Path = RECALL) -> list[Expected]:
    items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [Expected(i["file"], _key(i), frozenset(_skill(s) for s in i["skills"])) for i in items]


@functools.cache
def _accepted() -> frozenset[str]:
    return quality_remote._accepted()


def _skills_of(source: str, key: str, kwargs: dict[str, Any]) -> list[str]:
    if "__data__" in kwargs:
        return list(kwargs["__data__"].skills)
    known = {k: v for k, v in kwargs.items() if k in _accepted() and k not in ("source", "external_id", "skills")}
    return list(normalize.build_job_data(source=source, external_id=key, **known).skills)


def extracted(postings: Iterable[tuple[str, str]]) -> dict[tuple[str, str], list[str]]:
    """{(file, key): skills the normalizer gives} for the given postings."""
    wanted = set(postings)
    found: dict[tuple[str, str], list[str]] = {}
    for name, (path, _, _) in quality_remote.CORPORA.items():
        file = path.removeprefix("job_postings/")
        for index, kwargs in quality_remote.corpus_postings(name):
            if (file, str(index)) in wanted:
                found[(file, str(index))] = [_skill(s) for s in _skills_of(name, str(index), kwargs)]
    for file, key, kwargs in quality_remote.fixture_postings():
        if (file, key) in wanted:
            found[(file, key)] = [_skill(s) for s in _skills_of(file.rsplit("/", 1)[-1].split("_")[0], key, kwargs)]
    return found


@dataclasses.dataclass(frozen=True, slots=True)
class Precision:
    postings: int
    extracted: int  # skills extracted on these postings
    labelled: int  # of which labelled
    true: int
    unlabelled: tuple[tuple[str, str, str], ...]  # (file, key, skill) extracted but not in the labels

    @property
    def precision(self) -> float:
        return self.true / self.labelled if self.labelled else 1.0

    @property
    def per_job(self) -> float:
        return self.extracted / self.postings if self.postings else 0.0


def precision(pairs: Iterable[Pair], found: dict[tuple[str, str], list[str]]) -> Precision:
    labels = {(p.file, p.key, p.skill): p.label for p in pairs}
    postings = {(file, key) for file, key, _ in labels}
    total = labelled = true = 0
    unlabelled = []
    for posting in sorted(postings):
        for skill in found[posting]:
            total += 1
            label = labels.get((*posting, skill))
            if label is None:
                unlabelled.append((*posting, skill))
            else:
                labelled += 1
                true += label
    return Precision(len(postings), total, labelled, true, tuple(unlabelled))


@dataclasses.dataclass(frozen=True, slots=True)
class Recall:
    postings: int
    expected: int
    found: int
    missed: tuple[tuple[str, str, str], ...]

    @property
    def recall(self) -> float:
        return self.found / self.expected if self.expected else 1.0


def recall(items: Iterable[Expected], found: dict[tuple[str, str], list[str]]) -> Recall:
    expected = hit = postings = 0
    missed = []
    for item in items:
        postings += 1
        got = set(found[item.posting])
        expected += len(item.skills)
        hit += len(item.skills & got)
        missed += [(item.file, item.key, skill) for skill in sorted(item.skills - got)]
    return Recall(postings, expected, hit, tuple(missed))


@dataclasses.dataclass(frozen=True, slots=True)
class Dropped:
    """Labelled pairs of ``skills_dropped.jsonl`` that the extractor no longer gives."""

    labelled: int
    dropped: int
    dropped_false: int  # rightly dropped
    dropped_true: tuple[tuple[str, str, str], ...]  # wrongly dropped

    @property
    def right(self) -> float:
        return self.dropped_false / self.dropped if self.dropped else 1.0


def dropped(pairs: Iterable[Pair], found: dict[tuple[str, str], list[str]]) -> Dropped:
    labelled = right = 0
    wrong = []
    for pair in pairs:
        labelled += 1
        if pair.skill in found[pair.posting]:
            continue
        if pair.label:
            wrong.append((pair.file, pair.key, pair.skill))
        else:
            right += 1
    return Dropped(labelled, right + len(wrong), right, tuple(wrong))
