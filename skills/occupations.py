"""Job titles to O*NET-SOC occupations, against a shipped table of ~56,000 titles (O*NET 29.2).

A title is read the way people write them ("Sr. Software Engineer, Backend (Remote)", "Manager, Sales",
"Staff Nurse RGN - Leeds - £30k"): parentheses, codes, seniority words and places are set aside, the
main part is looked up whole, and failing that its words are scored against every O*NET title that
shares its head noun (the role word: "Sales Manager" is a manager), rarer words weighing more. A vague
title ("Consultant", "Team Member") is read from the first lines of the description instead, with a
lower confidence. Pure Python: no Django, no database; the tables load once (~0.3 s) and a title
costs well under a millisecond (bench/README.md, "Occupations").

The data file is built by ``python -m tools.build_occupations`` (sources and licence in its header).
"""

from __future__ import annotations

import gzip
import math
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

OCCUPATIONS_PATH = Path(__file__).resolve().parent / "data" / "occupations.tsv.gz"

# Below this a title gives no occupation (tuned on the dev half of the labelled titles, bench/README.md).
MIN_CONFIDENCE = 0.35
# A vague title read from its description: at most this confident.
DESCRIPTION_CONFIDENCE = 0.6
DESCRIPTION_TOKENS = 120  # how much of the description is read (its first ~100 words)
MAX_MENTIONS = 3  # the description's first mentions of the title's role word that are read
NEAR_HEAD = 0.7  # a title word's weight is multiplied by this for each word between it and the head


@dataclass(frozen=True)
class Occupation:
    code: str  # O*NET-SOC, e.g. "17-2051.00"
    title: str  # "Civil Engineers"

    @property
    def major(self) -> str:
        """SOC major group: "17-0000"."""
        return f"{self.code[:2]}-0000"

    @property
    def minor(self) -> str:
        """SOC minor group: "17-2000"."""
        return f"{self.code[:4]}000"

    @property
    def broad(self) -> str:
        """SOC broad occupation: "17-2050"."""
        return f"{self.code[:6]}0"


@dataclass(frozen=True)
class OccupationMatch:
    occupation: Occupation
    confidence: float  # 0..1
    via: str  # "title" or "description"


# ---------------------------------------------------------------------------------------------- words

_WORD = re.compile(r"[a-z0-9]+[+#]*")


def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


_STOPWORDS = _word_set("and of the for in to a an with on at or as our we you your is are be")
# Words that do not change the occupation: seniority, grades, contract kinds, advertising noise.
_NOISE = _word_set(
    """
    senior snr sr junior jnr jr lead leading principal experienced entry level mid graduate trainee
    i ii iii iv v vi 1 2 3 4 5 remote hybrid onsite homebased contract permanent perm temp
    temporary part full time fixed term locum bank job jobs vacancy vacancies urgent urgently required
    needed wanted immediate start new opportunity role position excellent great fantastic m f d w x
    """
)
# Titles that name no occupation by themselves: read the description instead.
_VAGUE = _word_set(
    """
    associate consultant analyst specialist team member assistant executive officer coordinator
    representative advisor adviser manager administrator operative worker staff professional expert partner
    agent lead intern internship engineer technician supervisor director head support officer individual
    contributor general various multiple opportunity candidate
    """
)


def _stem(word: str) -> str:
    """Plural to singular, enough for titles: nurses -> nurse, secretaries -> secretary, analysts -> analyst."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is", "ous")):
        return word[:-1]
    return word


def title_tokens(text: str) -> list[str]:
    """The words of a title as the table keys them: lower case, singular, without "and", "of"…"""
    text = text.casefold().replace("&", " and ")
    return [_stem(word) for word in _WORD.findall(text) if word not in _STOPWORDS]


def normalize_title(text: str) -> str:
    """The table's key of a title: "Civil Engineers" -> "civil engineer"."""
    return " ".join(title_tokens(text))


# ---------------------------------------------------------------------------------------------- tables


@dataclass(frozen=True, slots=True)
class _Tables:
    occupations: dict[str, Occupation]
    majors: dict[str, str]
    titles: dict[str, str]  # normalized title -> code
    keys: list[tuple[str, ...]]  # title id -> its tokens
    codes: list[str]  # title id -> its code
    heads: dict[str, frozenset[int]]  # head word -> ids of the titles ending with it
    postings: dict[str, frozenset[int]]  # word -> ids of the titles holding it
    short: dict[str, frozenset[int]]  # word -> ids of the titles of one or two words holding it
    weight: dict[str, float]  # word -> idf
    totals: list[float]  # title id -> the sum of its words' weights


