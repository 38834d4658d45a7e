"""Large plans, rendered chapter by chapter in bounded memory, then joined.

WeasyPrint keeps the box tree of every laid-out page (~2 MB a page) until it writes the PDF,
so a 575-page plan needed 1.6 GB. Above ``chapter_min_measures()`` measures a plan (or a
stored version of it) is rendered as parts instead, each its own WeasyPrint document:

1. every field of action, then the back matter (timeline, changes): each knows its page
   count and on which of its pages each heading lies once rendered;
2. the front matter (cover, contents, introduction, overview, progress, contacts), whose
   contents and overview print the pages of the chapters as text (its own sections keep
   ``target-counter``: it starts on page 1); its own length shifts those numbers, so it is
   laid out again in the rare case that the page count it was given was not its own;
3. a footer document with „Seite X von Y“ for every page (only now is Y known);
4. ``documents.assembly`` joins pages, tags, outline, destinations and footers.

Memory then grows with the largest part, not with the plan. Each part is the same template
(``documents/plan.html``) with the other parts switched off, so the look stays the same.
"""

import contextlib
import html as html_lib
import logging
import multiprocessing
import time
from concurrent.futures import Future, ProcessPoolExecutor
from contextvars import ContextVar

from django.conf import settings
from django.core.cache import cache
from django.template import Context, Template
from django.template.loader import render_to_string
from django.utils.html import strip_tags
from django.utils.safestring import mark_safe
from django.utils.translation import override

from . import assembly, kinds, parts, rendering

logger = logging.getLogger(__name__)

#: Plans with more measures than this are rendered by chapter (see docs/benchmarks.md).
DEFAULT_CHAPTER_MIN_MEASURES = 100
#: Child processes rendering chapters side by side; 1: all in the worker's own process.
#: With more than one, the parts are also joined in a fresh child process (see ``render``).
DEFAULT_CHAPTER_PROCESSES = 2
CHAPTER_KINDS = {"plan", "version"}
FRONT_ANCHORS = {"introduction", "overview", "progress", "contacts"}
MAX_FRONT_PASSES = 4


def chapter_min_measures() -> int:
    return getattr(settings, "PLANWERK_PDF_CHAPTER_MIN_MEASURES", DEFAULT_CHAPTER_MIN_MEASURES)


def chapter_processes() -> int:
    return getattr(settings, "PLANWERK_PDF_CHAPTER_PROCESSES", DEFAULT_CHAPTER_PROCESSES)


class _InProcess:
    """The executor interface, rendering at once in this process (warm fonts, no start-up)."""

    parallel = False

    def __init__(self, url_fetcher):
        self.url_fetcher = url_fetcher

    def submit(self, html: str, variant: str) -> Future:
        future = Future()
        future.set_result(rendering.write_pdf(html, variant=variant, url_fetcher=self.url_fetcher))
        return future

    def shutdown(self):
        pass

    @staticmethod
    def assemble(parts, footer) -> bytes:
        return assembly.assemble(parts, footer, footer_from=1)


class _Pool:
    """Chapters rendered by child processes; each holds one chapter's pages at a time and
    gives its memory back when the document is done."""

    parallel = True

    def __init__(self, processes: int):
        self.executor = ProcessPoolExecutor(
            max_workers=processes,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=rendering.worker_init,
        )

    def submit(self, html: str, variant: str) -> Future:
        return self.executor.submit(rendering.write_pdf_in_worker, html, variant)

    def shutdown(self):
        self.executor.shutdown(wait=True, cancel_futures=True)

    @staticmethod
    def assemble(parts, footer) -> bytes:
        """Join the parts in a fresh child process: the joined document's objects (qpdf holds
        ~1.5 kB a PDF object, ~300 MB for 1,000 measures) never add to the worker's heap."""
        with ProcessPoolExecutor(
            max_workers=1,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=rendering.die_with_parent,
        ) as one:
            return one.submit(assembly.assemble, parts, footer, footer_from=1).result()


# A render whose job was cancelled stops between chapters: the caller (documents.tasks) says how
# to tell; chapters already given to a child process finish, the rest are never started.
_stop_check: ContextVar = ContextVar("planwerk_pdf_stop_check", default=None)


class RenderStopped(Exception):
    """The render was asked to stop (its export was cancelled)."""


@contextlib.contextmanager
def stop_when(check):
    """Renders by chapter inside this block ask ``check()`` before each chapter and stop with
    ``RenderStopped`` when it answers true."""
    token = _stop_check.set(check)
    try:
        yield
    finally:
        _stop_check.reset(token)


def _stop_if_asked() -> None:
    check = _stop_check.get()
    if check is not None and check():
        raise RenderStopped


