"""The occupation labelled set: read the labels, run each labelled posting through the normalizer as its
source would (the loaders of ``quality_remote``) and score the O*NET-SOC code it gives.

Shared by ``ingestion/tests/test_quality_occupation.py`` (the floors) and ``bench/quality_occupation.py``
(the figures, before and after). Each label was decided by reading the title (and the posting when the
title is vague); "" is a posting whose title and text name no occupation (it should get none).
"""

from __future__ import annotations

import dataclasses
import json
import random
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ingestion import normalize
from ingestion.tests import quality_remote

LABELS = Path(__file__).resolve().parent / "data" / "quality" / "occupations.jsonl"
SPLIT_SEED = 19  # the dev/held-out split (issue 19), per posting, drawn before any result was looked at

require_shared_data = quality_remote.require_shared_data


@dataclasses.dataclass(frozen=True, slots=True)
class Label:
    file: str  # under ../shared/data
    key: str  # the 0-based data row
    title: str
    label: str  # an O*NET-SOC code, or "" (no occupation)
    evidence: str

    @property
    def split(self) -> str:
        return "dev" if random.Random(f"{SPLIT_SEED}:occupation:{self.file}:{self.key}").random() < 0.5 else "heldout"


def read_labels(path: Path = LABELS) -> list[Label]:
    labels = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            item = json.loads(line)
            labels.append(Label(item["file"], str(item["row"]), item["title"], item["label"], item["evidence"]))
    return labels


def _code(source: str, key: str, kwargs: dict[str, Any]) -> str:
    accepted = quality_remote._accepted()
    known = {k: v for k, v in kwargs.items() if k in accepted and k not in ("source", "external_id", "skills")}
    data = normalize.build_job_data(source=source, external_id=key, skills=[], **known)
    return str(getattr(data, "occupation_code", ""))  # an older revision (the bench's "before") has none


def codes(labels: Iterable[Label]) -> dict[tuple[str, str], str]:
    """{(file, key): the code the normalizer gives} for every labelled posting."""
    wanted = {(label.file, label.key) for label in labels}
    found: dict[tuple[str, str], str] = {}
    for name, (path, _, _) in quality_remote.CORPORA.items():
        for index, kwargs in quality_remote.corpus_postings(name):
            if (path, str(index)) in wanted:
                found[(path, str(index))] = _code(name, str(index), kwargs)
    return found


@dataclasses.dataclass(frozen=True, slots=True)
class Score:
    n: int  # labelled postings with an occupation
    exact: int  # the same O*NET-SOC code
    broad: int  # the same SOC broad occupation ("17-2050")
    major: int  # the same SOC major group ("17-0000")
    classified: int  # postings given any code
    wrong_none: int  # postings labelled "" that got a code

    def share(self, count: int) -> float:
        return count / self.n if self.n else 1.0


def score(labels: Iterable[Label], found: dict[tuple[str, str], str]) -> Score:
    n = exact = broad = major = classified = wrong_none = 0
    for label in labels:
        got = found[(label.file, label.key)]
        if not label.label:
            wrong_none += bool(got)
            continue
        n += 1
        classified += bool(got)
        exact += got == label.label
        broad += bool(got) and got[:6] == label.label[:6]
        major += bool(got) and got[:2] == label.label[:2]
    return Score(n, exact, broad, major, classified, wrong_none)
