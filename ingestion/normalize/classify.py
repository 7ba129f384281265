"""Employment type, internship, job level and remote detection."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from typing import Any

from jobs.choices import EmploymentType, JobLevel, Remote
from jobs.rules import manages_people


def _words(value: object) -> str:
    """Lower-case words of a source's value: "FullTime", "full_time" and "Full-time" all read "full time"."""
    text = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", str(value))  # split CamelCase before folding case
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text.casefold()).split())


# ---------------------------------------------------------------------------------------------- employment type

# Phrases of a source's type field, per CTS enum name. Matched as whole words.
_EMPLOYMENT_PHRASES: dict[str, tuple[str, ...]] = {
    EmploymentType.INTERN: (
        "intern",
        "interns",
        "internship",
        "co op",
        "coop",
        "placement",
        "working student",
        "werkstudent",
        "stipend",
        "stage",
        "praktikum",
    ),
    EmploymentType.CONTRACT_TO_HIRE: ("contract to hire", "contract to perm", "temp to perm", "temp to hire"),
    EmploymentType.TEMPORARY: ("temporary", "temp", "seasonal", "fixed term", "short term", "cdd"),
    EmploymentType.CONTRACTOR: ("contract", "contractor", "contracts", "freelance", "freelancer", "1099", "c2c"),
    EmploymentType.PART_TIME: ("part time", "parttime", "part"),
    EmploymentType.VOLUNTEER: ("volunteer", "volunteering", "unpaid"),
    EmploymentType.PER_DIEM: ("per diem", "prn"),
    EmploymentType.FLY_IN_FLY_OUT: ("fly in fly out", "fifo"),
    EmploymentType.FULL_TIME: ("full time", "fulltime", "full", "permanent", "regular", "cdi", "fte"),
    EmploymentType.OTHER_EMPLOYMENT_TYPE: ("other", "other employment type"),
}
# When several values (or phrases in one value) name types, the most specific wins: Adzuna's
# part_time + permanent is PART_TIME, full_time + contract is CONTRACTOR. The dict order above is it.
_EMPLOYMENT_RES = [
    (kind, re.compile(r"\b(?:" + "|".join(re.escape(p) for p in phrases) + r")\b"))
    for kind, phrases in _EMPLOYMENT_PHRASES.items()
]


# A temporary post whose title says contract is a contractor's: Lever's "Short Term" commitment on a
# "Contract Data Engineer" posting.
_CONTRACT_TITLE_RE = re.compile(r"\bcontract(?:or|ors)?\b", re.IGNORECASE)


def detect_employment_type(*values: str | None, title: str | None = None) -> str:
    """The CTS employment type (``jobs.choices.EmploymentType`` value) named by a source's type fields, or "".

    Takes any number of values, e.g. Adzuna's ``contract_time`` and ``contract_type``, Lever's
    ``commitment``, Ashby's ``employmentType`` or a schema.org ``employmentType``; spellings like
    "full_time", "Full-time", "FullTime", "FULL_TIME", "permanent", "contract", "Part time", "Intern" are
    understood. When the values name several types the most specific wins, in this order: INTERN,
    CONTRACT_TO_HIRE, TEMPORARY, CONTRACTOR, PART_TIME, VOLUNTEER, PER_DIEM, FLY_IN_FLY_OUT, FULL_TIME,
    OTHER_EMPLOYMENT_TYPE ("permanent" is FULL_TIME unless another value says part time). Values that
    name no type are ignored; nothing recognised gives "". Lever's "Short Term" is TEMPORARY, or CONTRACTOR
    when `title` says contract or contractor ("Contract Recruiter").
    """
    text = " | ".join(_words(v) for v in _flatten(values) if v)
    if not text:
        return ""
    for kind, pattern in _EMPLOYMENT_RES:
        if pattern.search(text):
            if kind == EmploymentType.TEMPORARY and title and _CONTRACT_TITLE_RE.search(title):
                return str(EmploymentType.CONTRACTOR)
            return str(kind)
    return ""


def _flatten(values: Iterable[Any]) -> Iterable[Any]:
    for value in values:
        if isinstance(value, (list, tuple, set, frozenset)):
            yield from _flatten(value)
        else:
            yield value


# ---------------------------------------------------------------------------------------------- internship