def _read(path: Path) -> _Tables:
    occupations: dict[str, Occupation] = {}
    majors: dict[str, str] = {}
    titles: dict[str, str] = {}
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("#") or not line.strip():
                continue
            kind, first, second = line.rstrip("\n").split("\t")
            if kind == "M":
                majors[first] = second
            elif kind == "O":
                occupations[first] = Occupation(first, second)
            else:
                titles[first] = second
    keys = [tuple(key.split()) for key in titles]
    codes = list(titles.values())
    heads: dict[str, set[int]] = defaultdict(set)
    postings: dict[str, set[int]] = defaultdict(set)
    for index, words in enumerate(keys):
        heads[words[-1]].add(index)
        for word in words:
            postings[word].add(index)
    total = len(keys)
    weight = {word: math.log(1 + total / len(ids)) for word, ids in postings.items()}
    short: dict[str, set[int]] = defaultdict(set)
    for index, words in enumerate(keys):
        if len(words) <= 2:
            for word in words:
                short[word].add(index)
    return _Tables(
        occupations=occupations,
        majors=majors,
        titles=titles,
        keys=keys,
        codes=codes,
        heads={word: frozenset(ids) for word, ids in heads.items()},
        postings={word: frozenset(ids) for word, ids in postings.items()},
        short={word: frozenset(ids) for word, ids in short.items()},
        weight=weight,
        totals=[sum(weight[word] for word in words) for words in keys],
    )


@cache
def _tables() -> _Tables:
    return _read(OCCUPATIONS_PATH)


def occupation(code: str) -> Occupation | None:
    """The occupation of an O*NET-SOC code ("17-2051.00"), or None."""
    return _tables().occupations.get(code)


def occupations() -> dict[str, Occupation]:
    """Every occupation by code."""
    return _tables().occupations


def major_groups() -> dict[str, str]:
    """SOC 2018 major groups: {"17-0000": "Architecture and Engineering Occupations", …}."""
    return _tables().majors


def occupation_similarity(a: str, b: str) -> float:
    """How close two O*NET-SOC codes are: 1 the same, 0.8 the same broad occupation, 0.6 the same
    minor group, 0.3 the same major group, 0 otherwise (or when either is empty)."""
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    if a[:6] == b[:6]:
        return 0.8
    if a[:4] == b[:4]:
        return 0.6
    if a[:2] == b[:2]:
        return 0.3
    return 0.0


# ---------------------------------------------------------------------------------------------- titles

_BRACKETS = re.compile(r"\([^)]*\)?|\[[^\]]*\]?|\{[^}]*\}?")
# Where a title's parts meet: "Nurse - Elderly Care - Leeds", "Software Engineer, Backend", "Sales | London".
_SEGMENTS = re.compile("\\s[-\u2013\u2014~]+\\s|[,;:|\u2022\u2013\u2014]|\\s-|-\\s|\\s/\\s")
_CODE = re.compile(r"[a-z]*\d")  # REQ1234, 30k, ****, 2026


def _words(part: str) -> list[str]:
    return [word for word in title_tokens(part) if not _CODE.match(word)]


def _significant(words: list[str]) -> list[str]:
    return [word for word in words if word not in _NOISE]


def _head_index(words: list[str], tables: _Tables) -> int:
    """Where the role word is: the last word that ends some O*NET title (places and specialisms
    after it are not: "Staff Nurse RGN Huddersfield", "Sous Chef Quality Restaurant")."""
    for index in range(len(words) - 1, -1, -1):
        if words[index] in tables.heads:
            return index
    return -1


def _main_words(title: str) -> tuple[list[str], list[str]]:
    """(the main part's words, the other parts' words). "Manager, Sales" reads as "Sales Manager"."""
    bare = _BRACKETS.sub(" ", title)
    if not _WORD.search(bare.casefold()):
        bare = title
    parts = [words for words in (_words(part) for part in _SEGMENTS.split(bare)) if _significant(words)]
    if not parts:
        return [], []
    main, rest = parts[0], [word for part in parts[1:] for word in part]
    if len(_significant(main)) == 1 and len(parts) > 1:
        # "Manager, Sales", "Engineer - Backend": the role word first, what it is of after it.
        main, rest = parts[1] + main, [word for part in parts[2:] for word in part]
    return main, rest


