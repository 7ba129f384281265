"""Text out of untrusted PDF and DOCX bytes, run inside a throwaway child process (matching.sandbox).

Nothing here imports Django: the child is forked from a small server process that preloads only
this module, pypdf, python-docx and lxml, so each parse starts in milliseconds (the web process
imports none of them: the parsers are imported inside the functions). `parse_in_child`
is the child's entry point: it caps its own address space and CPU time first, then parses and
sends one reply through its pipe. Every failure becomes a TextExtractionError, never a traceback.
"""

from __future__ import annotations

import dataclasses
import io
import resource
import zipfile
from multiprocessing.connection import Connection

# A DOCX is refused before anything is inflated when its central directory declares more than
# this in all (images included) or one member unpacking to over this many times its packed size.
# Word's own XML packs 5-20x; a real resume unpacks to a few MB at most.
DOCX_MAX_UNPACKED_BYTES = 32 * 1024 * 1024
DOCX_MAX_RATIO = 100
DOCX_RATIO_FLOOR_BYTES = 1024 * 1024  # small members may pack as tightly as they like
# pypdf's own cap on one inflated stream is 75 MB; a resume's page content is KBs.
PDF_MAX_STREAM_BYTES = 16 * 1024 * 1024
_CHUNK = 64 * 1024