# In a title, "intern" must be the whole word: "Internal Auditor" and "International Sales" are not
# internships. "Placement" is an internship ("Marketing Placement", "Industrial Placement Student")
# unless a role word follows it ("Placement Coordinator" places other people).
_INTERN_TITLE_RE = re.compile(
    r"\b(?:interns?|internships?|co-?op|working student|werkstudent(?:in)?|praktikum|praktikant(?:in)?|"
    r"stagiaire|stipend|summer student|placement(?!\s+(?:coordinator|officer|manager|specialist|consultant|"
    r"advisor|adviser|lead|team|support|assistant|administrator|director|executive|partner)))\b",
    re.IGNORECASE,
)
# In a description only a sentence about this very job counts: "This is a paid internship". Mentions
# like "our internship programme" or a "learning stipend" appear in ordinary postings too.
_INTERN_TEXT_RE = re.compile(
    r"\bthis (?:is an? )?(?:role |position |job )?(?:is an? )?"
    r"(?:(?:paid|unpaid|summer|winter|spring|autumn|fall|\d+[- ](?:week|month)|part[- ]time|full[- ]time|"
    r"year[- ]long|remote|hybrid)\s+)*(?:internship|co-op|work placement|industrial placement)\b",
    re.IGNORECASE,
)


def is_internship(*, title: str | None = "", employment_type: object = "", text: str | None = "") -> bool:
    """Whether a posting is an internship (co-op, placement, working student, stipend position).

    True when the type field names one (anything `detect_employment_type` reads as INTERN), when the title
    holds intern/internship/co-op/placement/working student/stipend as a whole word, or when the text
    says so about this job ("This is a 12-month paid internship"). "Internal" and "International" do not
    count, nor does "Placement Coordinator". `employment_type` may be a string or a list of a source's
    type values.
    """
    if employment_type and detect_employment_type(*_flatten([employment_type])) == EmploymentType.INTERN:
        return True
    if title and _INTERN_TITLE_RE.search(str(title)):
        return True
    if not text:
        return False
    folded = str(text).casefold()
    return any(word in folded for word in ("internship", "co-op", "placement")) and bool(
        _INTERN_TEXT_RE.search(str(text))
    )


# ---------------------------------------------------------------------------------------------- job level

_EXEC_WORDS = r"ceo|cto|cfo|coo|cio|ciso|cmo|cpo|chro|cxo|chief|vp|svp|evp|vice[- ]president|president|co-?founder"
# "Executive Assistant to the CEO" is an assistant; drop what follows "to the" before reading the level.
_TO_THE_RE = re.compile(
    rf"\s*[,(-]?\s*\b(?:to|for|office of|reporting to|supporting)\s+(?:the\s+|our\s+)?"
    rf"(?:{_EXEC_WORDS}|managing director|director|head|board|executive|partners?)\b.*$",
    re.IGNORECASE,
)
_LEVEL_RES: list[tuple[str, re.Pattern[str]]] = [
    (JobLevel.EXECUTIVE, re.compile(rf"\b(?:{_EXEC_WORDS}|managing director|c-level|c-suite)\b", re.IGNORECASE)),
    # A school's "Principal" / "Assistant Principal" ends the title; "Principal Engineer" does not.
    (JobLevel.DIRECTOR, re.compile(r"\b(?:director|head\s*(?:of\b|[,:\u2013\u2014-])|principal\s*$)", re.IGNORECASE)),
    # People managers; a "manager" of a thing is handled before this list (see jobs.rules.manages_people).
    (JobLevel.MANAGER, re.compile(r"\b(?:manager|mgr|supervisor|managing editor)s?\b", re.IGNORECASE)),
    (
        JobLevel.EXPERIENCED,
        # "Staff" is a level only before a technical role: "Staff Engineer" yes, "Staff Nurse",
        # "Staff Accountant" and "Kitchen Staff" no. "Lead" but not "lead generation".
        re.compile(
            r"\b(?:senior(?!\s+living)|sr|snr|lead(?!\s+gen)|leader|principal|distinguished|"
            r"staff(?=\s+(?:software|engineer|engineering|developer|data|scientist|research|machine|ml|ai|"
            r"security|product\s+designer|designer|architect|site|sre|backend|back[- ]end|frontend|"
            r"front[- ]end|full[- ]?stack|infrastructure|platform|systems|technical|ux|applied)))\b",
            re.IGNORECASE,
        ),
    ),
    (
        JobLevel.ENTRY_LEVEL,
        re.compile(
            r"\b(?:junior|jr|entry[- ]level|graduate|grad|new grad|trainee|apprentice|apprenticeship|"
            r"early career|interns?|internship|co-?op|working student|placement student|"
            r"no experience (?:needed|necessary|required))\b",
            re.IGNORECASE,
        ),
    ),
]
_MANAGER_RE = re.compile(r"\b(?:manager|mgr)s?\b", re.IGNORECASE)
_TRAINEE_RE = re.compile(r"\b(?:trainee|graduate|apprentice)\b", re.IGNORECASE)
_SUPERVISOR_RE = re.compile(r"\b(?:supervisors?|managing editor)\b", re.IGNORECASE)


