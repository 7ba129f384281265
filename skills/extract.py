"""Skills named in a text, against the shipped vocabulary (O*NET technologies + curated skills).

Extraction is one pass over the text's tokens through a token trie (longest match wins,
like flashtext), so its cost does not grow with the vocabulary: ~1,300 skills and their
aliases. Names that are also words or boilerplate (C, R, Go, BASIC, Act!, SAN, Recruitment, a
department named in passing…) are then checked in their context (the rules under "context
rules"); a 2 KB posting takes under a millisecond.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path

VOCABULARY_PATH = Path(__file__).resolve().parent / "data" / "vocabulary.tsv"

# Words, keeping what makes a skill's name: "C++", "C#", ".NET", "Node.js", "R&D", "FP&A".
# "/" and "-" separate ("CI/CD" is two tokens, in the vocabulary as in the text). Possessive
# quantifiers match the same tokens as greedy ones here (what follows each part cannot match what
# it gave back) without keeping backtracking points: tokenizing a posting takes half the time.
_TOKEN = re.compile(r"\.?+[A-Za-z0-9]++(?:[.&][A-Za-z0-9]++)*+[+#]*+")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Aliases that are also ordinary words are matched only as written (case-sensitive): "Go",
# "R", "C", "ML", "Spring", "Chef". Everything else ignores case.
_COMMON = _words(
    "go r c d j s e b f m ml ai hr qa it spring chef puppet swift ruby spark hive pig storm slack "
    "zoom word access project teams excel outlook express flask rails react angular vue node make ant "
    "play dynamics visual office windows forms flow sheets docs drive keep meet edge safari opera "
    "sign notes lean audit tax"
    # Issue 16: "basic salary", "act as", "San Francisco", "4,300 CAD", "the rest of the team".
    " basic act san cad rest"
)

_END = "\0"  # trie key under which a node keeps its (canonical, cased tokens or None)


# ---------------------------------------------------------------------------------------------- context rules
# Issue 16: on real postings some names are mostly something else. Each rule below looks at one mention in
# its context and says whether it names the skill; the figures are in bench/README.md (Data quality, skills),
# measured on the labelled sample ingestion/tests/data/quality/skills.jsonl.


@dataclasses.dataclass(frozen=True, slots=True)
class _Mention:
    """One match: tokens [first, end) of `text` (lowered tokens and their character spans)."""

    text: str
    lowered: list[str]
    spans: list[tuple[int, int]]
    first: int
    end: int
    in_title: bool
    # Character ranges whose mentions do not count: benefits sections and boilerplate sentences.
    ignored: tuple[tuple[int, int], ...] = ()

    @property
    def form(self) -> str:
        return " ".join(self.lowered[self.first : self.end])

    @property
    def start_char(self) -> int:
        return self.spans[self.first][0]

    @property
    def end_char(self) -> int:
        return self.spans[self.end - 1][1]

    def before(self, count: int) -> list[str]:
        return self.lowered[max(0, self.first - count) : self.first]

    def after(self, count: int) -> list[str]:
        return self.lowered[self.end : self.end + count]

    def near(self, words: frozenset[str], window: int = 6) -> bool:
        return any(word in words for word in (*self.before(window), *self.after(window)))


# A sentence ends at . ! ? ; or a line end, but not at the full stop of an abbreviation followed by a space:
# "ABL, Inc. Human Resources must approve …", "e.g. Python", "U.S. citizens".
_STOP = re.compile(r"[.!?;\n]")
_WORD_BEFORE = re.compile(r"(?<![\w.])[A-Za-z]+$")
_ABBREVIATIONS = _words("inc ltd co corp llc plc etc vs approx no st dr mr mrs ms jr sr dept")


def _is_stop(text: str, at: int) -> bool:
    if text[at] != "." or not text[at + 1 : at + 2].isspace():
        return True
    word = _WORD_BEFORE.search(text, max(0, at - 12), at)
    return word is None or (len(word.group()) > 1 and word.group().lower() not in _ABBREVIATIONS)


def _sentence_around(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence holding text[start:end]."""
    begin = 0
    for found in _STOP.finditer(text, max(0, start - 2000), start):
        if _is_stop(text, found.start()):
            begin = found.end()
    stop = next((found.start() for found in _STOP.finditer(text, end) if _is_stop(text, found.start())), len(text))
    return begin, stop


