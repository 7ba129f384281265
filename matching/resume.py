"""A resume read as a resume: its sections, work history (titles and dates), years of experience.

Pure and fast (regular expressions over the text, no I/O): a resume of a few pages reads in a
millisecond or two, so a match can afford it on every request.

`resume_read(text)` gives a ResumeProfile:
- `sections`: the text of each section its headings mark (matching.text.resume_sections);
- `roles`: the work-history entries that carry a date range ("Software Engineer, Acme Corp —
  Jan 2019 - Present", "2015-2018 Civil Engineer at …", "Since May 2018 to till date as a Civil
  Engineer"), the most recent first; ranges in the education section or on a line about a
  degree are schooling, not work;
- `recent_titles`: the titles of those roles, most recent first (else the "Designation: …" lines
  and the headline at the top), the thing to normalize to an occupation;
- `years`: total years of experience, the roles' ranges merged where they overlap, or what the
  resume states ("8+ years of experience", "Java - Experience - 42 months") when that is more.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from matching.text import resume_sections

__all__ = ["ResumeProfile", "Role", "merged_years", "resume_read"]

MAX_ROLES = 30  # date ranges read at most (a resume listing more is a list of projects)
RECENT_TITLES = 3
EARLIEST_YEAR = 1960
LONG_LINE = 160  # a longer line is a paragraph: its title is looked for near the range only
NEAR_CHARS = 60

_MONTHS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?"
    r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_YEAR = r"(?:19[6-9]\d|20[0-4]\d)"


# One end of a range: "Jan 2019", "January, 2019", "1-Jan 2016", "24th Dec 2016", "03/2019", "2019".
def _point(n: str) -> str:
    return (
        rf"(?:(?:\d{{1,2}}(?:st|nd|rd|th)?[\s\-./]*)?(?P<{n}m>{_MONTH})[\s,'\-./]*(?P<{n}y>{_YEAR}|'\d\d)"
        rf"|(?P<{n}mm>0?[1-9]|1[0-2])\s*[/.\-]\s*(?P<{n}ny>{_YEAR})"
        rf"|(?P<{n}yy>{_YEAR}))"
    )


_NOW = r"(?P<now>present|current(?:ly)?|now|today|till\s+(?:date|now)|to\s+date|date|ongoing|continuing)"
_RANGE = re.compile(
    rf"(?<![\d/.])(?:since\s+|from\s+)?{_point('a')}\s*(?:-+|\u2013|—|~|\bto\b|\btill\b|\buntil\b|\bthrough\b)\s*"
    rf"(?:{_point('b')}|{_NOW})(?![\d/])",
    re.IGNORECASE,
)
_HAS_YEAR = re.compile(rf"{_YEAR}|'\d\d")
_SINCE = re.compile(rf"\bsince\s+{_point('a')}(?![\d/])", re.IGNORECASE)
# Schooling, not work: a range on such a line is left out of the work history.
_SCHOOL = re.compile(
    r"\b(universit|college|school|institute|academy|bachelor|master'?s? (?:degree|of)|degree|diploma|b\.?\s?tech"
    r"|certified|b\.?\s?e\b|b\.?\s?sc|m\.?\s?sc|m\.?\s?tech|mba|ph\.?d|b\.?com|hsc|ssc|graduat|course|certificat)",
    re.IGNORECASE,
)
# The head nouns of job titles: a title is a few words ending in one ("Senior Site Engineer").
_ROLE_NOUNS = (
    r"engineer|developer|programmer|architect|analyst|manager|consultant|designer|administrator|admin"
    r"|specialist|scientist|lead|director|officer|executive|assistant|associate|coordinator|supervisor"
    r"|technician|intern|trainee|tester|accountant|teacher|lecturer|professor|nurse|trainer|representative"
    r"|advis[oe]r|head|president|founder|owner|clerk|operator|writer|editor|researcher|instructor|agent|planner"
    r"|buyer|recruiter|auditor|economist|attorney|advocate|lawyer|chef|cook|driver|electrician|mechanic"
    r"|foreman|surveyor|draughtsman|draftsman|inspector|estimator|incharge|in-charge|encharge|secretary"
    r"|receptionist|cashier|therapist|physician|pharmacist|dietitian|nutritionist|coach|artist|photographer"
    r"|marketer|salesman|sales ?person|member of technical staff|sdet|dba|expert|partner|strategist"
    r"|controller|cto|ceo|cfo|coo|vp"
)
_TITLE = re.compile(
    rf"(?P<title>(?:[A-Za-z][\w.+#/&'-]*\s+){{0,4}}?(?:{_ROLE_NOUNS}))(?![\w-])(?:\s+(?:of|in|for)\s+[A-Za-z][\w.+#&-]*"
    rf"(?:\s+[A-Z][\w.+#&-]*)?)?",
    re.IGNORECASE,
)
_TITLE_LEAD = re.compile(
    r"^(?:(?:as|a|an|the|at|of|worked|working|work|currently|presently|position|designation|role|title|job"
    r"|experience|professional|company|and|i|am|was|is|my|with|on|in|for|to|from|till|since|date|present)\b[\s:,-]*)+",
    re.IGNORECASE,
)
_BEFORE_TITLE = re.compile(r"\b(?:as|at|with|from|by|to|joined)\s+(?:an?\s+)?", re.IGNORECASE)
_LABELLED_TITLE = re.compile(
    r"^\W*(?:designation|position|role|job title|title|current role)\s*[:\-\u2013]\s*(?P<title>[^\n,;(]{3,60})",
    re.IGNORECASE | re.MULTILINE,
)
_STATED_YEARS = re.compile(
    r"(?P<n>\d{1,2}(?:\.\d)?)\s*\+?\s*(?:years?|yrs?)\b[^\n.]{0,25}?\bexperience|experience\b[^\n.]{0,20}?\b(?:of\s+)?"
    r"(?P<m>\d{1,2}(?:\.\d)?)\s*\+?\s*(?:years?|yrs?)\b",
    re.IGNORECASE,
)
_SKILL_MONTHS = re.compile(r"\bexp(?:e)?rience\s*-\s*(?P<months>\d{1,3})\s*months?\b", re.IGNORECASE)
MAX_STATED_YEARS = 45.0


@dataclass(frozen=True, slots=True)
class Role:
    """One dated entry of the work history. Months count from year 0 (year * 12 + month - 1)."""

    title: str  # "" when the line names no title
    start: int
    end: int  # exclusive; the current month + 1 for "present"
    current: bool
    line: str  # the line it was read from (for explanations and checks)

    @property
    def years(self) -> float:
        return (self.end - self.start) / 12


@dataclass(frozen=True, slots=True)
class ResumeProfile:
    sections: dict[str, str] = field(default_factory=dict)
    roles: tuple[Role, ...] = ()  # the most recent first
    recent_titles: tuple[str, ...] = ()  # the most recent first; what occupations are read from
    years: float | None = None  # total years of experience; None when the resume says nothing of it
    headline: str = ""  # the title-like line at the top ("Java full stack developer"), if any

    @property
    def recent_title(self) -> str:
        return self.recent_titles[0] if self.recent_titles else ""

    def summary(self) -> str:
        """ "7 years of experience; recent role: Site Engineer", for explanations a person can check."""
        said = []
        if self.years is not None:
            whole = round(self.years)
            said.append(
                "less than a year of experience" if whole < 1 else f"{whole} year{'s' * (whole != 1)} of experience"
            )
        if self.recent_title:
            said.append(f"recent role: {self.recent_title}")
        return "; ".join(said)


def resume_read(text: str, *, today: date | None = None) -> ResumeProfile:
    today = today or date.today()
    now = today.year * 12 + today.month  # exclusive end of the current month
    sections = resume_sections(text)
    education = sections.get("education", "")
    roles = _roles(text, education=education, now=now)
    titles = _unique(role.title for role in roles if role.title)
    headline = _headline(text)
    if not titles:
        titles = _unique([*(_clean_title(m.group("title")) for m in _LABELLED_TITLE.finditer(text)), headline])
    years = merged_years([(role.start, role.end) for role in roles]) if roles else None
    stated = _stated_years(text)
    if stated is not None and (years is None or stated > years):
        years = stated
    return ResumeProfile(
        sections=sections,
        roles=tuple(roles),
        recent_titles=tuple(title for title in titles if title)[:RECENT_TITLES],
        years=None if years is None else round(years, 1),
        headline=headline,
    )


def merged_years(ranges: list[tuple[int, int]]) -> float:
    """Years covered by month ranges [start, end), overlaps counted once."""
    total = 0
    current_start, current_end = None, None
    for start, end in sorted(ranges):
        if current_end is None or start > current_end:
            if current_end is not None and current_start is not None:
                total += current_end - current_start
            current_start, current_end = start, end
        else:
            current_end = max(current_end, end)
    if current_end is not None and current_start is not None:
        total += current_end - current_start
    return total / 12


# --- work history --------------------------------------------------------------------------------


def _point_of(match: re.Match[str], name: str) -> tuple[int, int | None] | None:
    """(year, month or None for a bare year) of one end of a range."""
    groups = match.groupdict()
    if groups.get(f"{name}m"):
        year = groups[f"{name}y"]
        value = int(year[1:]) + (1900 if int(year[1:]) > 50 else 2000) if year.startswith("'") else int(year)
        return value, _MONTHS[groups[f"{name}m"][:3].lower()]
    if groups.get(f"{name}mm"):
        return int(groups[f"{name}ny"]), int(groups[f"{name}mm"])
    if groups.get(f"{name}yy"):
        return int(groups[f"{name}yy"]), None
    return None


def _span(match: re.Match[str], *, now: int) -> tuple[int, int, bool] | None:
    """(start month, end month exclusive, current) of a range match, or None when it is not a plausible one.

    A bare start year starts in January; a bare end year ends there too ("2015 - 2018": three years,
    as resumes mean it), except a range within one year ("2019 - 2019"), which counts as that year.
    """
    begin = _point_of(match, "a")
    if begin is None:
        return None
    start = begin[0] * 12 + (begin[1] or 1) - 1
    current = bool(match.groupdict().get("now")) or "bm" not in match.re.groupindex
    if current:
        stop = now
    else:
        finish = _point_of(match, "b")
        if finish is None:
            return None
        stop = finish[0] * 12 + finish[1] if finish[1] else finish[0] * 12
        if finish[1] is None and stop <= start:
            stop = start + 12
    stop = min(stop, now)
    if not EARLIEST_YEAR * 12 <= start < stop or stop - start > 50 * 12:
        return None
    return start, stop, current


def _roles(text: str, *, education: str, now: int) -> list[Role]:
    lines = text.split("\n")
    offsets = []
    position = 0
    for line in lines:
        offsets.append(position)
        position += len(line) + 1
    education_span = None
    if education:
        at = text.find(education)
        education_span = (at, at + len(education)) if at >= 0 else None
    roles: list[Role] = []
    for index, line in enumerate(lines):
        if len(roles) >= MAX_ROLES:
            break
        if education_span and education_span[0] <= offsets[index] < education_span[1]:
            continue
        if not _HAS_YEAR.search(line):  # most lines: one cheap look instead of the range pattern
            continue
        found = list(_RANGE.finditer(line)) or list(_SINCE.finditer(line))
        for match in found:
            span = _span(match, now=now)
            if span is None or _SCHOOL.search(line):
                continue
            title = _title_near(_around(line, match), lines, index)
            roles.append(Role(title=title, start=span[0], end=span[1], current=span[2], line=line.strip()))
    roles.sort(key=lambda role: (-role.end, -role.start))
    return roles


def _around(line: str, match: re.Match[str]) -> str:
    """The range's line without the range; of a long line (a paragraph) only the words near it."""
    if len(line) <= LONG_LINE:
        return line[: match.start()] + " , " + line[match.end() :]
    after = line[match.end() : match.end() + NEAR_CHARS]
    before = line[max(0, match.start() - NEAR_CHARS) : match.start()]
    return after.rsplit(" ", 1)[0] + " , " + before.split(" ", 1)[-1]