# Grades after a role, upper case only: "Engineer I" is entry level, "Engineer II" to "IV" experienced.
_GRADE_RE = re.compile(r"\b[A-Za-z]+\s+(?P<grade>I|II|III|IV)\b(?!['\u2019])")


def detect_job_level(title: str | None) -> str:
    """The CTS job level (``jobs.choices.JobLevel`` value) a title states, or "" when it states none.

    Whole words only, highest level first:
    EXECUTIVE: VP, SVP, Vice President, President, Chief …, CEO/CTO/CFO/COO/CIO/CISO/CMO/CPO, Co-founder,
    Managing Director. DIRECTOR: Director (incl. Associate/Senior Director), Head of …, a school's
    Principal. MANAGER: a manager of people or of a unit ("Nurse Manager", "Home Manager", "Deputy Manager",
    "Sales Manager", "Manager, Product Marketing", "Senior Manager"), a supervisor, a managing editor. A
    manager of a thing (an account, product, project, programme, partner, campaign, deal, supply chain …:
    "Account Manager", "Product Marketing Manager", "Business Development Manager") is an individual
    contributor: the title's other words decide, else EXPERIENCED; "Trainee Assistant Manager" is ENTRY_LEVEL.
    EXPERIENCED: Senior, Sr, Lead, Leader, Principal …, Distinguished, "Staff" before a technical role (Staff Engineer;
    "Staff Nurse" is not a level), and grades II to IV ("Engineer II").
    ENTRY_LEVEL: Junior, Jr, Graduate, Entry level, Trainee, Apprentice, Early Career, "No experience
    needed", interns (CTS counts interns as entry level) and grade I ("Engineer I"); "Data Entry" is not
    entry level.
    Whatever follows "to the"/"office of" an executive is ignored: "Executive Assistant to the CEO" has
    no level, "Account Executive" neither.
    """
    return _job_level(str(title)) if title else ""


@functools.lru_cache(maxsize=8192)  # titles repeat a lot within a source
def _job_level(title: str) -> str:
    text = _TO_THE_RE.sub("", title)
    grade = _GRADE_RE.search(text)
    individual_manager = False
    for level, pattern in _LEVEL_RES:
        if level == JobLevel.ENTRY_LEVEL and grade and grade["grade"] != "I":
            return str(JobLevel.EXPERIENCED)
        if not pattern.search(text):
            continue
        if level == JobLevel.MANAGER:
            if _TRAINEE_RE.search(text):
                return str(JobLevel.ENTRY_LEVEL)  # "Trainee Assistant Manager"
            if _MANAGER_RE.search(text) and not manages_people(text) and not _SUPERVISOR_RE.search(text):
                individual_manager = True  # an account/product/project manager: read on ("Senior", "Junior")
                continue
        return str(level)
    if grade:
        return str(JobLevel.ENTRY_LEVEL if grade["grade"] == "I" else JobLevel.EXPERIENCED)
    # An individual contributor titled manager is an experienced one when nothing else says otherwise.
    return str(JobLevel.EXPERIENCED) if individual_manager else ""


# ---------------------------------------------------------------------------------------------- remote