# Programming languages named by a letter or a word: "C", "R", "Go", "BASIC", "Swift". Written as is (see
# _COMMON) and near another language or a word about code: "Python, R or SAS", "C/C++", "Go or Python".
# "C-level", "Go-to-Market", "Oracle Applications R12", "basic salary" and "Basic Qualifications" are not.
_LANGUAGE_CUES = _words(
    "programming language languages coding code scripting scripts python java javascript sql c++ c# "
    "sas matlab scala julia perl ruby rust kotlin golang stata spss fortran cobol php typescript "
    "haskell bash shell lisp lua assembly assembler vba .net pascal ada erlang elixir clojure ocaml"
)
_SWIFT_CUES = _LANGUAGE_CUES | _words("ios xcode swiftui cocoa objective android")
_CHEF_CUES = _words("puppet ansible salt saltstack terraform cfengine devops configuration")
_SAN_CUES = _words("storage nas iscsi fibre fiber emc netapp raid backup vmware disk disks")


def _programming_language(mention: _Mention) -> bool:
    form = mention.form
    if form not in ("c", "r", "go", "basic", "swift"):
        return True  # a long form ("golang", "Beginner's all-purpose symbolic instruction code") is enough
    if mention.text[mention.end_char : mention.end_char + 1] in ("*", "'", "\u2019"):
        return False  # "R****" (a masked release number), "C's"
    if form == "go" and mention.after(1) in (["to"], ["live"], ["ahead"]):
        return False
    cues = _SWIFT_CUES if form == "swift" else _LANGUAGE_CUES
    if mention.in_title:
        cues = cues | {"developer", "engineer", "programmer"}
    return mention.near(cues)


def _chef(mention: _Mention) -> bool:
    return mention.near(_CHEF_CUES)  # a Chef de Partie is a cook


def _act(mention: _Mention) -> bool:
    # The CRM is written "Act!"; the verb and "the Immigration Act" are not.
    return mention.text[mention.end_char : mention.end_char + 1] == "!"


def _storage_area_network(mention: _Mention) -> bool:
    return mention.form != "san" or mention.near(_SAN_CUES)  # "San Francisco", "SAN DIEGO"


_AMOUNT_BEFORE = re.compile(r"[\d*][\d,.*]*\s*$")


def _cad(mention: _Mention) -> bool:
    # "4,300 CAD" is Canadian dollars.
    return not _AMOUNT_BEFORE.search(mention.text[max(0, mention.start_char - 16) : mention.start_char])


_BENEFIT_AFTER = _words("plan plans insurance cover scheme benefit benefits pension cash")


def _healthcare(mention: _Mention) -> bool:
    # "private healthcare", "Health Care Plans", "(Healthcare / Pension / Bonus)" are benefits.
    return mention.before(1) != ["private"] and not any(word in _BENEFIT_AFTER for word in mention.after(1))


# "Recruitment" is in most UK postings as the agency's name ("In Touch Recruitment are working on behalf
# of …"), "we are currently recruiting", "the recruitment process", "recruiting scams". It names the skill
# in a title (Recruiter, Recruitment Consultant), as an unambiguous alias (talent acquisition, headhunting),
# or next to a word about doing it: "staff recruitment", "recruitment, training and appraisals", "internal
# recruiting", "recruitment experience".
_RECRUITING_WORDS = frozenset(("recruitment", "recruiting", "recruiter", "recruiters"))
# ("selection" and "full" are left out: "Clear Selection Recruitment" is an agency, "recruiting for one full
# time RGN" an advert; "recruitment and selection" and "full cycle recruiting" are aliases of their own.)
_RECRUITING_DUTY = _words(
    "staff retention induction onboarding training appraisal appraisals interviewing interviews "
    "sourcing cycle campus technical internal volume graduate screening resourcing"
)
# The agency, its team and its consultants, the process a candidate goes through, the scams.
_RECRUITING_OTHER = _words(
    "agency agencies agent agents process processes scam scams partner partners firm firms "
    "consultancy consultant consultants team manager ltd limited decisions hiring promotion"
)