def _title_near(context: str, lines: list[str], index: int) -> str:
    """The job title on the range's line, else on the line just before or after it."""
    title = _title_in(context)
    if title:
        return title
    for near in (index - 1, index + 1):
        if 0 <= near < len(lines):
            line = lines[near]
            if line.strip() and len(line.split()) <= 10 and not _RANGE.search(line) and not _SCHOOL.search(line):
                title = _title_in(line)
                if title:
                    return title
    return ""


def _title_in(text: str) -> str:
    # The first segment holding a title: "Software Engineer, Acme Corp" / "Civil Engineer at Foo".
    for segment in re.split(r"\s*(?:[,;|•(){}\[\]]|\s[-\u2013—]\s|\bat\b|\bwith\b|@)\s*", text):
        match = _TITLE.search(segment)
        if match:
            title = _clean_title(match.group(0))
            if title:
                return title
    return ""


def _clean_title(title: str) -> str:
    # "Works as a Civil Engineer", "Ltd. as Sr. Sales Executive": the title is what follows "as"/"at".
    title = _BEFORE_TITLE.split(title)[-1]
    title = _TITLE_LEAD.sub("", title.strip(" \t:-\u2013—.,*•")).strip(" \t:-\u2013—.,*•")
    if not title or len(title) > 80:
        return ""
    # "FRONTEND DEVELOPER" and "backend JAVA developer" read as "Frontend Developer", "Backend JAVA Developer".
    words = []
    for word in title.split():
        if word.isupper() and len(word) > 4:
            word = word.capitalize()
        elif word.islower() and len(word) > 2 and word not in ("of", "and", "for", "in", "the"):
            word = word[0].upper() + word[1:]
        words.append(word)
    return " ".join(words)


def _headline(text: str) -> str:
    """A title-like line among the first few: "Java full stack developer", "FRONTEND DEVELOPER"."""
    for line in [line for line in text.split("\n") if line.strip()][:6]:
        if len(line) > 200 or _SCHOOL.search(line):
            continue
        match = _TITLE.search(line[:120])
        if match and match.start() < 40:
            return _clean_title(match.group(0))
    return ""


def _stated_years(text: str) -> float | None:
    stated = [float(m.group("n") or m.group("m")) for m in _STATED_YEARS.finditer(text)]
    stated += [int(m.group("months")) / 12 for m in _SKILL_MONTHS.finditer(text)]
    stated = [value for value in stated if 0 < value <= MAX_STATED_YEARS]
    return max(stated) if stated else None


def _unique(titles: object) -> list[str]:
    seen: set[str] = set()
    kept = []
    for title in titles:  # type: ignore[attr-defined]
        key = str(title).lower()
        if title and key not in seen:
            seen.add(key)
            kept.append(str(title))
    return kept
