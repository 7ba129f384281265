"""Build matching/data/reference_df.tsv: lexeme document frequencies over O*NET's occupations.

Usage: GIGM8_VAR_DIR=… .venv/bin/python -m tools.build_reference_df [--onet DIR] [--out PATH]

The matching engine's term statistics (idf of a query's words, of a job title's words) blend
the live corpus's with these (matching.selectors.CorpusStats), so a corpus of 5 jobs still
knows that "java" is telling and "develop" is not. One document per O*NET-SOC occupation
(1,016): its title, alternate titles and sample of reported titles (the title fields), its
description and its technology examples (the body). Lexemes are
PostgreSQL's `english` ones, the same as the jobs' search_vector (one SQL round trip per batch).

O*NET 29.2 (CC BY 4.0, O*NET Resource Center, US DOL/ETA): its licence allows shipping counts
derived from it, with attribution (in the file's header). The posting corpora in
../shared/data/job_postings state no licence (and are the matching benchmark's corpus), so no
counts are derived from them.
"""

from __future__ import annotations

import argparse
import collections
import csv
import os
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_ONET = HERE.parent.parent / "shared" / "data" / "skills_taxonomy" / "onet_29_2"
DEFAULT_OUT = HERE.parent / "matching" / "data" / "reference_df.tsv"
MIN_DF = 2  # a lexeme of one occupation only is as good as unknown (df 0) and would double the file
BATCH = 200
_SOFTWARE = re.compile(r"\bsoftware\b", re.IGNORECASE)

HEADER = """\
# Reference document frequencies for matching (matching.selectors.CorpusStats blends them with the live corpus's).
# Derived from O*NET 29.2 Database (February 2025), https://www.onetcenter.org/database.html, by the
# U.S. Department of Labor, Employment and Training Administration (USDOL/ETA), under CC BY 4.0
# (https://creativecommons.org/licenses/by/4.0/). O*NET(R) is a trademark of USDOL/ETA. Modified:
# only counts of PostgreSQL 'english' lexemes per occupation are kept (built by tools/build_reference_df.py
# from Occupation Data, Alternate Titles, Sample of Reported Titles and Technology Skills' examples).
# documents = occupations; df = occupations whose text has the lexeme; title_df = whose titles have it;
# lexemes of fewer than {min_df} occupations are left out.
"""


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


def occupation_texts(onet: Path) -> dict[str, tuple[str, str]]:
    """{O*NET-SOC code: (title text, body text)}."""
    titles: dict[str, list[str]] = collections.defaultdict(list)
    bodies: dict[str, list[str]] = collections.defaultdict(list)
    for row in _rows(onet / "Occupation Data.txt"):
        titles[row["O*NET-SOC Code"]].append(row["Title"])
        bodies[row["O*NET-SOC Code"]].append(row["Description"])
    for row in _rows(onet / "Alternate Titles.txt"):
        titles[row["O*NET-SOC Code"]].append(row["Alternate Title"])
        if row["Short Title"] not in ("", "n/a"):
            titles[row["O*NET-SOC Code"]].append(row["Short Title"])
    for row in _rows(onet / "Sample of Reported Titles.txt"):
        titles[row["O*NET-SOC Code"]].append(row["Reported Job Title"])
    for row in _rows(onet / "Technology Skills.txt"):
        # The product only: its commodity title ("Document management software") and the word "software"
        # in its name ("Spreadsheet software") are in nearly every occupation.
        bodies[row["O*NET-SOC Code"]].append(_SOFTWARE.sub(" ", row["Example"]))
    codes = sorted(set(titles) | set(bodies))
    return {code: ("\n".join(titles[code]), "\n".join(bodies[code])) for code in codes}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--onet", type=Path, default=DEFAULT_ONET)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gigm8.settings.local")
    sys.path.insert(0, str(HERE.parent))
    import django

    django.setup()
    from matching.selectors import texts_lexemes

    texts = occupation_texts(args.onet)
    df: collections.Counter[str] = collections.Counter()
    title_df: collections.Counter[str] = collections.Counter()
    items = list(texts.values())
    for start in range(0, len(items), BATCH):
        batch = items[start : start + BATCH]
        title_words = texts_lexemes([title for title, _ in batch])
        body_words = texts_lexemes([body for _, body in batch])
        for in_title, in_body in zip(title_words, body_words, strict=True):
            title_df.update(set(in_title))
            df.update(set(in_title) | set(in_body))
    kept = sorted(lexeme for lexeme, count in df.items() if count >= MIN_DF)
    with args.out.open("w", encoding="utf-8") as out:
        out.write(HEADER.format(min_df=MIN_DF))
        out.write(f"documents\t{len(items)}\t{len(items)}\n")
        for lexeme in kept:
            out.write(f"{lexeme}\t{df[lexeme]}\t{title_df[lexeme]}\n")
    print(f"{len(items)} occupations, {len(kept)} lexemes (of {len(df)}) -> {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