class TextExtractionError(ValueError):
    """The upload cannot be turned into text. `code` names the problem for the API."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclasses.dataclass(frozen=True, slots=True)
class ParseLimits:
    memory_bytes: int  # the child's address space (RLIMIT_AS)
    cpu_seconds: int  # the child's CPU time (RLIMIT_CPU), behind the parent's wall-clock timeout
    max_pages: int
    max_chars: int


def _mb(size: int) -> str:
    return f"{size / 1048576:,.0f} MB" if size >= 1048576 else f"{size:,} bytes"


# ---------------------------------------------------------------------------------------
# PDF


def pdf_text(data: bytes, *, limits: ParseLimits) -> str:
    import pypdf
    from pypdf.errors import LimitReachedError

    with pypdf.apply_configuration(
        zlib_maximum_output_length=PDF_MAX_STREAM_BYTES,
        lzw_maximum_output_length=PDF_MAX_STREAM_BYTES,
        run_length_maximum_output_length=PDF_MAX_STREAM_BYTES,
        brotli_maximum_output_length=PDF_MAX_STREAM_BYTES,
        array_based_stream_maximum_output_length=PDF_MAX_STREAM_BYTES,
        maximum_declared_stream_length=PDF_MAX_STREAM_BYTES,
    ):
        try:
            return _pdf_text(data, limits=limits)
        except TextExtractionError:
            raise
        except (LimitReachedError, MemoryError, RecursionError):
            raise TextExtractionError(
                "too_complex", "The PDF is too complex to read (it unpacks to more than the server allows)."
            ) from None
        except Exception as exc:  # pypdf raises many kinds on a damaged file; each is the file's fault
            raise TextExtractionError("corrupt_pdf", f"The PDF cannot be read (damaged or not a PDF): {exc}") from None


def _pdf_text(data: bytes, *, limits: ParseLimits) -> str:
    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(data))
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
    # The page tree's own count first: refusing a 30,000-page file costs nothing. It may lie,
    # so the walk below stops at the limit too.
    tree = reader.root_object["/Pages"].get_object()
    if not isinstance(tree, pypdf.generic.DictionaryObject):
        raise TextExtractionError("corrupt_pdf", "The PDF cannot be read: it has no page tree.")
    # [] resolves an indirect number; pypdf's dictionary .get() would not.
    declared = tree["/Count"] if "/Count" in tree else 0  # noqa: SIM401
    if isinstance(declared, int) and declared > limits.max_pages:
        raise _too_many_pages(f"{declared:,}", limits)
    parts: list[str] = []
    chars = 0
    for number, page in enumerate(reader.pages):
        if number >= limits.max_pages:
            raise _too_many_pages(f"more than {limits.max_pages:,}", limits)
        part = page.extract_text() or ""
        chars += len(part)
        if chars > limits.max_chars:
            raise _too_long(limits)
        parts.append(part)
    if not parts:
        raise TextExtractionError("corrupt_pdf", "The PDF has no pages.")
    text = "\n".join(parts)
    if not text.strip():
        raise TextExtractionError(
            "no_text_layer",
            "The PDF has no text layer (a scanned image?); "
            "upload a PDF with selectable text, a DOCX, or paste the text.",
        )
    return text


def _too_many_pages(count: str, limits: ParseLimits) -> TextExtractionError:
    return TextExtractionError(
        "too_many_pages", f"The PDF has {count} pages; a resume may have at most {limits.max_pages:,}."
    )


def _too_long(limits: ParseLimits) -> TextExtractionError:
    return TextExtractionError(
        "text_too_long", f"The file holds more than {limits.max_chars:,} characters of text; that is not a resume."
    )


# ---------------------------------------------------------------------------------------
# DOCX


def docx_text(data: bytes, *, limits: ParseLimits) -> str:
    import docx

    try:
        _check_archive(data)
        document = docx.Document(io.BytesIO(data))
        lines = [paragraph.text for paragraph in document.paragraphs]
        # Resumes often lay skills and jobs out in tables.
        for table in document.tables:
            for row in table.rows:
                cells: list[str] = []
                for cell in row.cells:
                    if cell.text not in cells:  # merged cells repeat their text
                        cells.append(cell.text)
                lines.append(" | ".join(cells))
    except TextExtractionError:
        raise
    except MemoryError:
        raise TextExtractionError(
            "too_complex", "The Word document is too complex to read within the server's limits."
        ) from None
    except Exception as exc:  # zipfile, python-docx and lxml each raise their own kinds
        raise TextExtractionError("corrupt_docx", f"The Word document cannot be read: {exc}") from None
    text = "\n".join(lines)
    if len(text) > limits.max_chars:
        raise _too_long(limits)
    return text


def _check_archive(data: bytes) -> None:
    """Refuse a zip bomb from its central directory, then inflate each member under a byte cap.

    python-docx reads whole parts and lxml fails on an oversized text node only after reading it
    all, so nothing may reach them unchecked. The declared sizes are checked first (cheap); the
    members are then read in chunks, counting what actually comes out, since a member may lie.
    """
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = archive.infolist()
        declared = sum(member.file_size for member in members)
        if declared > DOCX_MAX_UNPACKED_BYTES:
            raise _unpacks_to(_mb(declared))
        for member in members:
            ratio = member.file_size / max(member.compress_size, 1)
            if member.file_size > DOCX_RATIO_FLOOR_BYTES and ratio > DOCX_MAX_RATIO:
                raise TextExtractionError(
                    "unpacked_too_large",
                    f"The Word document's part {member.filename} unpacks {ratio:,.0f} times its size "
                    f"({_mb(member.file_size)}); that is a zip bomb, not a resume.",
                )
        inflated = 0
        for member in members:
            with archive.open(member) as stream:
                while chunk := stream.read(_CHUNK):
                    inflated += len(chunk)
                    if inflated > DOCX_MAX_UNPACKED_BYTES:
                        raise _unpacks_to(f"more than {_mb(DOCX_MAX_UNPACKED_BYTES)}")


def _unpacks_to(size: str) -> TextExtractionError:
    return TextExtractionError(
        "unpacked_too_large",
        f"The Word document unpacks to {size}; at most {_mb(DOCX_MAX_UNPACKED_BYTES)} is read.",
    )


# ---------------------------------------------------------------------------------------
# The child


def parse_in_child(reply: Connection, kind: str, data: bytes, limits: ParseLimits) -> None:
    """Entry point of the parse process: limits first, then one reply (ok, text) or (error, code, message)."""
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 1))
    try:
        parse = pdf_text if kind == "pdf" else docx_text
        message: tuple = ("ok", parse(data, limits=limits))
    except TextExtractionError as exc:
        message = ("error", exc.code, exc.message)
    except MemoryError:
        message = ("error", "too_complex", "The file is too complex to read within the server's memory limit.")
    del data
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    try:
        reply.send((*message, peak_kb))
    except MemoryError:
        reply.send(("error", "too_complex", "The file is too complex to read within the server's memory limit.", 0))
    reply.close()