def _recruitment(mention: _Mention) -> bool:
    if mention.in_title or mention.form not in _RECRUITING_WORDS:
        return True
    context = {*mention.before(3), *mention.after(3)}
    if context & _RECRUITING_OTHER:
        return False
    # "recruitment experience", "experience in recruitment"; not "(dependent on experience) Eclypse Recruitment".
    experience = mention.after(1) == ["experience"] or mention.before(2) in (["experience", "in"], ["experience", "of"])
    return experience or bool(context & _RECRUITING_DUTY)


_COMPETITIVE = _words("competitive attractive generous excellent great offer offers")


def _compensation_and_benefits(mention: _Mention) -> bool:
    return not _COMPETITIVE & set(mention.before(3))  # "competitive compensation and benefits" is a perk


# Another team named in passing: "partner with our Product, Marketing and Engineering teams", "with
# data science peers", "shared with sales, and marketing organizations". The skill of a department is the
# job's only when the posting names it otherwise too (the title, a requirement).
_WITH_BEFORE = re.compile(r"\b(?:with|across|alongside|including|between|among|such as)\b", re.IGNORECASE)
_TEAM_AFTER = re.compile(
    r"^\W*(?:[\w&/-]+\W+){0,5}?(?:teams?|peers|organi[sz]ations?|departments?|functions|groups|colleagues|"
    r"counterparts|stakeholders|leads|leaders|partners)\b",
    re.IGNORECASE,
)


# "Work with Product Management, and DevOps", "collaborate with Product, Engineering, and Data Science",
# "stakeholders including Product Management, Engineering, Brand Marketing, Sales".
# An adverb may stand between ("work closely with", "work cross-functionally with"); stakeholders may be
# "across" the teams ("influencing stakeholders across Sales, Product, Engineering").
_WORK_WITH_BEFORE = re.compile(
    r"\b(?:(?:work|partner|collaborate|liaise|coordinate|interface|engage)(?:s|d|ing)?(?: [\w-]+ly)? with"
    r"|(?:teams?|stakeholders|functions|departments|partners) (?:such as|including|like|across))\b",
    re.IGNORECASE,
)


def _works_with(before: str) -> bool:
    """Whether `before` ends with "work with …" / "stakeholders including …" and at most 8 words."""
    last = None
    for last in _WORK_WITH_BEFORE.finditer(before):  # noqa: B007 (the last one is wanted)
        pass
    return last is not None and len(before[last.end() :].split()) <= 9


def _department(mention: _Mention) -> bool:
    if mention.in_title:
        return True
    text, start, end = mention.text, mention.start_char, mention.end_char
    before = re.split(r"[.;:!?\n]", text[max(0, start - 80) : start])[-1]
    after = re.split(r"[.;:!?\n]", text[end : end + 60])[0]
    if _works_with(before):
        return False
    return not (_WITH_BEFORE.search(before) and _TEAM_AFTER.match(after))


# "testing", "QA" and "quality assurance" alone are software testing only about software: "developing,
# testing, documenting", "implementation, testing, and integration", "testing, observability and CI/CD";
# not "audit testing", "incrementality testing", "Quality Control/ Quality Assurance" (departments) or "the
# QA process for support agents".
_SOFTWARE_CUES = _words(
    "software code coding unit integration automation automated implementation developing development "
    "debugging ci cd observability programming selenium regression releases deployment builds"
)


def _software_testing(mention: _Mention) -> bool:
    if mention.form in ("testing", "qa", "quality assurance") and not mention.near(_SOFTWARE_CUES, window=4):
        return False
    return _department(mention)


def _sales(mention: _Mention) -> bool:
    return mention.before(1) != ["post"] and _department(mention)  # "post-sales" is customer success


def _networking(mention: _Mention) -> bool:
    # "professional networking opportunities" is meeting people, not computer networks.
    return mention.form != "networking" or mention.before(1) not in (["professional"], ["social"], ["business"])


def _performance_management(mention: _Mention) -> bool:
    return mention.before(1) != ["enterprise"]  # Enterprise Performance Management is finance software


# "a communication", "any communication" is a message ("If you're ever unsure about a communication, don't
# click any links"), not the skill.
def _communication(mention: _Mention) -> bool:
    return mention.before(1) not in (["a"], ["an"], ["any"], ["this"], ["that"], ["une"])


def _recruitment_rules(mention: _Mention) -> bool:
    return _recruitment(mention) and _department(mention)


