"""The chapter cache: parts of documents rendered by chapter, stored by what they are.

A plan rendered by chapter (``documents.chapters``) is made of parts: every field of action
with its measures, the back matter, the front matter and the footers. Each part is laid out
from HTML that holds everything it prints — its content in the reader's language, the page
numbers of the front matter, the draft band — so a part's key is the hash of that HTML
together with what else shapes the PDF:

- the PDF variant (tagged or not);
- the access level the document is made for (``public``/``internal``): a part rendered for
  a reader who may see drafts never enters a public document, even where the HTML agrees;
- the layout (``services.layout_fingerprint``: templates, styles, fonts);
- the erasure stamp (``services.erasure_stamp``): nothing rendered before a person was
  erased is used after it.

After an edit of one measure only its field's HTML changes, so only that part is laid out
again; the front matter and the footers too where the page numbers moved. Parts are PDFs in
the ``documents`` storage (``pdf_parts/…``) with a ``PdfPart`` row each (pages, anchors,
last use), so every worker process on every machine shares them.
"""

import hashlib
import logging
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from . import assembly
from .models import PdfPart, documents_storage

logger = logging.getLogger(__name__)

#: Where the parts are kept in the documents storage.
PARTS_FOLDER = "pdf_parts"
PUBLIC, INTERNAL = "public", "internal"


@dataclass(frozen=True)
class Spec:
    """A part to render: its HTML and the anchors (ids) it owns."""

    label: str
    html: str
    owned: frozenset[str] = frozenset()


@dataclass
class Rendered:
    """A part as the assembly needs it: bytes, page count and where its anchors are."""

    key: str
    data: bytes
    pages: int
    anchors: dict[str, int] = field(default_factory=dict)
    reused: bool = False


class Store:
    """The parts of documents made for one variant, access level and erasure state.

    ``rendered`` and ``reused`` list the labels of the parts laid out and taken from the
    store by this object: the counts the tests and the log report.
    """

    def __init__(self, *, variant: str, access: str, erasure: str, layout: str):
        if access not in (PUBLIC, INTERNAL):
            raise ValueError(f"Unknown access level {access!r}")
        self.variant = variant
        self.access = access
        self.erasure = erasure
        self.layout = layout
        self.rendered: list[str] = []
        self.reused: list[str] = []

    @classmethod
    def for_request(cls, request) -> "Store":
        from .services import layout_fingerprint

        return cls(
            variant=request.variant,
            access=INTERNAL if request.draft else PUBLIC,
            erasure=request.erasure_stamp,
            layout=layout_fingerprint(),
        )

    def key(self, spec: Spec) -> str:
        digest = hashlib.sha256()
        for value in (self.layout, self.variant or "plain", self.access, self.erasure):
            digest.update(value.encode())
            digest.update(b"\0")
        digest.update(spec.html.encode())
        return digest.hexdigest()

    def find(self, specs: list[Spec]) -> dict[str, Rendered]:
        """The stored parts among ``specs``, by key (one query; a row whose file is gone is
        forgotten and its part counts as missing)."""
        keys = {self.key(spec): spec for spec in specs}
        found = {}
        for part in PdfPart.objects.filter(key__in=keys):
            try:
                with part.file.open("rb") as handle:
                    data = handle.read()
            except (FileNotFoundError, OSError):
                logger.warning("PDF part %s lost its file; it is rendered again", part.key)
                PdfPart.objects.filter(pk=part.pk).delete()
                continue
            found[part.key] = Rendered(part.key, data, part.pages, part.anchors, reused=True)
            self.reused.append(keys[part.key].label)
        if found:
            PdfPart.objects.filter(key__in=found).update(used_at=timezone.now())
        return found

    def missing(self, specs: list[Spec]) -> list[Spec]:
        """The specs whose part is not stored (one query; files are not opened)."""
        stored = set(
            PdfPart.objects.filter(key__in=[self.key(s) for s in specs]).values_list(
                "key", flat=True
            )
        )
        return [spec for spec in specs if self.key(spec) not in stored]

    def save(self, spec: Spec, data: bytes) -> Rendered:
        """Store a freshly rendered part (another process storing the same part meanwhile
        is fine: the first row wins, the other file is removed)."""
        self.rendered.append(spec.label)
        return store(self.key(spec), spec.label, data, spec.owned)


def store(key: str, label: str, data: bytes, owned) -> Rendered:
    """Keep ``data`` as the part ``key``; ``owned``: the anchors whose pages are recorded."""
    pages = assembly.page_count(data)
    anchors = assembly.anchor_pages(data, owned) if owned else {}
    existing = PdfPart.objects.filter(key=key).first()
    if existing is not None:
        return Rendered(key, data, existing.pages, existing.anchors)
    storage = documents_storage()
    name = storage.save(f"{PARTS_FOLDER}/{key[:2]}/{key}.pdf", ContentFile(data))
    try:
        with transaction.atomic():
            PdfPart.objects.create(
                key=key, label=label[:100], file=name, pages=pages, anchors=anchors, size=len(data)
            )
    except IntegrityError:  # stored by another process meanwhile
        storage.delete(name)
    return Rendered(key, data, pages, anchors)


def purge_unused(*, cutoff, dry_run: bool = False) -> tuple[int, int]:
    """Delete the parts no document has used since ``cutoff``: (parts, bytes). Files go
    when the deletion is committed (``documents.signals``)."""
    old = PdfPart.objects.filter(used_at__lt=cutoff)
    count, size = old.count(), sum(old.values_list("size", flat=True))
    if not dry_run:
        old.delete()
    return count, size
