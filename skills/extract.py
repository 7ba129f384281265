"""Skills named in a text, against the shipped vocabulary (O*NET technologies + curated skills).

Extraction is one pass over the text's tokens through a token trie (longest match wins,
like flashtext), so its cost does not grow with the vocabulary: ~1,300 skills and their
aliases, a 3 KB posting in well under a millisecond.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from functools import cache
from pathlib import Path

VOCABULARY_PATH = Path(__file__).resolve().parent / "data" / "vocabulary.tsv"

# Words, keeping what makes a skill's name: "C++", "C#", ".NET", "Node.js", "R&D", "FP&A".
# "/" and "-" separate ("CI/CD" is two tokens, in the vocabulary as in the text). Possessive
# quantifiers match the same tokens as greedy ones here (what follows each part cannot match what
# it gave back) without keeping backtracking points: tokenizing a posting takes half the time.
_TOKEN = re.compile(r"\.?+[A-Za-z0-9]++(?:[.&][A-Za-z0-9]++)*+[+#]*+")

# Aliases that are also ordinary words are matched only as written (case-sensitive): "Go",
# "R", "C", "ML", "Spring", "Chef". Everything else ignores case.
_COMMON = frozenset(
    [
        "go",
        "r",
        "c",
        "d",
        "j",
        "s",
        "e",
        "b",
        "f",
        "m",
        "ml",
        "ai",
        "hr",
        "qa",
        "it",
        "spring",
        "chef",
        "puppet",
        "swift",
        "ruby",
        "spark",
        "hive",
        "pig",
        "storm",
        "slack",
        "zoom",
        "word",
        "access",
        "project",
        "teams",
        "excel",
        "outlook",
        "express",
        "flask",
        "rails",
        "react",
        "angular",
        "vue",
        "node",
        "make",
        "ant",
        "play",
        "dynamics",
        "visual",
        "office",
        "windows",
        "forms",
        "flow",
        "sheets",
        "docs",
        "drive",
        "keep",
        "meet",
        "edge",
        "safari",
        "opera",
        "sign",
        "notes",
        "lean",
        "audit",
        "tax",
    ]
)

_END = "\0"  # trie key under which a node keeps its (canonical, cased tokens or None)


class SkillVocabulary:
    """The vocabulary as a token trie."""

    def __init__(self, rows: Iterable[tuple[str, list[str]]]) -> None:
        self.trie: dict = {}
        self.canonical: list[str] = []
        for name, aliases in rows:
            self.canonical.append(name)
            for form in [name, *aliases]:
                self._add(form, name)

    def _add(self, form: str, canonical: str) -> None:
        tokens = _TOKEN.findall(form)
        if not tokens:
            return
        cased = len(tokens) == 1 and tokens[0].lower() in _COMMON and tokens[0] != tokens[0].lower()
        node = self.trie
        for token in tokens:
            node = node.setdefault(token.lower(), {})
        entries = node.setdefault(_END, [])
        entries.append((canonical, tokens if cased else None))

    def find(self, text: str) -> list[str]:
        """Canonical skills in order of first mention (each once)."""
        return list(dict.fromkeys(self._matches(text)))

    def count(self, text: str) -> Counter[str]:
        """How often each canonical skill is mentioned."""
        return Counter(self._matches(text))

    def _matches(self, text: str) -> Iterable[str]:
        tokens = _TOKEN.findall(text)
        # Tokens are ASCII and hold no space: lower them joined, in one call rather than one each.
        lowered = " ".join(tokens).lower().split(" ")
        trie = self.trie
        position, total = 0, len(tokens)
        while position < total:
            node = trie.get(lowered[position])
            best: tuple[int, str] | None = None
            cursor = position
            while node is not None:
                cursor += 1
                for canonical, cased in node.get(_END, ()):
                    if cased is None or cased == tokens[position:cursor]:
                        best = (cursor, canonical)
                        break
                if cursor >= total:
                    break
                node = node.get(lowered[cursor])
            if best is None:
                position += 1
            else:
                position = best[0]
                yield best[1]


def _read(path: Path) -> list[tuple[str, list[str]]]:
    rows = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("#") or not line.strip():
                continue
            name, aliases, _origin = line.rstrip("\n").split("\t")
            rows.append((name, [a for a in aliases.split("|") if a]))
    return rows


@cache
def vocabulary() -> SkillVocabulary:
    return SkillVocabulary(_read(VOCABULARY_PATH))


def extract_skills(text: str) -> list[str]:
    """Canonical skill names found in `text`, in order of first mention."""
    if not text:
        return []
    return vocabulary().find(text)


def skill_counts(text: str) -> Counter[str]:
    """Canonical skill -> number of mentions in `text`."""
    if not text:
        return Counter()
    return vocabulary().count(text)


# Where a posting lists what it requires. Skills found after such a heading (up to a heading
# of another kind) are "required"; the rest of the posting only mentions them.
_REQUIRED_HEADING = re.compile(
    r"(?im)^[\W_]{0,3}(?:minimum qualifications|basic qualifications|required (?:skills|qualifications|experience)"
    r"|requirements|what you(?:'ll| will) need|must[ -]haves?|essential(?: skills| criteria| requirements)?"
    r"|you (?:have|bring|must have|should have)|qualifications|skills (?:and|&) experience|the ideal candidate"
    r"|about you|who you are|key skills|person specification)\b[^\n]{0,40}$"
)
_OTHER_HEADING = re.compile(
    r"(?im)^[\W_]{0,3}(?:preferred qualifications|nice[ -]to[ -]haves?|bonus(?: points)?|desirable|benefits|perks"
    r"|what we offer|about us|about the (?:company|role|team)|responsibilities|what you(?:'ll| will) do"
    r"|the role|our team|salary|how to apply)\b[^\n]{0,40}$"
)


def job_skill_split(*, description: str, title: str = "", known: Iterable[str] = ()) -> tuple[list[str], list[str]]:
    """(required, mentioned) skills of a posting.

    Required: named in the title, or in a requirements section. When a posting marks no
    requirements section, every skill it names counts as required (we cannot tell).
    `known` adds skills stored on the job (e.g. from its source) as required.
    """
    mentioned = extract_skills(description)
    required_text = _required_sections(description)
    required = list(mentioned) if required_text is None else extract_skills(required_text)
    for skill in [*extract_skills(title), *known]:
        if skill not in required:
            required.append(skill)
    optional = [skill for skill in mentioned if skill not in required]
    return required, optional


def _required_sections(text: str) -> str | None:
    starts = [(m.start(), m.end(), True) for m in _REQUIRED_HEADING.finditer(text)]
    if not starts:
        return None
    stops = [(m.start(), m.end(), False) for m in _OTHER_HEADING.finditer(text)]
    marks = sorted(starts + stops)
    parts = []
    for index, (_, end, is_required) in enumerate(marks):
        if not is_required:
            continue
        stop = marks[index + 1][0] if index + 1 < len(marks) else len(text)
        parts.append(text[end:stop])
    return "\n".join(parts)