_DEPARTMENTS = (
    "Marketing",
    "Product Management",
    "Data Science",
    "Data Engineering",
    "DevOps",
    "Accounting",
    "Account Management",
    "Operations Management",
    "Human Resources",
    "Quality Control",
    "Business Development",
    "Customer Service",
    "Legal Research",
)
# Aliases that name a person doing the skill. In a description they mostly name someone else: "oversee data
# scientist and data engineer outputs", "a support network of nurses", "supporting the project manager",
# "Answer Nurse call system", an agency's list of the jobs it fills. They count in the title, or when the
# text says the hire is (or was) one: "as a Data Analyst", "a Registered Nurse", "an experienced Project
# Manager", "experience as a Customer Success Manager, Account Manager, …", "a quantitative analyst / data
# scientist": walking back over at most 6 words, "a", "an" or "as" comes before a word that points at
# someone else ("the", "our", "with", "of", …).
_PERSON_FORMS = frozenset(
    (
        "data scientist",
        "data engineer",
        "data analyst",
        "business analyst",
        "nurse",
        "nurses",
        "registered nurse",
        "staff nurse",
        "teacher",
        "project manager",
        "product manager",
        "program manager",
        "operations manager",
        "account manager",
        "product owner",
        "graphic designer",
        "web developer",
        "system administrator",
        "civil engineer",
        "electrical engineer",
        "mechanical engineer",
        "physiotherapist",
        "pharmacist",
        "personal trainer",
    )
)
_THE_HIRE = frozenset(("a", "an", "as"))
_SOMEONE_ELSE = _words("the our your their his her its this that these those with to of for by from other all any each")


def _is_the_hire(mention: _Mention) -> bool:
    if mention.in_title or mention.form not in _PERSON_FORMS:
        return True
    for word in reversed(mention.before(6)):
        if word in _THE_HIRE:
            return True
        if word in _SOMEONE_ELSE:
            return False
    return False


_RULES: dict[str, Callable[[_Mention], bool]] = {
    **dict.fromkeys(_DEPARTMENTS, _department),
    "Software Testing": _software_testing,
    "Communication": _communication,
    "Sales": _sales,
    "Networking": _networking,
    "Performance Management": _performance_management,
    **dict.fromkeys(("C", "R", "Go", "BASIC", "Swift"), _programming_language),
    "Chef": _chef,
    "Act!": _act,
    "SAN": _storage_area_network,
    "CAD": _cad,
    "Healthcare": _healthcare,
    "Recruitment": _recruitment_rules,
    "Compensation and Benefits": _compensation_and_benefits,
}

# Statements every posting carries and that name no skill of the job: equal opportunity, accommodation,
# E-Verify, recruiting scams, agencies ("All hiring and advancement decisions …", "with respect to
# recruitment, hiring, promotion …", "Beware of recruiting scams", "we may partner with vetted recruiting
# agencies"). A mention inside such a sentence does not count.
_BOILERPLATE = re.compile(
    r"equal (?:employment )?opportunit|affirmative action|regardless of|protected (?:veteran|status|characteristic)"
    r"|without regard|discriminat|reasonable accommodation|e-verify|fair chance|scams?\b|unsolicited"
    r"|recruit\w* agenc|employment agenc|employment business|privacy (?:notice|policy)|background check",
    re.IGNORECASE,
)
_PERK_HINTS = ("benefit", "perks", "we offer", "in it for you", "why join", "why work")
# A web address names pages, not skills: "people.com/health/teacher-brain-tumor", "careers.example.com/data-science".
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_URL_HINTS = ("http", "www.")
_BOILERPLATE_HINTS = (
    "opportunit",
    "affirmative",
    "regardless",
    "protected",
    "without regard",
    "discriminat",
    "accommodation",
    "verify",
    "fair chance",
    "scam",
    "unsolicited",
    "agenc",
    "employment business",
    "privacy",
    "background check",
)


# A benefits section ("Benefits", "Perks", "What we offer" on a line of its own, up to the next heading of
# another kind) lists what the employer gives: "Life Insurance (Basic …)", "cooking classes", "Pre-Tax
# Commuter Benefits", "private healthcare".
_PERKS_HEADING = re.compile(
    r"(?im)^[\W_]{0,3}(?:(?:our |the )?benefits|perks|(?:benefits|perks) (?:and|&) (?:perks|benefits)"
    r"|what we offer|we offer|what(?:'s| is) in it for you|why (?:join|work)[^\n]{0,30})\s*:?\s*$"
)
_NEXT_HEADING = re.compile(r"(?m)^[\W_]{0,3}[A-Z][^\n.]{0,50}$")


