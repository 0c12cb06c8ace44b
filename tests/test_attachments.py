"""Uploaded files: metadata removed, limits enforced with clear reasons."""

from __future__ import annotations

import io

import pikepdf
import pytest
from PIL import Image

from core.errors import ValidationFailed
from reporting.attachments import MAX_FILE_BYTES, MAX_FILES, Upload, clean_uploads


def _pdf_with_metadata() -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.docinfo["/Author"] = "Erika Mustermann"
    pdf.docinfo["/Creator"] = "Scanner of Erika"
    with pdf.open_metadata() as meta:
        meta["dc:creator"] = ["Erika Mustermann"]
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def test_pdf_loses_author_and_xmp_but_still_opens():
    original = _pdf_with_metadata()
    assert b"Erika" in original
    cleaned = clean_uploads([Upload("brief.pdf", original)])[0]
    assert cleaned.media_type == "application/pdf" and cleaned.name == "brief.pdf"
    assert b"Erika" not in cleaned.data
    with pikepdf.open(io.BytesIO(cleaned.data)) as pdf:
        assert len(pdf.pages) == 1


def test_png_with_text_chunks_is_rewritten_without_them():
    from PIL import PngImagePlugin
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Erika Mustermann")
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10), "white").save(buffer, "PNG", pnginfo=info)
    cleaned = clean_uploads([Upload("bild.png", buffer.getvalue())])[0]
    assert b"Erika" not in cleaned.data
    assert Image.open(io.BytesIO(cleaned.data)).size == (10, 10)


@pytest.mark.parametrize(("uploads", "reason"), [
    ([Upload(f"{n}.png", b"x") for n in range(MAX_FILES + 1)], "too_many_files"),
    ([Upload("big.pdf", b"%PDF-" + b"0" * MAX_FILE_BYTES)], "file_too_large"),
    ([Upload("virus.exe", b"MZ\x90\x00\x03")], "file_type_refused"),
    ([Upload("broken.pdf", b"%PDF-1.7 not really")], "pdf_refused"),
    ([Upload("fake.jpg", b"\xff\xd8\xff\xe0 not a jpeg")], "file_type_refused"),
])
def test_refused_uploads_say_why(uploads, reason):
    with pytest.raises(ValidationFailed) as refused:
        clean_uploads(uploads)
    assert refused.value.errors == {"files": reason}


def test_empty_file_inputs_are_ignored():
    assert clean_uploads([Upload("", b"")]) == []