def applies(request) -> bool:
    """Whether this document is rendered by chapter."""
    return request.kind in CHAPTER_KINDS and request.measure_count() > chapter_min_measures()


def css_string(text: str) -> str:
    """``text`` as a quoted CSS string, every character but ASCII letters and digits
    escaped (safe inside ``<style>``). A space is escaped too: CSS swallows one space after
    a hex escape."""
    escaped = "".join(
        ch if ch.isascii() and ch.isalnum() else f"\\{ord(ch):06x}" for ch in str(text)
    )
    return mark_safe(f'"{escaped}"')


def running_strings(context) -> dict:
    """The plan title and data state the footer document prints at the top and bottom left
    of every page after the cover, as a one-piece render prints them from the cover's
    strings (``pdf.css``: ``string-set``): the title as the reader gets it."""
    title = Template(
        '{% load document_text translations %}{{ plan|trtext:"title" }}{% doc_note plan "title" %}'
    ).render(Context(context))
    data_state = render_to_string("documents/includes/_data_state.html", context)
    return {
        "running_title": css_string(html_lib.unescape(strip_tags(title)).strip()),
        "running_data_state": css_string(html_lib.unescape(strip_tags(data_state)).strip()),
    }


def chapter_specs(template: str, context: dict) -> list[parts.Spec]:
    """The chapters of a document: every field of action, then the back matter (timeline,
    indicators, changes), each as the HTML it is laid out from and the anchors it owns."""
    fields = context["fields"]
    shared = {**context, "footer_overlay": True, "chapter_part": True}
    specs = []
    for field in fields:
        html = render_to_string(
            template, {**shared, "fields": [field], "skip_front": True, "skip_back": True}
        )
        owned = {f"field-{field.pk}"} | {f"measure-{m.pk}" for m in field.measures.all()}
        specs.append(parts.Spec(f"field-{field.pk}", html, frozenset(owned)))
    back_owned = {"timeline"} | ({"changes"} if context.get("report") is not None else set())
    if context.get("indicators"):
        back_owned.add("indicators")
    html = render_to_string(
        template,
        {**shared, "skip_front": True, "skip_fields": True, "stubs": _measure_anchors(fields)},
    )
    specs.append(parts.Spec("back", html, frozenset(back_owned)))
    return specs


def prepare(request) -> tuple[dict, list[parts.Spec]]:
    """The document's context and its chapters (``chapter_specs``), in its language."""
    kind = kinds.get(request.kind)
    with override(request.language):
        context = kind.context(request)
        return context, chapter_specs(kind.template, context)


def render(request, *, url_fetcher=None) -> bytes:
    """The document, by chapter. Parts already in the chapter cache (``documents.parts``) are
    taken from it, the others laid out; with ``PLANWERK_PDF_CHAPTER_PROCESSES`` > 1 and two
    or more chapters to lay out, side by side in child processes. A custom ``url_fetcher``
    (tests that watch what the renderer asks for) renders every part, in this process, and
    stores none."""
    kind = kinds.get(request.kind)
    processes = chapter_processes()
    started = time.perf_counter()
    store = None if url_fetcher is not None else parts.Store.for_request(request)
    executor = _InProcess(url_fetcher)
    try:
        with override(request.language):
            context = kind.context(request)
            specs = chapter_specs(kind.template, context)
            found = store.find(specs) if store is not None else {}
            missing = [spec for spec in specs if store is None or store.key(spec) not in found]
            if processes > 1 and url_fetcher is None and len(missing) > 1:
                executor = _Pool(min(processes, len(missing)))
            result, footer = _render(request, kind.template, context, specs, found, store, executor)
    finally:
        executor.shutdown()  # the chapter processes end before the parts are joined
    data = (_Pool if processes > 1 else _InProcess).assemble(result, footer)
    logger.info(
        "PDF %s rendered by chapter in %.1f s: %s parts laid out (%s), %s from the cache",
        request.filename,
        time.perf_counter() - started,
        len(store.rendered) if store else len(specs) + 2,
        ", ".join(store.rendered) if store else "all",
        len(store.reused) if store else 0,
    )
    return data


class _Pending:
    """A part being obtained: taken from the store, or laid out by the executor and stored."""

    def __init__(self, spec, *, store, found=None, future=None):
        self.spec, self.store, self.found, self.future = spec, store, found, future

    def result(self) -> parts.Rendered:
        if self.found is None:
            data = self.future.result()
            if self.store is not None:
                self.found = self.store.save(self.spec, data)
            else:
                owned = assembly.anchor_pages(data, self.spec.owned) if self.spec.owned else {}
                self.found = parts.Rendered("", data, assembly.page_count(data), owned)
        return self.found