def _ignored_ranges(text: str) -> tuple[tuple[int, int], ...]:
    """Benefits sections and boilerplate sentences of `text`.

    The boilerplate pattern is tried only around the words it needs (a plain substring search is ~20x
    cheaper than running the pattern over a whole posting); casefolding keeps positions but for rare
    characters, which the window's slack absorbs.
    """
    folded = text.casefold()
    sentences = set()
    for hint in _BOILERPLATE_HINTS:
        at = folded.find(hint)
        while at != -1:
            offset = max(0, at - 40)
            found = _BOILERPLATE.search(text, offset, at + 60)
            if found:
                sentences.add(_sentence_around(text, found.start(), found.end()))
            at = folded.find(hint, at + len(hint))
    perks = _perk_sections(text) if any(hint in folded for hint in _PERK_HINTS) else ()
    urls = tuple(found.span() for found in _URL.finditer(text)) if any(h in folded for h in _URL_HINTS) else ()
    return (*perks, *sorted(sentences), *urls)


def _perk_sections(text: str) -> tuple[tuple[int, int], ...]:
    sections = []
    for heading in _PERKS_HEADING.finditer(text):
        following = (m for m in _NEXT_HEADING.finditer(text, heading.end() + 1) if _is_heading(m.group()))
        stop = next(following, None)
        sections.append((heading.end(), stop.start() if stop else len(text)))
    return tuple(sections)


def _is_heading(line: str) -> bool:
    """A line that starts another section: "Requirements", "What you'll be doing:"."""
    if _PERKS_HEADING.match(line):
        return False
    return line.rstrip().endswith(":") or bool(_REQUIRED_HEADING.match(line) or _OTHER_HEADING.match(line))


def _accepted(canonical: str, mention: _Mention) -> bool:
    rule = _RULES.get(canonical)
    if rule is not None and not rule(mention):
        return False
    if not _is_the_hire(mention):
        return False
    if mention.in_title:
        return True
    start = mention.start_char
    return not any(begin <= start < end for begin, end in mention.ignored)


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

    def find(self, text: str, *, in_title: bool = False) -> list[str]:
        """Canonical skills in order of first mention (each once)."""
        return list(dict.fromkeys(self._matches(text, in_title=in_title)))

    def count(self, text: str) -> Counter[str]:
        """How often each canonical skill is mentioned."""
        return Counter(self._matches(text))

    def _matches(self, text: str, *, in_title: bool = False) -> Iterable[str]:
        tokens = _TOKEN.findall(text)
        spans: list[tuple[int, int]] | None = None  # character spans, computed once a mention needs its context
        # Most texts hold no boilerplate statement: a plain substring test spares the sentence check.
        folded = text.casefold()
        check_sentences = not in_title and any(
            hint in folded for hint in (*_BOILERPLATE_HINTS, *_PERK_HINTS, *_URL_HINTS)
        )
        ignored: tuple[tuple[int, int], ...] | None = None
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
                continue
            end, canonical = best
            if canonical in _RULES or check_sentences or " ".join(lowered[position:end]) in _PERSON_FORMS:
                if spans is None:
                    spans = list(map(re.Match.span, _TOKEN.finditer(text)))
                if ignored is None:
                    ignored = _ignored_ranges(text) if check_sentences else ()
                mention = _Mention(text, lowered, spans, position, end, in_title, ignored)
                if not _accepted(canonical, mention):
                    position += 1  # a shorter name inside may still count ("Visual Basic" never gets here)
                    continue
            position = end
            yield canonical


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


def extract_skills(text: str, *, title: str = "") -> list[str]:
    """Canonical skill names found in `title` and `text`, in order of first mention (the title's first).

    A posting's title is passed apart: the context rules read it as a title (a "Recruiter" title names
    the skill; "recruiting" in a description needs a recruiting context).
    """
    found = vocabulary().find(title, in_title=True) if title else []
    if text:
        found += vocabulary().find(text)
    return list(dict.fromkeys(found))


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
    for skill in [*extract_skills("", title=title), *known]:
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
