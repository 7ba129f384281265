import io
import zipfile

import pytest

from matching.tests.documents import encrypted_pdf, image_only_pdf, resume_docx, text_pdf
from matching.text import TextExtractionError, detect_kind, extract_text, resume_sections

RESUME_LINES = [
    "Jane Doe - Python Developer",
    "Skills",
    "Python, Django, PostgreSQL, Docker",
    "Experience",
    "Backend developer at Acme (2019-2024): REST APIs in Django.",
    "Education",
    "BSc Computer Science, University of Leeds",
]


def test_pdf_text_layer_is_extracted_with_its_lines():
    extracted = extract_text(text_pdf(RESUME_LINES))
    assert extracted.kind == "pdf"
    assert "Python, Django, PostgreSQL, Docker" in extracted.text
    assert extracted.text.splitlines()[0] == "Jane Doe - Python Developer"


def test_docx_paragraphs_and_tables_are_extracted():
    data = resume_docx(
        heading="Jane Doe",
        sections={"Skills": ["Python", "Kubernetes"], "Experience": ["SRE at Acme"]},
        table_rows=[["Language", "Years"], ["Go", "3"]],
    )
    extracted = extract_text(data)
    assert extracted.kind == "docx"
    for expected in ("Jane Doe", "Kubernetes", "SRE at Acme", "Go | 3"):
        assert expected in extracted.text


def test_kind_is_told_by_content_not_by_name():
    assert detect_kind(text_pdf(["x"])) == "pdf"
    assert detect_kind(resume_docx(heading="x", sections={})) == "docx"
    assert detect_kind("Plain résumé text".encode()) == "txt"
    assert detect_kind("Legacy résumé text".encode("cp1252")) == "txt"


def test_plain_text_in_cp1252_is_decoded():
    assert extract_text("Résumé: Python developer".encode("cp1252")).text == "Résumé: Python developer"


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty_file"),
        (b"   \n\t ", "empty_file"),
        (b"%PDF-1.4\n this is not really a pdf", "corrupt_pdf"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "unsupported_type"),
        (b"PK\x03\x04" + b"\x00" * 50, "corrupt_file"),
    ],
    ids=["empty", "blank", "corrupt-pdf", "png", "broken-zip"],
)
def test_bad_uploads_are_named(data, code):
    with pytest.raises(TextExtractionError) as error:
        extract_text(data)
    assert error.value.code == code
    assert error.value.message


def test_zip_that_is_not_a_word_document_is_unsupported():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "hello")
    with pytest.raises(TextExtractionError) as error:
        extract_text(buffer.getvalue())
    assert error.value.code == "unsupported_type"


def test_password_protected_pdf_is_refused():
    with pytest.raises(TextExtractionError) as error:
        extract_text(encrypted_pdf(RESUME_LINES))
    assert error.value.code == "encrypted_pdf"
    assert "password" in error.value.message


def test_pdf_encrypted_with_an_empty_user_password_opens():
    assert "Django" in extract_text(encrypted_pdf(RESUME_LINES, password="")).text


def test_image_only_pdf_has_no_text_layer():
    with pytest.raises(TextExtractionError) as error:
        extract_text(image_only_pdf())
    assert error.value.code == "no_text_layer"


def test_pdf_with_only_whitespace_text_counts_as_no_text_layer():
    with pytest.raises(TextExtractionError) as error:
        extract_text(text_pdf(["   "]))
    assert error.value.code == "no_text_layer"


def test_size_limit_is_the_setting(settings):
    settings.MATCH_MAX_UPLOAD_BYTES = 2048
    with pytest.raises(TextExtractionError) as error:
        extract_text(b"a" * 2049)
    assert error.value.code == "file_too_large"
    assert extract_text(b"a" * 2048).text == "a" * 2048


def test_sections_found_where_headings_mark_them():
    text = extract_text(text_pdf(RESUME_LINES)).text
    sections = resume_sections(text)
    assert sections["skills"] == "Python, Django, PostgreSQL, Docker"
    assert sections["experience"].startswith("Backend developer at Acme")
    assert sections["education"] == "BSc Computer Science, University of Leeds"


def test_inline_headings_and_sentences_that_only_start_with_a_heading_word():
    text = "Skills: Java, Spring\nExperience in banking is a plus\nWork Experience\nJava developer at Bank\n"
    sections = resume_sections(text)
    assert sections["skills"] == "Java, Spring\nExperience in banking is a plus"
    assert sections["experience"] == "Java developer at Bank"


def test_real_docx_resumes_from_shared_data_extract(shared_cv_dir):
    files = sorted(shared_cv_dir.glob("*.docx"))[:5]
    for path in files:
        extracted = extract_text(path.read_bytes())
        assert extracted.kind == "docx" and len(extracted.text) > 200
