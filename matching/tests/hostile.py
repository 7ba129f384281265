"""Hostile resume files, built small in memory: what an attacker uploads to a resume endpoint.

Used by the tests and by bench/upload_attacks.py. Each builder writes its file in chunks, so the
test that builds a 1 GB zip bomb holds a few MB at most.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from pathlib import Path

from matching.tests.documents import _pdf, resume_docx

_BODY_OPEN = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    b"<w:body><w:p><w:r><w:t>"
)
_BODY_CLOSE = b"</w:t></w:r></w:p></w:body></w:document>"
_FILLER = b"Python developer. " * 58_254  # ~1 MB of the same words


class _PackedOnce:
    """Stands in for zipfile's compressor: deflates the filler once and repeats the packed block.

    A block ended with a full flush refers to nothing before it, so copies of it chain into a
    valid deflate stream; packing 1 GB for real takes ~10 s, repeating the block well under 1 s.
    """

    def __init__(self) -> None:
        packer = zlib.compressobj(9, zlib.DEFLATED, -15)
        self._blocks = {_FILLER: packer.compress(_FILLER) + packer.flush(zlib.Z_FULL_FLUSH)}
        self._packer = packer

    def compress(self, data: bytes) -> bytes:
        block = self._blocks.get(data)
        if block is None:
            return self._packer.compress(data) + self._packer.flush(zlib.Z_FULL_FLUSH)
        return block

    def flush(self) -> bytes:
        return self._packer.flush()


def docx_bomb(path: Path, *, unpacked_bytes: int = 1 << 30) -> Path:
    """A valid DOCX whose word/document.xml is `unpacked_bytes` of one repeated text node (~4 MB packed per GB)."""
    template = zipfile.ZipFile(io.BytesIO(resume_docx(heading="Jane Doe", sections={"Skills": ["Python"]})))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for member in template.infolist():
            if member.filename != "word/document.xml":
                archive.writestr(member, template.read(member))
        with archive.open("word/document.xml", "w") as part:
            part._compressor = _PackedOnce()  # type: ignore[attr-defined]
            part.write(_BODY_OPEN)
            written = 0
            while written < unpacked_bytes:
                part.write(_FILLER)
                written += len(_FILLER)
            part.write(_BODY_CLOSE)
    return path


def docx_that_lies(path: Path, *, unpacked_bytes: int = 256 << 20, declared_bytes: int = 4096) -> Path:
    """A DOCX whose word/document.xml inflates to `unpacked_bytes` while its headers say `declared_bytes`."""
    docx_bomb(path, unpacked_bytes=unpacked_bytes)
    data = bytearray(path.read_bytes())
    name = b"word/document.xml"
    # The member's local header (PK\3\4: uncompressed size at 22, name length at 26, name at 30)
    # and its central directory entry (PK\1\2: size at 24, name length at 28, name at 46).
    for signature, size_at, name_length_at, name_at in ((b"PK\x03\x04", 22, 26, 30), (b"PK\x01\x02", 24, 28, 46)):
        at = 0
        while (at := data.find(signature, at)) != -1:
            (name_length,) = struct.unpack_from("<H", data, at + name_length_at)
            if data[at + name_at : at + name_at + name_length] == name:
                struct.pack_into("<I", data, at + size_at, declared_bytes)
            at += 4
    path.write_bytes(bytes(data))
    return path


def many_page_pdf(pages: int = 30_000) -> bytes:
    """A PDF of `pages` pages sharing one content stream (~4 MB for 30,000)."""
    first_page = 5
    kids = b" ".join(b"%d 0 R" % (first_page + n) for n in range(pages))
    content = zlib.compress(b"BT /F1 11 Tf 72 760 Td (Python developer) Tj ET")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % pages,
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    page = (
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 3 0 R >>"
    )
    objects += [page] * pages
    return _pdf(objects)


def pdf_bomb(unpacked_bytes: int = 512 << 20) -> bytes:
    """A one-page PDF whose content stream is `unpacked_bytes` of zeros behind FlateDecode (~500 KB packed)."""
    # A zlib stream: header, one packed MB of zeros repeated (as _PackedOnce does), the end, the checksum.
    block = bytes(1 << 20)
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    packed_block = packer.compress(block) + packer.flush(zlib.Z_FULL_FLUSH)
    checksum = 1
    for _ in range(unpacked_bytes >> 20):
        checksum = zlib.adler32(block, checksum)
    packed = b"\x78\xda" + packed_block * (unpacked_bytes >> 20) + packer.flush() + struct.pack(">I", checksum)
    assert len(zlib.decompressobj().decompress(packed, 1 << 20)) == 1 << 20  # it inflates
    return _pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> "
            b"/Contents 4 0 R >>",
            b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(packed) + packed + b"\nendstream",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        ]
    )


TEXT_RESUME_QUOTING_PDF = (
    b"Jane Doe - Python developer\n"
    b"Skills: Python, Django, PostgreSQL, Docker\n"
    b"Experience: wrote a PDF parser at Acme; every file starts with %PDF-1.7 and ends with %%EOF.\n"
    b"Education: BSc Computer Science\n"
)


def slow_pdf(operations: int = 200_000) -> bytes:
    """A 10 KB one-page PDF whose text takes pypdf about a minute to extract (one glyph run per move)."""
    content = zlib.compress(b"BT /F1 11 Tf 72 760 Td\n" + b"(Python) Tj 1 0 Td\n" * operations + b"ET", 9)
    return _pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> "
            b"/Contents 4 0 R >>",
            b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(content) + content + b"\nendstream",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        ]
    )


def padded(pdf: bytes, *, size: int) -> bytes:
    """`pdf` grown to `size` bytes by a comment after its end (readers skip it), as a big scan would be."""
    return pdf + b"%" + b"x" * max(0, size - len(pdf) - 2) + b"\n"
