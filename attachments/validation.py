"""Which files may be attached: checked by their content, never by their name.

``filetype`` reads the magic numbers; an office document (a ZIP) is opened and its declared
content read — the main part's content type in ``[Content_Types].xml`` (OOXML) or the
``mimetype`` member (OpenDocument) — so a renamed archive, a macro-enabled document or an
executable with a ``.docx`` name is refused. HTML and SVG (active content) are never accepted.
"""

import hashlib
import re
import zipfile
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from imports import uploads

PDF = "application/pdf"
RASTER_IMAGES = {"image/png", "image/jpeg", "image/gif", "image/webp"}
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
ODP = "application/vnd.oasis.opendocument.presentation"

#: OOXML: the main part's content type declared in [Content_Types].xml -> the file's type
OOXML_MAIN_PARTS = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": DOCX,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": XLSX,
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": PPTX,
}
ODF_TYPES = {ODT, ODS, ODP}

LABELS = {
    PDF: ("PDF", "pdf"),
    "image/png": ("PNG", "png"),
    "image/jpeg": ("JPEG", "jpg"),
    "image/gif": ("GIF", "gif"),
    "image/webp": ("WebP", "webp"),
    DOCX: ("Word", "docx"),
    XLSX: ("Excel", "xlsx"),
    PPTX: ("PowerPoint", "pptx"),
    ODT: ("OpenDocument Text", "odt"),
    ODS: ("OpenDocument Tabelle", "ods"),
    ODP: ("OpenDocument Präsentation", "odp"),
}
ALLOWED_TYPES = frozenset(LABELS)
#: Shown in the browser; everything else is sent as a download.
INLINE_TYPES = frozenset({PDF, *RASTER_IMAGES})

HEAD_BYTES = 8192
# [Content_Types].xml is small; a larger one is not a document we accept.
MAX_MANIFEST_BYTES = 256 * 1024

NOT_ALLOWED = _(
    "This file type is not allowed. Allowed are PDF, images (PNG, JPEG, GIF, WebP) and office "
    "documents (Word, Excel, PowerPoint, OpenDocument)."
)


@dataclass(frozen=True)
class Checked:
    content_type: str
    size: int
    sha256: str

    @property
    def extension(self) -> str:
        return LABELS[self.content_type][1]


def max_bytes() -> int:
    return int(settings.PLANWERK_ATTACHMENT_MAX_BYTES)


def type_label(content_type: str) -> str:
    return LABELS.get(content_type, (content_type, ""))[0]


def check_upload(upload) -> Checked:
    """The checked type, size and SHA-256 of an uploaded file; ``ValidationError`` (German via
    the translations) when it is too large, empty or of a type not allowed."""
    size = upload.size
    if size is None or size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    if size > max_bytes():
        raise ValidationError(too_large_message(size), code="too_large")
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    content_type = detect(head, upload)
    if content_type not in ALLOWED_TYPES:
        raise ValidationError(NOT_ALLOWED, code="type")
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return Checked(content_type=content_type, size=size, sha256=digest.hexdigest())


def too_large_message(size: int) -> str:
    return uploads.too_large_message(size, max_bytes())


def detect(head: bytes, upload) -> str | None:
    """The content type the bytes show, or None."""
    kind = filetype.guess(head)
    if kind is None:
        return None
    mime = kind.mime
    if mime == PDF or mime in RASTER_IMAGES:
        return mime
    if head.startswith(b"PK\x03\x04"):
        # any ZIP-based type filetype named: read what the archive itself declares
        upload.seek(0)
        return _zip_declared_type(upload)
    return None


def _zip_declared_type(upload) -> str | None:
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                info = archive.getinfo("mimetype")
                if info.file_size > 200:
                    return None
                declared = archive.read(info).decode("ascii", "replace").strip()
                return declared if declared in ODF_TYPES else None
            if "[Content_Types].xml" in names:
                info = archive.getinfo("[Content_Types].xml")
                if info.file_size > MAX_MANIFEST_BYTES:
                    return None
                manifest = archive.read(info).decode("utf-8", "replace")
                return _ooxml_type(manifest)
    except (zipfile.BadZipFile, OSError, KeyError, RuntimeError, NotImplementedError):
        return None
    return None


_OVERRIDE = re.compile(r"<Override\b[^>]*>", re.IGNORECASE)
_ATTR = re.compile(r'(\w+)\s*=\s*"([^"]*)"')


def _ooxml_type(manifest: str) -> str | None:
    """The type of the part named ``/word/document.xml``, ``/xl/workbook.xml`` or
    ``/ppt/presentation.xml`` (or wherever the manifest puts the main part); exactly one main
    part of an allowed kind, none of another (macro-enabled: ``…macroEnabled.main+xml``)."""
    found = set()
    for tag in _OVERRIDE.findall(manifest):
        attrs = dict(_ATTR.findall(tag))
        declared = attrs.get("ContentType", "")
        if declared.endswith(".main+xml") or "macroEnabled" in declared:
            found.add(declared)
    if len(found) != 1:
        return None
    return OOXML_MAIN_PARTS.get(found.pop())


_UNSAFE = re.compile(r"[^\w.\- ]+", re.UNICODE)


def safe_name(name: str, checked: Checked) -> str:
    """The name the file is offered under: the uploader's base name without path or odd
    characters, with the extension of its real type (a renamed file gets its true one)."""
    base = re.split(r"[\\/]", name or "")[-1]
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = _UNSAFE.sub("_", stem).strip(" ._")[:100] or "dokument"
    return f"{stem}.{checked.extension}"