_EXPLICIT_REMOTE = {
    "remote": Remote.REMOTE,
    "fully remote": Remote.REMOTE,
    "remote friendly": Remote.REMOTE,
    "remote first": Remote.REMOTE,
    "100 work from home": Remote.REMOTE,
    "work from home": Remote.REMOTE,
    "wfh": Remote.REMOTE,
    "anywhere": Remote.REMOTE,
    "telecommute": Remote.REMOTE,
    "virtual": Remote.REMOTE,
    "distributed": Remote.REMOTE,
    "true": Remote.REMOTE,
    "yes": Remote.REMOTE,
    "1": Remote.REMOTE,
    "hybrid": Remote.HYBRID,
    "flexible": Remote.HYBRID,
    "onsite": Remote.ONSITE,
    "on site": Remote.ONSITE,
    "in office": Remote.ONSITE,
    "office": Remote.ONSITE,
    "in person": Remote.ONSITE,
    "on premise": Remote.ONSITE,
    "microsoft on site only": Remote.ONSITE,
    "false": Remote.ONSITE,
    "no": Remote.ONSITE,
    "0": Remote.ONSITE,
}
# Microsoft's older "Up to 50% work from home" is hybrid; "100% work from home" is remote.
_UP_TO_WFH_RE = re.compile(r"^up to \d+ work from home$")


# "no remote", "not remote", "Telecommuting Not Allowed", "Telecommuter? No": the word is there, the job
# is not remote.
_ARRANGEMENT = r"(?:remote|hybrid|wfh|work(?:ing)?[- ]from[- ]home|telecommut\w*|telework\w*)"
_NOT_REMOTE_RE = re.compile(
    rf"\b(?:no|not|non|never|without)[- ](?:a |an |fully |100% )?{_ARRANGEMENT}"
    rf"|\b{_ARRANGEMENT}(?: work(?:ing)?| options?)?(?: is| are)? (?:not|unavailable)\b"
    rf"|\b{_ARRANGEMENT}\s*[?:]\s*no\b"
    r"|\bnot (?:available|eligible|open|suitable|possible) (?:for|as) (?:a )?(?:remote|hybrid)\b"
    r"|\b(?:remote|hybrid) (?:work(?:ing)? |options? )?(?:is |are )?not (?:available|possible|offered|an option)\b",
    re.IGNORECASE,
)

# --- places and titles: the word alone says it ("Remote - US", "Hybrid - London", "VQ Assessor (Home Based)").
# "Hybrid" and "remote" have technical meanings too: hybrid cloud, remote sensing, remote teams.
_HYBRID_RE = re.compile(
    r"\bhybrid\b(?![- ](?:cloud|multi[- ]cloud|infrastructure|it|apps?|applications?|mobile|vehicles?|cars?|"
    r"electric|engines?|search|retrieval|architectures?|environments?|systems?|solutions?|integration|"
    r"storage|networks?|deployments?|warfare|threats?|rice|seeds?|bikes?|powertrain|theatres?|theaters?))",
    re.IGNORECASE,
)
# "care home based" and "nursing home based" name where a care home is, not where the hire works.
_HOME_BASED = r"(?<!care )(?<!nursing )(?<!residential )home[- ]?based"
_REMOTE_PLACE_RE = re.compile(
    r"\b(?:remote(?![- ](?:sensing|monitoring|access|control|desktop|management|procedure|support|patient|"
    r"sites?|areas?|locations?|communities|teams?|colleagues|employees|workers|offices?|devices?|servers?|"
    r"systems?|diagnostics|operations|pilot|controlled|surveillance))|"
    rf"work(?:ing)?[- ]from[- ](?:home|anywhere)|wfh|tele-?commut\w*|telework\w*|{_HOME_BASED}|"
    r"fully distributed|anywhere in (?:the )?\w+|^\s*anywhere\s*$)",
    re.IGNORECASE | re.MULTILINE,
)