def _obtain(spec, *, store, executor, variant, found=None) -> _Pending:
    if found is None and store is not None:
        found = store.find([spec]).get(store.key(spec))
    if found is not None:
        return _Pending(spec, store=store, found=found)
    return _Pending(spec, store=store, future=executor.submit(spec.html, variant))


def _render(request, template, context, specs, found, store, executor):
    fields = context["fields"]
    variant = request.variant
    shared = {**context, "footer_overlay": True}

    # 1. Chapters: every field of action, then the back matter (from the cache where stored);
    # and the cover, which carries the document's metadata (its dates change with every edit).
    cover = _obtain(
        parts.Spec(
            "cover",
            render_to_string(
                template, {**shared, "cover_only": True, "skip_fields": True, "skip_back": True}
            ),
        ),
        store=store,
        executor=executor,
        variant=variant,
    )
    pending = []
    for spec in specs:
        _stop_if_asked()
        key = store.key(spec) if store is not None else None
        pending.append(
            _obtain(spec, store=store, executor=executor, variant=variant, found=found.get(key))
        )
    chapter_parts = []
    for item in pending:
        _stop_if_asked()
        chapter_parts.append(item.result())
    _stop_if_asked()

    # Where each chapter heading lies, counted from the first chapter page.
    local_pages: dict[str, int] = {}
    offset = 0
    for part in chapter_parts:
        for name, index in part.anchors.items():
            local_pages[name] = offset + index
        offset += part.pages
    chapter_pages = offset

    # 2. The front matter, with the chapters' page numbers as text, and 3. the footers for
    # the page count the front is given (side by side; both again if it was not its own).
    stubs = sorted(local_pages)
    front_count = cache.get(_front_key(request)) or _front_guess(context["plan"], fields)
    running = running_strings(context)
    passes = 0
    while True:
        passes += 1
        numbers = _number(fields, local_pages, front_count)
        html = render_to_string(
            template,
            {
                **shared,
                **numbers,
                "chapter_part": True,
                "first_page": cover.result().pages + 1,
                "skip_cover": True,
                "skip_fields": True,
                "skip_back": True,
                "stubs": stubs,
            },
        )
        front = _obtain(
            parts.Spec("front", html, frozenset(FRONT_ANCHORS)),
            store=store,
            executor=executor,
            variant=variant,
        )
        footer_html = render_to_string(
            "documents/footer.html",
            {**context, **running, "page_range": range(front_count + chapter_pages)},
        )
        footer_spec = parts.Spec("footer", footer_html)
        footer = (
            _obtain(footer_spec, store=store, executor=executor, variant=variant)
            if executor.parallel
            else None
        )
        actual = cover.result().pages + front.result().pages
        if actual == front_count:
            footer = footer or _obtain(footer_spec, store=store, executor=executor, variant=variant)
            break
        if passes == MAX_FRONT_PASSES:
            raise RuntimeError("the front matter's page count does not settle")
        front_count = actual
    logger.info(
        "PDF by chapter: %s chapters, %s + %s pages, front laid out %s times",
        len(chapter_parts),
        front_count,
        chapter_pages,
        passes,
    )

    # 4. Assembly.
    cache.set(_front_key(request), front_count, timeout=None)
    joined = [assembly.Part(cover.result().data), assembly.Part(front.result().data, FRONT_ANCHORS)]
    for part, spec in zip(chapter_parts, specs, strict=True):
        joined.append(assembly.Part(part.data, spec.owned))
    return joined, footer.result().data


def _measure_anchors(fields) -> list[str]:
    return [f"measure-{m.pk}" for field in fields for m in field.measures.all()]


def _front_key(request) -> str:
    """Where the front matter's length is kept: changes to a plan seldom change it."""
    return (
        f"planwerk:pdf:front-pages:{request.kind}:{request.target.pk}:{request.language}"
        f":{request.variant}:{request.draft}:{request.progress}"
    )


def _front_guess(plan, fields) -> int:
    """A first guess of the front matter's pages: cover, contents, contacts, introduction and
    the overview at ~28 measures a page. A wrong guess costs one more layout of the front."""
    measures = sum(len(field.measures.all()) for field in fields)
    return 3 + (1 if plan.introduction else 0) + -(-measures // 28)


def _number(fields, local_pages, front_count) -> dict:
    """Page numbers (1-based, whole document) for the contents and the overview: on the
    fields and measures, and the context's ``timeline_page`` and ``changes_page``."""

    def page(name):
        return front_count + local_pages[name] + 1 if name in local_pages else None

    for field in fields:
        field.pdf_page = page(f"field-{field.pk}")
        for measure in field.measures.all():
            measure.pdf_page = page(f"measure-{measure.pk}")
    return {
        "timeline_page": page("timeline"),
        "changes_page": page("changes"),
        "indicators_page": page("indicators"),
    }