def _score(query: list[str], tables: _Tables) -> tuple[str, float] | None:
    """The best occupation for a title's words by weighted word overlap with O*NET's titles: a title
    whose words are all in the query and that shares the query's head scores highest."""
    words = list(dict.fromkeys(word for word in query if word in tables.postings))
    if not words or set(words) <= _VAGUE:
        return None  # nothing known, or only a role word that names no occupation ("RGN Manager")
    head_at = _head_index(words, tables)
    head = words[head_at] if head_at >= 0 else ""
    weight = tables.weight
    # The words nearest the head say most what it is: "Demand Generation Marketing Manager" is a
    # marketing manager. Each step away from the head weighs less.
    near = {
        word: weight[word] * NEAR_HEAD ** abs(head_at - at) if head_at >= 0 else weight[word]
        for at, word in enumerate(words)
    }
    query_weight = sum(near.values())
    modifier = words[head_at - 1] if head_at > 0 else ""
    # The candidates: titles ending with the head that share another word with the query; failing
    # those, the titles of one or two words that share any. Which words each holds, word by word.
    pools: dict[str, frozenset[int]] = {}
    if head:
        same_head = tables.heads[head]
        for word in words:
            if word != head and (found := tables.postings[word] & same_head):
                pools[word] = found
        if pools:
            pools[head] = frozenset().union(*pools.values())
    if not pools:
        for word in words:
            if short := tables.short.get(word):
                pools[word] = short
    overlap: defaultdict[int, float] = defaultdict(float)
    matched: defaultdict[int, float] = defaultdict(float)
    specific: set[int] = set()  # titles sharing a word that is not a mere role word
    for word, ids in pools.items():
        near_weight, word_weight = near[word], weight[word]
        for index in ids:
            overlap[index] += near_weight
            matched[index] += word_weight
        if word not in _VAGUE:
            specific |= ids
    keys, codes, totals = tables.keys, tables.codes, tables.totals
    best: dict[str, float] = {}
    for index, shared in overlap.items():
        key = keys[index]
        score = matched[index] / totals[index] * (0.4 + 0.6 * shared / query_weight)
        if key[-1] != head:
            score *= 0.6
        elif len(key) > 1 and key[-2] == modifier:
            score = min(1.0, score * 1.15)
        if index not in specific:
            score *= 0.4  # only role words in common ("Business Intern" and "Intern")
        code = codes[index]
        if score > best.get(code, 0.0):
            best[code] = score
    if not best:
        return None
    code = max(best, key=lambda c: (best[c], c))
    return code, best[code]


def _exact(words: list[str], tables: _Tables) -> tuple[str, float] | None:
    """A whole-title hit: the words as they are, then without seniority and noise words."""
    for form, confidence in ((words, 1.0), (_significant(words), 0.97)):
        code = tables.titles.get(" ".join(form))
        if code is not None:
            return code, confidence
    return None


def _from_title(title: str, tables: _Tables) -> tuple[str, float] | None:
    main, rest = _main_words(title)
    significant = _significant(main)
    if not significant or set(significant) <= _VAGUE:
        return None
    if (hit := _exact(main, tables)) is not None:
        return hit
    scored = _score(significant, tables)
    if scored is not None and rest and scored[1] < 0.9:
        # The other parts may say what the main one leaves out ("Engineer - Backend" was read above;
        # "Nurse - Elderly Care"): scored together, a little less sure.
        with_rest = _score(significant + _significant(rest), tables)
        if with_rest is not None and with_rest[1] * 0.9 > scored[1]:
            scored = with_rest[0], with_rest[1] * 0.9
    return scored


def _from_description(title: str, description: str, tables: _Tables) -> tuple[str, float] | None:
    """A vague title's occupation from the first lines of its description: where the description
    names the title's role word ("Consultant" -> "an SAP FICO consultant"), the words before it are
    read as a title; failing that, the longest O*NET title (2 to 5 words) named there. Its
    confidence stays under DESCRIPTION_CONFIDENCE."""
    text = _words(description[:2000])[:DESCRIPTION_TOKENS]
    if not text:
        return None
    role = [word for word in _significant(_main_words(title)[0]) if word in tables.heads]
    best: tuple[str, float] | None = None
    if role:
        mentions = [at for at, word in enumerate(text) if word == role[-1] and at > 0]
        for at in mentions[:MAX_MENTIONS]:
            phrase = _significant(text[max(0, at - 3) : at + 1])
            hit = _exact(phrase[-2:], tables) or _exact(phrase[-3:], tables) or _score(phrase, tables)
            if hit is not None and (best is None or hit[1] > best[1]):
                best = hit
        if best is not None:
            return best[0], DESCRIPTION_CONFIDENCE * best[1]
    found: list[tuple[int, int, str]] = []  # (length, -position, code)
    for size in range(5, 2, -1):
        for start in range(len(text) - size + 1):
            code = tables.titles.get(" ".join(text[start : start + size]))
            if code is not None:
                found.append((size, -start, code))
    if not found:
        return None
    size, _, code = max(found)
    return code, DESCRIPTION_CONFIDENCE * min(1.0, 0.2 * size)


@lru_cache(maxsize=65536)  # postings repeat titles: each distinct one is read once
def _title_hit(title: str) -> tuple[str, float] | None:
    hit = _from_title(title, _tables())
    return (hit[0], round(hit[1], 3)) if hit is not None and hit[1] >= MIN_CONFIDENCE else None


def classify_title(title: str, description: str = "") -> OccupationMatch | None:
    """The O*NET-SOC occupation a job title names, with a confidence (0..1), or None when neither the
    title nor (for a vague title) the description's first lines say it clearly enough."""
    tables = _tables()
    hit = _title_hit(title or "")
    if hit is not None:
        return OccupationMatch(tables.occupations[hit[0]], hit[1], "title")
    if description:
        found = _from_description(title or "", description, tables)
        if found is not None and found[1] >= MIN_CONFIDENCE:
            return OccupationMatch(tables.occupations[found[0]], round(found[1], 3), "description")
    return None
