"""Uploaded files: only images and PDFs, re-encoded or cleaned so no metadata (GPS, camera, author) stays."""

from __future__ import annotations

import io
from dataclasses import dataclass

import pikepdf
from PIL import Image, ImageOps, UnidentifiedImageError

from core.errors import ValidationFailed

MAX_FILES = 5
MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_TOTAL_BYTES = 20 * 1024 * 1024
MAX_PIXELS = 40_000_000  # refuses decompression bombs long before memory runs out
IMAGE_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "GIF": "image/png"}


@dataclass(frozen=True)
class Upload:
    filename: str
    data: bytes


@dataclass(frozen=True)
class CleanFile:
    name: str
    media_type: str
    data: bytes


def clean_uploads(uploads: list[Upload], *, field: str = "files") -> list[CleanFile]:
    """Check limits and clean every file; one refused file refuses the lot, with the reason."""
    uploads = [u for u in uploads if u.data]
    if len(uploads) > MAX_FILES:
        raise ValidationFailed({field: "too_many_files"})
    if any(len(u.data) > MAX_FILE_BYTES for u in uploads):
        raise ValidationFailed({field: "file_too_large"})
    if sum(len(u.data) for u in uploads) > MAX_TOTAL_BYTES:
        raise ValidationFailed({field: "files_too_large"})
    return [_clean(u, field) for u in uploads]


def _safe_name(filename: str, extension: str) -> str:
    stem = filename.rsplit("/", 1)[-1].rsplit("\\", 1)[-1].rsplit(".", 1)[0][:80].strip() or "file"
    return f"{stem}.{extension}"


def _clean(upload: Upload, field: str) -> CleanFile:
    if upload.data.startswith(b"%PDF-"):
        return _clean_pdf(upload, field)
    return _clean_image(upload, field)


def _clean_image(upload: Upload, field: str) -> CleanFile:
    try:
        with Image.open(io.BytesIO(upload.data)) as probe:
            kind = probe.format or ""
            if kind not in IMAGE_TYPES or probe.width * probe.height > MAX_PIXELS:
                raise ValidationFailed({field: "file_type_refused"})
            probe.verify()
        with Image.open(io.BytesIO(upload.data)) as image:
            # Apply the orientation the EXIF data asked for, then write pixels only: a new file
            # carries no EXIF, XMP, ICC comments or GPS position.
            upright = ImageOps.exif_transpose(image)
            out = io.BytesIO()
            if kind == "JPEG":
                upright.convert("RGB").save(out, "JPEG", quality=90)
                return CleanFile(_safe_name(upload.filename, "jpg"), "image/jpeg", out.getvalue())
            if kind == "WEBP":
                upright.save(out, "WEBP", quality=90)
                return CleanFile(_safe_name(upload.filename, "webp"), "image/webp", out.getvalue())
            converted = upright if upright.mode in {"RGB", "RGBA", "L", "LA", "P"} else upright.convert("RGBA")
            converted.save(out, "PNG")
            return CleanFile(_safe_name(upload.filename, "png"), "image/png", out.getvalue())
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise ValidationFailed({field: "file_type_refused"}) from exc


def _clean_pdf(upload: Upload, field: str) -> CleanFile:
    try:
        with pikepdf.open(io.BytesIO(upload.data)) as pdf:
            # Author, producer, dates and XMP can name the person who made the file.
            if "/Info" in pdf.trailer:
                del pdf.trailer["/Info"]
            if "/Metadata" in pdf.Root:
                del pdf.Root["/Metadata"]
            for page in pdf.pages:
                if "/Metadata" in page.obj:
                    del page.obj["/Metadata"]
            out = io.BytesIO()
            pdf.save(out, static_id=True, fix_metadata_version=False)
    except (pikepdf.PdfError, ValueError, KeyError) as exc:
        raise ValidationFailed({field: "pdf_refused"}) from exc
    return CleanFile(_safe_name(upload.filename, "pdf"), "application/pdf", out.getvalue())
