"""Text out of an uploaded resume (PDF, DOCX or plain text), and the sections it marks.

The file's kind is told from its bytes, never from its name or the declared content type:
"%PDF" is a PDF, a ZIP holding word/document.xml is a DOCX, decodable text is text.
"""

from __future__ import annotations

import dataclasses
import io
import re
import zipfile

from django.conf import settings


class TextExtractionError(ValueError):
    """The upload cannot be turned into text. `code` names the problem for the API."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclasses.dataclass(frozen=True, slots=True)
class ExtractedText:
    text: str
    kind: str  # "pdf", "docx" or "txt"


# ---------------------------------------------------------------------------------------
# Kinds


def detect_kind(data: bytes) -> str:
    """ "pdf", "docx" or "txt" from the content; raises TextExtractionError for anything else."""
    # The PDF header may follow a little junk (the spec allows it within the first 1024 bytes).
    if b"%PDF-" in data[:1024]:
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
    """The text of an uploaded resume; raises TextExtractionError naming what is wrong."""
    limit = max_bytes if max_bytes is not None else settings.MATCH_MAX_UPLOAD_BYTES
    if len(data) > limit:
        raise TextExtractionError(
            "file_too_large",
            f"The file is {len(data):,} bytes; the limit is {limit:,} bytes ({limit / 1048576:.0f} MB).",
        )
    if not data.strip():
        raise TextExtractionError("empty_file", "The file is empty.")
    kind = detect_kind(data)
    if kind == "pdf":
        text = _pdf_text(data)
    elif kind == "docx":
        text = _docx_text(data)
    else:
        text = _plain_text(data)
    text = clean_text(text)
    if not text:
        raise TextExtractionError("empty_text", "No text could be read from the file.")
    return ExtractedText(text=text, kind=kind)


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            # Many PDFs are "encrypted" with an empty user password only to restrict printing;
            # those open. A real password we cannot know.
            try:
                opened = bool(reader.decrypt(""))  # PasswordType.NOT_DECRYPTED is 0
            except Exception:  # pypdf raises several kinds (missing crypto provider, bad key)
                opened = False
            if not opened:
                raise TextExtractionError(
                    "encrypted_pdf", "The PDF is password-protected; remove the password or paste the text."
                )
        pages = list(reader.pages)
        parts = [page.extract_text() or "" for page in pages]
    except TextExtractionError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError) as exc:
        raise TextExtractionError("corrupt_pdf", f"The PDF cannot be read (damaged or not a PDF): {exc}") from None
    if not pages:
        raise TextExtractionError("corrupt_pdf", "The PDF has no pages.")
    text = "\n".join(parts)
    if not text.strip():
        raise TextExtractionError(
            "no_text_layer",
            "The PDF has no text layer (a scanned image?); "
            "upload a PDF with selectable text, a DOCX, or paste the text.",
        )
    return text


def _docx_text(data: bytes) -> str:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise TextExtractionError("corrupt_docx", f"The Word document cannot be read: {exc}") from None
    except Exception as exc:  # lxml raises its own XMLSyntaxError for a damaged part
        raise TextExtractionError("corrupt_docx", f"The Word document cannot be read: {exc}") from None
    lines = [paragraph.text for paragraph in document.paragraphs]
    # Resumes often lay skills and jobs out in tables.
    for table in document.tables:
        for row in table.rows:
            cells: list[str] = []
            for cell in row.cells:
                if cell.text not in cells:  # merged cells repeat their text
                    cells.append(cell.text)
            lines.append(" | ".join(cells))
    return "\n".join(lines)


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

SECTION_NAMES = ("skills", "experience", "education")

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
}
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