# --- descriptions: a work-arrangement context is needed, never the word alone. "usability studies either
# live or remote", "remote sensing", "managing remote staff", "a nursing home based in Kent", "the hybrid
# theatre", "a varied hybrid role" (two kinds of duty) and "work remotely at client's location" say nothing
# about where the hire works.
_TEXT_HYBRID_RE = re.compile(
    r"\bhybrid[- ](?:work(?:ing)?|model|schedule|arrangement|policy|pattern|set[- ]?up|basis|remote|"
    r"(?:working|work) (?:model|pattern|policy|arrangement))\b"
    r"|\b(?:role|position|job|post) (?:is|will be) hybrid\b"
    r"|['\"\u2018\u201c]hybrid['\"\u2019\u201d]"
    r"|\bhybrid\b(?=[^.\n]{0,80}\b(?:days?|times?) (?:a|per|each) week\b)"
    r"|\b(?:wfh|work(?:ing)?[- ]from[- ]home|remote work(?:ing)?)[- ](?:flexibility|days?|options?|"
    r"on occasion|occasionally|when required|\d days?|(?:mon|tues|wednes|thurs|fri)days?)\b"
    r"|\bflexib\w* (?:to|for|of) work(?:ing)? (?:from home|remotely|from the office,? (?:and |or )?home)\b"
    r"|\bwork(?:ing)? from (?:the )?office,? (?:and |or )?home\b"
    r"|\bremote and on-?site\b|\bon-?site and remote\b",
    re.IGNORECASE,
)
_TEXT_REMOTE_RE = re.compile(
    r"\b(?:fully|100%|all|completely|entirely|permanently|totally)[- ]remote\b"
    r"|\bremote[- ](?:first|friendly|only|role|position|job|opportunity|contract|work(?:ing)?|based|company|"
    r"employee|worker|basis)\b(?! (?:at|from|on) (?:the |a )?(?:clients?|customers?)['\u2019]?)"
    r"|\bwork(?:ing)? remote(?:ly)?\b(?! (?:at|from|on|with) (?:the |a )?(?:clients?|customers?)['\u2019]?s?\b)"
    r"|\b(?:role|position|job|post) (?:is|can be|will be) (?:fully |100% )?remote\b"
    r"|\blocation\s*:\s*remote\b|\(\s*remote\s*\)"
    r"|\bwork(?:ing)?[- ](?:from|at)[- ]home\b|\bwfh\b"
    r"|\btele-?commut\w*\b(?!\s+options?\s*:)|\btelework\w*\b(?!\s+(?:options?|potential)\s*:)"
    rf"|\b(?:role|job|position|post) is {_HOME_BASED}\b"
    rf"|\b{_HOME_BASED}(?!\s+(?:in|on|just|near|at|within|outside|care|services?|support)\b)"
    r"|\b(?:located|based|work(?:ing)?|live|reside)\s+(?:from\s+)?anywhere\b",
    re.IGNORECASE,
)


# Every remote/hybrid pattern above holds one of these; a text without any says nothing.
_REMOTE_WORDS = (
    "remote",
    "hybrid",
    "home",  # "working from the office, home and clients' premises" too
    "wfh",
    "telecommut",
    "tele-commut",
    "telework",
    "anywhere",
    "distributed",
)


def remote_from_explicit(explicit: object) -> str | None:
    """The remote value a source's own field states, or None when it states nothing usable.

    `explicit` is a bool (Ashby ``isRemote``, USAJobs ``RemoteIndicator``), a string (Lever
    ``workplaceType`` "onsite"/"on-site"/"hybrid"/"remote", Ashby ``workplaceType`` "OnSite"/"Hybrid"/
    "Remote", Microsoft ``workLocationOption``, a Greenhouse "Location Type" value, "Up to 50% work from
    home", schema.org ``jobLocationType`` "TELECOMMUTE"), or a list of those, read in order (the first that
    says something wins).
    """
    if explicit is None:
        return None
    if isinstance(explicit, bool):
        return Remote.REMOTE if explicit else Remote.ONSITE
    if isinstance(explicit, (list, tuple)):
        for item in explicit:
            found = remote_from_explicit(item)
            if found:
                return found
        return None
    words = _words(explicit)
    if not words or words in {"unspecified", "none", "null", "n a", "other"}:
        return None
    if words in _EXPLICIT_REMOTE:
        return str(_EXPLICIT_REMOTE[words])
    if _UP_TO_WFH_RE.match(words):
        return Remote.HYBRID
    return remote_from_place(str(explicit))


def remote_from_place(text: str | None) -> str | None:
    """What a title or a location says, where the word alone is enough: "Remote - US", "Remote-Friendly,
    United States", "Anywhere", "Hybrid - London", "VQ Assessor (Home Based)", "Data Engineer (Remote)".
    Hybrid when it says hybrid (a hybrid job is never promised as remote), remote when it says remote, work
    from home, WFH, telecommute, home based (not "care home based"), anywhere in …; onsite when it only says
    "no remote"; else None. "Remote sensing", "hybrid cloud" and the like do not count."""
    return _remote_by(text, ((_HYBRID_RE, Remote.HYBRID), (_REMOTE_PLACE_RE, Remote.REMOTE)))


