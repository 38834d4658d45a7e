"""Render, cache and hand out documents: the documents app's interface.

``render(kind, obj, …)`` builds the bytes; ``get_or_enqueue(…)`` gives cached bytes, renders a
small document inline, or returns the background job of a large one. Views, the admin, the
management command and the worker only wrap these.
"""

import functools
import hashlib
import logging
import time
import uuid
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext

from access import rules
from actionplan.models import FieldOfAction, Measure, Plan
from campaigns.models import Campaign

from . import chapters, kinds, parts, plans, rendering
from .campaigns import CampaignDocumentRequest
from .models import PdfExport, PdfPart, PdfPartJob
from .rendering import DEFAULT_VARIANT, VARIANTS  # noqa: F401  (part of the interface)

logger = logging.getLogger(__name__)

DEFAULT_INLINE_MAX_MEASURES = 20
#: How long the lock of a render lives (a crashed renderer's lock expires) and how long
#: another process waits for its bytes before rendering itself (a web request must not hang).
RENDER_LOCK_SECONDS = 120
RENDER_WAIT_SECONDS = 15


@lru_cache(maxsize=1)
def layout_fingerprint() -> str:
    """Hash of the document templates and styles, so a new layout misses the cache."""
    digest = hashlib.sha256()
    roots = [
        Path(settings.BASE_DIR) / "templates" / "documents",
        Path(settings.BASE_DIR) / "static" / "documents",
        # the charts of the progress chapter
        Path(settings.BASE_DIR) / "templates" / "progress" / "includes",
    ]
    for root in roots:
        for path in sorted(root.rglob("*")):
            if path.suffix in {".html", ".css", ".svg"}:
                digest.update(path.relative_to(settings.BASE_DIR).as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def erasure_stamp() -> str:
    """When a person was last erased: part of every document's cache key, so no cached
    document rendered before an erasure is served after it (contacts.services.person_erase)."""
    from django.db.models import Max

    from contacts.models import Person

    latest = Person.objects.aggregate(latest=Max("erased_at"))["latest"]
    return latest.isoformat() if latest else "-"


#: What a ``DocumentRequest`` and its background ``PdfExport`` both hold.
EXPORT_FIELDS = ("plan", "field", "measure", "draft", "language", "variant", "progress")


@dataclass(frozen=True)
class DocumentRequest:
    """What to render: a plan, or one of its fields or measures, and how."""

    plan: Plan
    field: FieldOfAction | None = None
    measure: Measure | None = None
    draft: bool = False
    language: str = "de"
    variant: str = DEFAULT_VARIANT
    #: with the chapter „Stand der Umsetzung“ (the progress dashboard, plan documents only)
    progress: bool = False

    @classmethod
    def build(
        cls,
        plan,
        *,
        field=None,
        measure=None,
        language=None,
        variant=DEFAULT_VARIANT,
        internal=True,
        progress=False,
    ):
        """``internal``: the reader may see the plan's drafts (``access.rules``); only then
        does the document hold them (and is marked as a draft). ``progress``: a plan document
        with the chapter „Stand der Umsetzung“. ``language``: the reader's, which views
        pass (default: ``LANGUAGE_CODE``); the frame speaks it, the content keeps its own."""
        rendering.check_variant(variant)
        if progress and (field is not None or measure is not None):
            raise ValueError("The progress chapter belongs to the plan document only.")
        draft, language = plans.defaults(
            plan, None if internal else False, language, field=field, measure=measure
        )
        return cls(plan, field, measure, draft, language, variant, progress)

    @classmethod
    def for_object(cls, obj, **options):
        plan, field, measure = plans.scope(obj)
        return cls.build(plan, field=field, measure=measure, **options)

    @classmethod
    def for_export(cls, export: PdfExport):
        """The request a background export was made for, with its objects as stored now."""
        return cls(**{name: getattr(export, name) for name in EXPORT_FIELDS})

    @property
    def kind(self) -> str:
        return "measure" if self.measure else "field" if self.field else "plan"

    @functools.cached_property
    def erasure_stamp(self) -> str:
        """``erasure_stamp()`` once per request object (it is a query)."""
        return erasure_stamp()

    @property
    def target(self):
        return self.measure or self.field or self.plan

    @property
    def cache_key(self) -> str:
        stamp = self.plan.content_changed_at or self.plan.updated_at
        raw = ":".join(
            [
                self.erasure_stamp,
                self.kind,
                str(self.target.pk),
                f"plan{self.plan.pk}",
                stamp.isoformat() if stamp else "-",
                self.language,
                "draft" if self.draft else "final",
                self.variant or "plain",
                layout_fingerprint(),
            ]
        )
        if self.progress:
            # the chapter counts days (due, overdue): a new day is a new document
            raw += f":progress:{timezone.localdate().isoformat()}"
        return "planwerk:pdf:" + hashlib.sha256(raw.encode()).hexdigest()

    @property
    def filename(self) -> str:
        parts = [self.plan.slug]
        if self.field:
            parts.append(self.field.slug)
        if self.measure:
            parts.append(self.measure.slug)
        if self.progress:
            parts.append("stand")
        if self.draft:
            parts.append("entwurf")
        return "-".join(parts) + ".pdf"

    def measure_count(self) -> int:
        return kinds.get(self.kind).measure_count(self)

    def html(self) -> str:
        """The HTML the renderer lays out."""
        kind = kinds.get(self.kind)
        with translation.override(self.language):
            return render_to_string(kind.template, kind.context(self))

    def render(self, *, url_fetcher=None) -> bytes:
        """The PDF; a large plan chapter by chapter, in bounded memory (``chapters``)."""
        if chapters.applies(self):
            return chapters.render(self, url_fetcher=url_fetcher)
        return rendering.write_pdf(self.html(), variant=self.variant, url_fetcher=url_fetcher)


@dataclass(frozen=True)
class VersionDocumentRequest(DocumentRequest):
    """A stored version of a plan (``versions.PlanVersion``): public content only, never a
    draft; with ``changes`` the changes from the version to today's public state appended."""

    version: object = None
    changes: bool = False

    @classmethod
    def build(cls, plan, *, version, changes=False, language=None, variant=DEFAULT_VARIANT):
        rendering.check_variant(variant)
        language = plans.reader_language(language)
        return cls(plan, None, None, False, language, variant, version=version, changes=changes)

    @property
    def kind(self) -> str:
        return "version"

    @property
    def target(self):
        return self.version

    @property
    def cache_key(self) -> str:
        # The snapshot never changes; the appendix compares with today's plan.
        stamp = self.plan.content_changed_at or self.plan.updated_at
        raw = ":".join(
            [
                self.erasure_stamp,
                "version",
                str(self.version.pk),
                self.version.created_at.isoformat(),
                (stamp.isoformat() if stamp else "-") if self.changes else "-",
                "changes" if self.changes else "plain",
                self.language,
                self.variant or "plain",
                layout_fingerprint(),
            ]
        )
        return "planwerk:pdf:" + hashlib.sha256(raw.encode()).hexdigest()

    @property
    def filename(self) -> str:
        parts = [self.plan.slug, self.version.slug]
        if self.changes:
            parts.append("aenderungen")
        return "-".join(parts) + ".pdf"


def request_for(user, obj, **options) -> DocumentRequest:
    """The document of a plan, field or measure as this user may see it (drafts for members);
    of a campaign, its brief (the views let only who may see the campaign get this far)."""
    if isinstance(obj, Campaign):
        return CampaignDocumentRequest.build(obj, **options)
    plan, _, _ = plans.scope(obj)
    internal = rules.sees_unpublished(user, plan)
    return DocumentRequest.for_object(obj, internal=internal, **options)


def _request(kind, obj, *, language=None, variant=DEFAULT_VARIANT, internal=True, progress=False):
    if isinstance(obj, Campaign):
        request = CampaignDocumentRequest.build(obj, language=language, variant=variant)
    else:
        request = DocumentRequest.for_object(
            obj, language=language, variant=variant, internal=internal, progress=progress
        )
    if request.kind != kind:
        raise ValueError(f"{obj!r} is not a {kind!r} document")
    return request


def render(kind: str, obj, *, url_fetcher=None, **options) -> bytes:
    """The document ``kind`` (``plan``, ``field``, ``measure``, ``campaign``) of ``obj``,
    freshly rendered.

    ``internal``: for a reader who may see unpublished measures (then the document holds
    them and is marked as a draft if its scope has any); otherwise only what is public.
    """
    return _request(kind, obj, **options).render(url_fetcher=url_fetcher)


def document_html(kind: str, obj, **options) -> str:
    return _request(kind, obj, **options).html()


# --- cache ----------------------------------------------------------------------------------


def cached(request: DocumentRequest) -> bytes | None:
    return cache.get(request.cache_key)


def _cache_timeout():
    return getattr(settings, "PLANWERK_PDF_CACHE_TIMEOUT", DEFAULT_TIMEOUT)


def get_or_render(request: DocumentRequest) -> bytes:
    """The document from the cache, or rendered once and stored (keyed by the data's state).

    A process that finds another one rendering the same document (a lock taken with the
    cache's ``add``) waits for its bytes instead of rendering them again.
    """
    data = cache.get(request.cache_key)
    if data is not None:
        return data
    lock = request.cache_key + ":rendering"
    token = uuid.uuid4().hex
    if not cache.add(lock, token, timeout=RENDER_LOCK_SECONDS):
        deadline = time.monotonic() + RENDER_WAIT_SECONDS
        while time.monotonic() < deadline and cache.get(lock) is not None:
            time.sleep(0.1)
            data = cache.get(request.cache_key)
            if data is not None:
                return data
    try:
        data = request.render()
        cache.set(request.cache_key, data, timeout=_cache_timeout())
    finally:
        if cache.get(lock) == token:
            cache.delete(lock)
    return data


# --- background jobs ------------------------------------------------------------------------


def inline_max_measures() -> int:
    """Documents with more measures than this are rendered by the worker, not the request."""
    return getattr(settings, "PLANWERK_PDF_INLINE_MAX_MEASURES", DEFAULT_INLINE_MAX_MEASURES)


def export_request(request: DocumentRequest, *, requested_by=None) -> PdfExport:
    """Reuse the queued, running or finished job for this exact document, else enqueue one.

    Keyed by the cache key, with one live job per key held by a unique constraint: repeated
    clicks, many visitors or several app servers start one job per state of the data.
    """
    existing = PdfExport.objects.reusable().filter(cache_key=request.cache_key).first()
    if existing is not None and not export_check_alive(existing):
        existing = None  # its worker is gone: marked failed, a new job is started below
    if existing is not None:
        return existing
    user = requested_by if requested_by is not None and requested_by.is_authenticated else None
    try:
        with transaction.atomic():
            export = PdfExport.objects.create(
                cache_key=request.cache_key,
                requested_by=user,
                **{name: getattr(request, name) for name in EXPORT_FIELDS},
            )
    except IntegrityError:
        # Another process created the job between our look and our insert.
        return PdfExport.objects.reusable().get(cache_key=request.cache_key)
    from .tasks import build_pdf_export

    result = build_pdf_export.enqueue(str(export.pk))
    PdfExport.objects.filter(pk=export.pk).update(task_result_id=str(result.id))
    export.task_result_id = str(result.id)
    return export


def chapter_jobs() -> bool:
    """Whether the chapters of a background export become jobs of their own."""
    return getattr(settings, "PLANWERK_PDF_CHAPTER_JOBS", True)


def export_chapters_start(export: PdfExport, request: DocumentRequest) -> int:
    """Hand the chapters of an export rendered by chapter to the task queue, one job each
    (``tasks.render_pdf_part``), so that every worker process on every machine can take one;
    returns how many. None (0) when the document is not rendered by chapter, is cached, or
    has fewer than two chapters to lay out: then the export's own job renders it.

    The chapters are fixed here, from one reading of the plan: each job carries the HTML
    of its chapter, and the join takes the parts by their keys, so a document never mixes
    chapters of two states (an edit meanwhile makes the join lay out the new chapter)."""
    from .tasks import render_pdf_part

    if not chapter_jobs() or not chapters.applies(request) or cached(request) is not None:
        return 0
    _, specs = chapters.prepare(request)
    store = parts.Store.for_request(request)
    missing = store.missing(specs)
    if len(missing) < 2:
        return 0
    with transaction.atomic():
        PdfPartJob.objects.filter(export=export).delete()  # a retried job starts over
        jobs = PdfPartJob.objects.bulk_create(
            PdfPartJob(
                export=export,
                position=position,
                key=store.key(spec),
                label=spec.label[:100],
                html=spec.html,
                variant=request.variant,
                owned=sorted(spec.owned),
            )
            for position, spec in enumerate(missing)
        )
    jobs = list(PdfPartJob.objects.filter(export=export).order_by("position"))
    for job in jobs:
        result = render_pdf_part.enqueue(job.pk)
        PdfPartJob.objects.filter(pk=job.pk).update(task_result_id=str(result.id))
    logger.info("PDF export %s: %s chapters handed to the workers", export.pk, len(jobs))
    return len(jobs)


def export_join_when_complete(export_id) -> bool:
    """Start the join of an export whose chapter jobs are all done, once (the export row is
    locked while the join is enqueued, so of two chapters finishing together one starts
    it)."""
    from .tasks import join_pdf_export

    if PdfPartJob.objects.filter(export_id=export_id, status=PdfPartJob.Status.PENDING).exists():
        return False
    with transaction.atomic():
        export = (
            PdfExport.objects.select_for_update()
            .filter(pk=export_id, status=PdfExport.Status.RUNNING, join_task_id="")
            .first()
        )
        if export is None:
            return False
        result = join_pdf_export.enqueue(str(export_id))
        PdfExport.objects.filter(pk=export_id).update(join_task_id=str(result.id))
    return True


def export_progress(export: PdfExport) -> tuple[int, int] | None:
    """(chapters done, chapters) of an export whose chapters are jobs of their own."""
    counts = export.part_jobs.aggregate(
        total=Count("pk"), done=Count("pk", filter=Q(status=PdfPartJob.Status.DONE))
    )
    return (counts["done"], counts["total"]) if counts["total"] else None


def _export_tasks_alive(export: PdfExport) -> bool:
    """Whether a task that can still finish the export is waiting or running: its own, its
    chapters' or its join."""
    from workers.services import task_gone

    tasks = [export.task_result_id, export.join_task_id]
    tasks += list(export.part_jobs.values_list("task_result_id", flat=True))
    return any(task_id and not task_gone(task_id) for task_id in tasks) or not (
        export.task_result_id
    )


def export_check_alive(export: PdfExport) -> bool:
    """False, and the export marked failed, when its job can no longer finish: the task ended
    (failed, or done without a file: its worker was lost and the attempts used up) or is gone.
    A dead job is then neither shown as "being created" nor handed to the next visitor."""
    if export.is_finished or _export_tasks_alive(export):
        return True
    PdfExport.objects.filter(
        pk=export.pk, status__in=[PdfExport.Status.PENDING, PdfExport.Status.RUNNING]
    ).update(
        status=PdfExport.Status.FAILED,
        finished_at=timezone.now(),
        error=gettext("The background process ended before the PDF was finished."),
    )
    export.refresh_from_db()
    return export.status == PdfExport.Status.DONE


def export_cancel(*, export: PdfExport, acting_user) -> PdfExport:
    """Cancel a queued or running export (one conditional UPDATE): a queued one is never
    started, a running one's PDF is discarded when it is done (``tasks.build_pdf_export``)."""
    PdfExport.objects.filter(
        pk=export.pk, status__in=[PdfExport.Status.PENDING, PdfExport.Status.RUNNING]
    ).update(
        status=PdfExport.Status.CANCELLED,
        finished_at=timezone.now(),
        cancelled_by=acting_user,
        error=gettext("Cancelled by %(user)s.") % {"user": acting_user.get_username()},
    )
    export.refresh_from_db()
    return export


def get_or_enqueue(request: DocumentRequest, *, requested_by=None) -> bytes | PdfExport:
    """Cached bytes; else the bytes rendered inline when small; else the background job."""
    data = cached(request)
    if data is not None:
        return data
    if request.measure_count() > inline_max_measures():
        return export_request(request, requested_by=requested_by)
    return get_or_render(request)


# --- storage hygiene ------------------------------------------------------------------------

#: Where the background exports keep their files in the documents storage (``PdfExport.file``).
EXPORTS_FOLDER = "pdf_exports"


@dataclass
class PurgeResult:
    """What ``purge_generated`` deleted (or, in a dry run, would delete)."""

    exports: int = 0  # export rows: superseded or stale documents, failed jobs
    files: int = 0  # files: theirs, and orphans no export names
    bytes: int = 0
    orphans: int = 0  # of ``files``
    parts: int = 0  # chapter parts (``documents.parts``) no document used since the cutoff


def _export_is_current(export: PdfExport, erasure: str) -> bool:
    """Whether the export is the document its object would get now: its cache key is the key
    of the same request today (data stamp, erasure, layout, and the day of a progress
    chapter). A newer state of the data supersedes it whether or not it was rendered yet."""
    request = DocumentRequest.for_export(export)
    request.__dict__["erasure_stamp"] = erasure  # the cached property, once for all exports
    return request.cache_key == export.cache_key


def _stored_files(storage, folder: str):
    """Every file under ``folder`` of ``storage`` (local or S3-compatible), recursively."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in files:
        yield f"{folder}/{name}"
    for sub in folders:
        yield from _stored_files(storage, f"{folder}/{sub}")


def purge_generated(*, now=None, retention=None, dry_run: bool = False) -> PurgeResult:
    """Delete generated documents nobody will be handed again, once ``retention`` (default
    ``PLANWERK_DOCUMENT_RETENTION``) has passed since they were made:

    - finished exports superseded by a newer state of their document (``_export_is_current``),
    - failed exports, and queued or running ones whose task is gone (``export_check_alive``),
    - chapter parts no document has used within the retention (``parts.purge_unused``),
    - files in the exports and parts folders that no row names (a deleted row's file left
      behind).

    The export each document would get today is never deleted, however old, and nothing
    younger than the retention is: a render in progress writes its file before its row is
    committed. Rows go at once, their files when the deletion is committed
    (``documents.signals``). ``dry_run`` counts without deleting.
    """
    from .models import documents_storage

    now = now or timezone.now()
    retention = settings.PLANWERK_DOCUMENT_RETENTION if retention is None else retention
    cutoff = now - retention
    result = PurgeResult()
    erasure = erasure_stamp()
    doomed = []
    old = PdfExport.objects.filter(created_at__lt=cutoff).select_related("plan", "field", "measure")
    for export in old.iterator(chunk_size=200):
        if export.status == PdfExport.Status.DONE:
            gone = not _export_is_current(export, erasure)
        elif export.status == PdfExport.Status.FAILED:
            gone = True
        else:
            gone = not dry_run and not export_check_alive(export)
        if gone:
            doomed.append(export)
    storage = documents_storage()
    for export in doomed:
        result.exports += 1
        if export.file:
            result.files += 1
            result.bytes += export.size or 0
    if not dry_run:
        with transaction.atomic():
            PdfExport.objects.filter(pk__in=[export.pk for export in doomed]).delete()
    result.parts, part_bytes = parts.purge_unused(cutoff=cutoff, dry_run=dry_run)
    result.files += result.parts
    result.bytes += part_bytes
    named = set(PdfExport.objects.exclude(file="").values_list("file", flat=True))
    named.update(export.file.name for export in doomed if export.file)
    named.update(PdfPart.objects.values_list("file", flat=True))
    stored = [*_stored_files(storage, EXPORTS_FOLDER), *_stored_files(storage, parts.PARTS_FOLDER)]
    for name in stored:
        if name in named:
            continue
        try:
            if storage.get_modified_time(name) >= cutoff:
                continue
            size = storage.size(name)
            if not dry_run:
                storage.delete(name)
        except FileNotFoundError:
            continue  # deleted meanwhile
        result.files += 1
        result.orphans += 1
        result.bytes += size
    logger.info("Generated documents purged: %s", result)
    return result
