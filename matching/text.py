"""Text out of an uploaded resume (PDF, DOCX or plain text), and the sections it marks.

The file's kind is told from its first bytes, never from its name or the declared content type:
"%PDF-" at offset 0 is a PDF, a ZIP ("PK\x03\x04" at 0) holding word/document.xml is a DOCX,
decodable text is text (a text that mentions "%PDF-" is still text). PDFs and DOCX files are
parsed in a child process under the MATCH_PARSE_* limits (matching.sandbox).
"""

from __future__ import annotations

import dataclasses
import io
import re
import zipfile

from django.conf import settings

from matching import sandbox
from matching.parsers import ParseLimits, TextExtractionError
from matching.sandbox import ParsingBusy

__all__ = [
    "MAX_RESUME_CHARS",
    "ExtractedText",
    "ParsingBusy",
    "TextExtractionError",
    "check_parser_free",
    "extract_text",
]

# The longest resume text matched, typed or read from a file; longer is not a resume.
MAX_RESUME_CHARS = 200_000


@dataclasses.dataclass(frozen=True, slots=True)
class ExtractedText:
    text: str
    kind: str  # "pdf", "docx" or "txt"


# ---------------------------------------------------------------------------------------
# Kinds


def detect_kind(data: bytes) -> str:
    """ "pdf", "docx" or "txt" from the content; raises TextExtractionError for anything else."""
    # At offset 0 only: readers tolerate junk before the header, but a text resume that quotes
    # "%PDF-" in its first lines is text, and a PDF with junk in front is rare enough to re-save.
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                if "word/document.xml" in archive.namelist():
                    return "docx"
        except zipfile.BadZipFile:
            raise TextExtractionError("corrupt_file", "The file looks like a ZIP/DOCX but is damaged.") from None
        raise TextExtractionError(
            "unsupported_type", "The file is a ZIP archive but not a Word document (DOCX); send PDF, DOCX or text."
        )
    if _looks_like_text(data):
        return "txt"
    raise TextExtractionError("unsupported_type", "Unsupported file type: send a PDF, a DOCX or a plain-text file.")


def _looks_like_text(data: bytes) -> bool:
    sample = data[:4096]
    if b"\x00" in sample:
        return False
    try:
        sample.decode("utf-8")
        return True
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the sample's end is still text.
        if exc.start >= len(sample) - 3:
            return True
    # Legacy single-byte text (cp1252): mostly printable characters.
    printable = sum(1 for b in sample if b >= 32 or b in b"\t\r\n\f")
    return printable / max(len(sample), 1) > 0.95


# ---------------------------------------------------------------------------------------
# Extraction


def extract_text(data: bytes, *, max_bytes: int | None = None) -> ExtractedText:
    """The text of an uploaded resume; raises TextExtractionError naming what is wrong, or
    ParsingBusy when every parse slot on this host is taken."""
    limit = max_bytes if max_bytes is not None else settings.MATCH_MAX_UPLOAD_BYTES
    if len(data) > limit:
        raise TextExtractionError(
            "file_too_large",
            f"The file is {len(data):,} bytes; the limit is {limit:,} bytes ({limit / 1048576:.0f} MB).",
        )
    if not data.strip():
        raise TextExtractionError("empty_file", "The file is empty.")
    kind = detect_kind(data)
    if kind == "txt":
        text = _plain_text(data)
        if len(text) > MAX_RESUME_CHARS:
            raise TextExtractionError(
                "text_too_long",
                f"The file holds {len(text):,} characters of text; a resume may have at most {MAX_RESUME_CHARS:,}.",
            )
    else:
        text = sandbox.parse(
            kind=kind,
            data=data,
            limits=ParseLimits(
                memory_bytes=settings.MATCH_PARSE_MEMORY_MB * 1024 * 1024,
                cpu_seconds=settings.MATCH_PARSE_TIMEOUT_SECONDS + 1,
                max_pages=settings.MATCH_PDF_MAX_PAGES,
                max_chars=MAX_RESUME_CHARS,
            ),
            timeout=settings.MATCH_PARSE_TIMEOUT_SECONDS,
            slots=settings.MATCH_PARSE_CONCURRENCY,
            slot_dir=settings.MATCH_PARSE_SLOT_DIR,
        ).text
    text = clean_text(text)
    if not text:
        raise TextExtractionError("empty_text", "No text could be read from the file.")
    return ExtractedText(text=text, kind=kind)