def remote_from_text(text: str | None) -> str | None:
    """What a description says about where the hire works, which needs a work-arrangement context.

    HYBRID: "hybrid working/model/schedule/policy", "the role is hybrid", 'designed as "Hybrid"', hybrid with
    "N days a week", "work from home flexibility/days", "flexibility to work from home", "a balance of remote
    and onsite". REMOTE: "fully/100%/all remote", "remote role/position/job/contract/work/company",
    "remote-first", "work remotely" (not "at the client's"), "the role is remote", "Location: Remote",
    "(Remote)", "work from home", "WFH", "telecommuting", "home based" (not "a care home based in …"),
    "based/located anywhere". Negated mentions ("no telecommuting", "Telecommuter? No", "not a remote role")
    do not count, and a text with only negated ones is ONSITE. Anything else (the word alone: "usability
    studies either live or remote", "remote sensing", "a nursing home based in Kent") is None.
    """
    return _remote_by(text, ((_TEXT_HYBRID_RE, Remote.HYBRID), (_TEXT_REMOTE_RE, Remote.REMOTE)))


def _remote_by(text: str | None, patterns: tuple[tuple[re.Pattern[str], str], ...]) -> str | None:
    if not text:
        return None
    text = str(text)
    folded = text.casefold()
    # Most descriptions say nothing: skip the patterns (plain substring tests are ~10x cheaper than a regex).
    if not any(word in folded for word in _REMOTE_WORDS):
        return None
    negated = False
    for pattern, value in patterns:
        for match in pattern.finditer(text):
            if _is_negated(text, match.start(), match.end()):
                negated = True
            else:
                return str(value)
    if negated:
        return Remote.ONSITE
    # A "no remote" with no positive mention the patterns know ("no telecommuting") still says onsite.
    return Remote.ONSITE if _NOT_REMOTE_RE.search(text) else None


def _is_negated(text: str, start: int, end: int) -> bool:
    """Whether the mention at text[start:end] begins inside a "no remote" / "remote is not available" phrase
    ("No remote work", "not a remote position": the negation covers the word, not what follows it).

    Only a window around the mention is searched, which keeps long descriptions cheap.
    """
    offset = max(0, start - 40)
    window = text[offset : end + 50]
    return any(neg.start() + offset <= start < neg.end() + offset for neg in _NOT_REMOTE_RE.finditer(window))


def detect_remote(
    *,
    text: str | None = "",
    explicit: object = None,
    title: str | None = "",
    locations: Iterable[str | None] = (),
) -> str:
    """Onsite, hybrid or remote (``jobs.choices.Remote`` value) for a posting, and the one place that
    decides which evidence wins. In order, the first that says something:

    1. A listed location that is remote (`locations`: the posting's location and any other places the
       source lists — Greenhouse offices, Ashby secondary locations, Lever allLocations): REMOTE. A job
       that can be done remotely from one of its places is found by ``remote=true`` even when the
       source's workplace field says on-site or hybrid (Greenhouse "Location Type: On-Site" with an office
       "Remote-Friendly, United States"; Ashby "Hybrid" with a secondary location "Remote (US)"): the
       field describes the job as a whole, the place is the more specific statement.
    2. The source's explicit workplace field (`explicit`, see `remote_from_explicit`): it beats every
       text, since the employer filled it in for this purpose.
    3. A listed location or the title saying hybrid or remote ("Hybrid - London", "Data Engineer (Remote)").
    4. The description (`text`), only through work-arrangement phrases (see `remote_from_text`).
    5. ONSITE: nothing said.
    """
    place_values = [remote_from_place(place) for place in locations if place]
    if Remote.REMOTE in place_values:
        return str(Remote.REMOTE)
    found = remote_from_explicit(explicit)
    if found:
        return found
    for value in (*place_values, remote_from_place(title)):
        if value in (Remote.HYBRID, Remote.REMOTE):
            return str(value)
    return remote_from_text(text) or str(Remote.ONSITE)
