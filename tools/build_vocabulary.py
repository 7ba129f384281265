"""Build skills/data/vocabulary.tsv from O*NET Technology Skills plus curated skills.

Usage: .venv/bin/python -m tools.build_vocabulary [--onet PATH] [--out PATH]

O*NET 29.2 (CC BY 4.0) names 8,768 technologies; we keep the ones O*NET flags as "hot" or
links to at least three occupations (the rest are niche products that mostly add noise),
give each a short canonical name ("Structured query language SQL" -> "SQL", "Oracle Java"
-> "Java") and keep the long forms as aliases. Then the curated skills below: concepts and
non-software skills that O*NET's technology list lacks, and the aliases people write
("JS", "k8s", "Postgres", "golang"). The output ships with the project (attribution in its
header and in the README); run this again when either input changes.
"""

from __future__ import annotations

import argparse
import collections
import csv
import re
import sys
from pathlib import Path
from typing import TypedDict

HERE = Path(__file__).resolve().parent
DEFAULT_ONET = HERE.parent.parent / "shared" / "data" / "skills_taxonomy" / "onet_29_2" / "Technology Skills.txt"
DEFAULT_OUT = HERE.parent / "skills" / "data" / "vocabulary.tsv"
MIN_OCCUPATIONS = 3
# The word lists the build reads (data, edited by hand): tools/vocabulary/*.
WORD_LISTS = HERE / "vocabulary"


def _lines(name: str) -> list[str]:
    """The non-blank, non-comment lines of a word list."""
    text = (WORD_LISTS / name).read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.strip() and not line.startswith("#")]


VENDORS = tuple(_lines("vendors.txt"))
COMMON_WORDS = frozenset(_lines("common_words.txt"))
CURATED: dict[str, list[str]] = {
    name: [a for a in aliases.split("|") if a]
    for name, _, aliases in (line.partition("\t") for line in _lines("curated.tsv"))
}

GENERIC_KINDS = frozenset(_lines("generic_kinds.txt"))
DROPPED_FORMS = frozenset(form.casefold() for form in _lines("dropped_forms.txt"))
_ACRONYM = re.compile(r"^[A-Z][A-Z0-9.+#/&-]{1,7}$")


def clean_onet_name(example: str) -> tuple[str, list[str]]:
    """("Structured query language SQL" -> "SQL", its long forms as aliases)."""
    aliases: list[str] = []
    name = example.strip()
    if name.endswith(" software") and len(name) > len(" software") + 1:
        aliases.append(name)
        name = name[: -len(" software")].strip()
    words = name.split()
    if len(words) >= 3 and _ACRONYM.match(words[-1]) and not any(_ACRONYM.match(w) for w in words[:-1]):
        # "Hypertext markup language HTML": the acronym is the name people write.
        aliases.append(name)
        aliases.append(" ".join(words[:-1]))
        name = words[-1]
    for vendor in VENDORS:
        if name.startswith(vendor + " ") and len(name) > len(vendor) + 2:
            product = name[len(vendor) + 1 :]
            if product.lower() not in COMMON_WORDS and len(product) > 2:
                aliases.append(name)
                name = product
            break
    aliases = [alias for alias in dict.fromkeys(aliases) if alias.lower() != name.lower()]
    return name, aliases


class _Entry(TypedDict):
    aliases: list[str]
    source: str


def build(onet_path: Path) -> list[tuple[str, list[str], str]]:
    """Rows (canonical, aliases, source) sorted by canonical name."""
    occupations: dict[str, set[str]] = collections.defaultdict(set)
    hot: dict[str, bool] = collections.defaultdict(bool)
    with onet_path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            example = row["Example"].strip()
            occupations[example].add(row["O*NET-SOC Code"])
            hot[example] |= row["Hot Technology"] == "Y"
    entries: dict[str, _Entry] = {}
    index: dict[str, str] = {}  # lower-cased name or alias -> canonical key

    def add(name: str, aliases: list[str], source: str) -> None:
        key = index.get(name.lower())
        if key is None:
            for alias in aliases:
                key = index.get(alias.lower())
                if key is not None:
                    break
        if key is None:
            key = name
            entries[key] = {"aliases": [], "source": source}
            index[name.lower()] = key
        elif source == "curated" and entries[key]["source"] == "onet" and name != key:
            # A curated name is the better display name; keep O*NET's as an alias.
            entry = entries.pop(key)
            entry["aliases"].append(key)
            entries[name] = entry
            for lowered, target in list(index.items()):
                if target == key:
                    index[lowered] = name
            key = name
            index[name.lower()] = key
        for alias in aliases:
            if alias.lower() not in index:
                index[alias.lower()] = key
                entries[key]["aliases"].append(alias)
        if source == "curated":
            entries[key]["source"] = "onet+curated" if entries[key]["source"] != "curated" else "curated"

    for example in sorted(occupations):
        if hot[example] or len(occupations[example]) >= MIN_OCCUPATIONS:
            name, aliases = clean_onet_name(example)
            if name in GENERIC_KINDS:
                continue
            add(name, aliases, "onet")
    for name, aliases in CURATED.items():
        add(name, aliases, "curated")
    rows = [_without_dropped(key, list(entry["aliases"]), str(entry["source"])) for key, entry in entries.items()]
    return sorted((row for row in rows if row is not None), key=lambda row: row[0].lower())


def _without_dropped(name: str, aliases: list[str], source: str) -> tuple[str, list[str], str] | None:
    """The row without the forms of dropped_forms.txt; a dropped name gives way to its shortest alias."""
    kept = [alias for alias in aliases if alias.casefold() not in DROPPED_FORMS]
    if name.casefold() not in DROPPED_FORMS:
        return name, kept, source
    if not kept:
        return None
    shortest = min(kept, key=len)
    return shortest, [alias for alias in kept if alias != shortest], source


HEADER = """# gigm8 skills vocabulary: canonical name <TAB> aliases (|-separated) <TAB> origin.
# Generated by `python -m tools.build_vocabulary`; do not edit by hand (edit the word lists in tools/vocabulary/).
# Rows marked onet derive from O*NET 29.2 Technology Skills by the U.S. Department of Labor,
# Employment and Training Administration (USDOL/ETA), used under the CC BY 4.0 license
# (https://creativecommons.org/licenses/by/4.0/); names were shortened and aliases added.
# O*NET(R) is a trademark of USDOL/ETA. Rows marked curated are gigm8's own.
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--onet", type=Path, default=DEFAULT_ONET, help="O*NET 'Technology Skills.txt'")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    if not args.onet.is_file():
        print(f"O*NET file not found: {args.onet} (the shared data folder is needed to rebuild)", file=sys.stderr)
        return 1
    rows = build(args.onet)
    with args.out.open("w", encoding="utf-8") as handle:
        handle.write(HEADER)
        for name, aliases, source in rows:
            handle.write(f"{name}\t{'|'.join(aliases)}\t{source}\n")
    print(f"{len(rows)} skills, {sum(len(a) for _, a, _ in rows)} aliases -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