def check_parser_free() -> None:
    """ParsingBusy unless a parse slot is free on this host now."""
    sandbox.check_free_slot(
        slots=settings.MATCH_PARSE_CONCURRENCY,
        slot_dir=settings.MATCH_PARSE_SLOT_DIR,
        retry_after=sandbox.retry_after_seconds(settings.MATCH_PARSE_TIMEOUT_SECONDS),
    )


def _plain_text(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


_SPACES = re.compile(r"[ \t\u00a0\u200b]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")


def clean_text(text: str) -> str:
    """Whitespace folded, control characters dropped; lines kept (sections need them)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    text = "".join(ch for ch in text if ch in "\n\t" or ch >= " ")
    text = _SPACES.sub(" ", text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n\n", text).strip()


# ---------------------------------------------------------------------------------------
# Sections

SECTION_NAMES = ("skills", "experience", "education", "summary")

# Heading words per section, as resumes write them. A heading starts a line and is either
# alone on it (optionally with ":") or followed by ":"/"-"/"*" and the section's first items.
_HEADINGS = {
    "skills": r"(?:technical |key |core |professional |personal |it |computer )?"
    r"(?:skills?|skill ?set|competenc(?:y|ies)|technologies|tech stack|expertise)"
    r"(?: details| (?:&|and) (?:tools|abilities|technologies))?",
    "experience": r"(?:work |professional |employment |relevant |industry )?(?:experience|work history"
    r"|employment history|employment|career history)(?: details)?|company details|projects?",
    "education": r"(?:education(?:al)?(?: details| qualifications?| background)?|academic (?:background|qualifications?"
    r"|details)|qualifications?)",
    "summary": r"(?:professional |career |executive |personal )?(?:summary|profile|objective|about me)"
    r"|experience summary|summary of (?:qualifications|experience)",
}
# Headings glued to the line before them ("...24 monthsCompany Details"), as text copied out of some
# job sites has them: the "<Section> Details" forms only, ending their line, get their own line back.
_GLUED_HEADING = re.compile(r"(?<=[a-z.)])(?=(?:Skill|Education|Company|Project) Details\s*$)", re.MULTILINE)
_HEADING_RE = re.compile(
    r"^[\W_]{0,3}(?P<name>" + "|".join(f"(?P<{key}>{pattern})" for key, pattern in _HEADINGS.items()) + r")"
    r"\s*(?:$|[:\-\u2013|*\u2022•]\s*)",
    re.IGNORECASE | re.MULTILINE,
)


def resume_sections(text: str) -> dict[str, str]:
    """The skills, experience and education parts of a resume, where headings mark them.

    Returns a dict with a key per section found (text up to the next heading); sections
    that appear more than once are joined. Text before the first heading is not a section.
    """
    text = _GLUED_HEADING.sub("\n", text)
    matches = []
    for match in _HEADING_RE.finditer(text):
        line_end = text.find("\n", match.start())
        line = text[match.start() : line_end if line_end != -1 else len(text)]
        # A heading alone on its line, or the start of a "Skills: …" line; not a sentence
        # that happens to begin with "Experience in …".
        rest = line[match.end() - match.start() :].strip()
        alone = not rest
        marked = match.group(0).rstrip().endswith((":", "-", "\u2013", "|", "*", "\u2022", "•"))
        if not (alone or marked):
            continue
        key = next(name for name in SECTION_NAMES if match.group(name))
        matches.append((match.start(), match.end(), key))
    sections: dict[str, list[str]] = {}
    for index, (_, end, key) in enumerate(matches):
        stop = matches[index + 1][0] if index + 1 < len(matches) else len(text)
        body = text[end:stop].strip()
        if body:
            sections.setdefault(key, []).append(body)
    return {key: "\n".join(parts) for key, parts in sections.items()}
