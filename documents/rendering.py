"""The renderer: HTML to PDF with WeasyPrint. The only module that imports WeasyPrint.

It fetches nothing but files under the app's own static directory (``documents/…``): see
``StaticFilesURLFetcher``.
"""

import logging
import os
import posixpath
import re
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.contrib.staticfiles import finders
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

logger = logging.getLogger(__name__)


#: Origin the documents are rendered against. ``.invalid`` (RFC 2606) never resolves; the
#: fetcher maps it onto the static files finders and refuses everything else.
STATIC_ORIGIN = "https://static.planwerk.invalid/"
ALLOWED_PREFIXES = ("documents/",)
ALLOWED_TYPES = {
    ".css": "text/css",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".svg": "image/svg+xml",
    ".png": "image/png",
}

#: Tagged PDF for accessibility; WeasyPrint 70 writes PDF/UA-1 identification and structure.
DEFAULT_VARIANT = "pdf/ua-1"
VARIANTS = {"pdf/ua-1", "pdf/ua-2", ""}


class ResourceRefused(ValueError):
    """The renderer asked for something that is not one of the app's document static files."""


class StaticFilesURLFetcher(URLFetcher):
    """Serves ``STATIC_ORIGIN/documents/…`` from the static files finders and nothing else.

    No ``file://``, no network, no ``data:`` — user text is escaped anyway, so anything else
    asked for is a template bug or an attack, and is refused (WeasyPrint then skips it).
    ``requested`` and ``refused`` record every URL for tests and logging.
    """

    def __init__(self):
        super().__init__(allowed_protocols=("https",), allow_redirects=False, fail_on_errors=False)
        self.requested: list[str] = []
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        self.requested.append(url)
        try:
            path = resolve_static_url(url)
        except ResourceRefused as exc:
            self.refused.append(url)
            logger.warning("PDF renderer refused resource %.200r: %s", url, exc)
            raise
        mime = ALLOWED_TYPES[posixpath.splitext(path)[1].lower()]
        return URLFetcherResponse(url, body=Path(path).read_bytes(), headers={"Content-Type": mime})


def resolve_static_url(url: str) -> str:
    """Map an URL under ``STATIC_ORIGIN`` to a file found by the static files finders."""
    if not isinstance(url, str) or not url.startswith(STATIC_ORIGIN):
        raise ResourceRefused("only the app's own static files may be used")
    parts = urlsplit(url)
    if parts.query or parts.username or parts.password or parts.port:
        raise ResourceRefused("query strings and credentials are not allowed")
    relative = unquote(parts.path).lstrip("/")
    segments = relative.split("/")
    if "\\" in relative or "\x00" in relative or any(s in ("", ".", "..") for s in segments):
        raise ResourceRefused("path traversal")
    if not relative.startswith(ALLOWED_PREFIXES):
        raise ResourceRefused("outside the document static files")
    if posixpath.splitext(relative)[1].lower() not in ALLOWED_TYPES:
        raise ResourceRefused("file type not allowed")
    found = finders.find(relative)
    if not found:
        raise ResourceRefused("no such static file")
    return found


LONG_WORD = re.compile(r"[^\s<>&]{40,}")
TEXT_NODE = re.compile(r">([^<]+)<")


def break_long_words(html: str) -> str:
    """Give words of 40+ characters a break opportunity every 30 characters (U+200B).

    A 5,000-character word from user text would otherwise make the line breaker try every
    hyphenation point of it, which takes minutes.
    """
    head, sep, body = html.partition("<body")

    def split_word(match):
        word = match.group(0)
        return "\u200b".join(word[i : i + 30] for i in range(0, len(word), 30))

    def text_node(match):
        return ">" + LONG_WORD.sub(split_word, match.group(1)) + "<"

    return head + sep + TEXT_NODE.sub(text_node, body)


_warm = threading.local()


def font_config() -> FontConfiguration:
    """One font configuration per worker thread, kept warm between documents.

    Building it loads the system's Fontconfig set, and each new one copies the app's
    ``@font-face`` files again; WeasyPrint keys added faces by their descriptors, so reuse
    adds nothing twice.
    """
    config = getattr(_warm, "font_config", None)
    if config is None:
        config = _warm.font_config = FontConfiguration()
    return config


def write_pdf(html: str, *, variant: str, url_fetcher=None) -> bytes:
    fetcher = url_fetcher or StaticFilesURLFetcher()
    options = {"pdf_variant": variant} if variant else {}
    html = break_long_words(html)
    return HTML(string=html, base_url=STATIC_ORIGIN, url_fetcher=fetcher).write_pdf(
        font_config=font_config(), **options
    )


def die_with_parent() -> None:
    """Let the kernel end this child process when the process that started it ends, however
    it ends (``kill -9`` of a task worker included): a render child never outlives its worker.
    Linux (``prctl(PR_SET_PDEATHSIG)``); elsewhere nothing happens."""
    import ctypes
    import multiprocessing
    import signal
    import sys

    if not sys.platform.startswith("linux"):
        return
    starter = multiprocessing.parent_process()
    parent = starter.pid if starter is not None else os.getppid()
    pr_set_pdeathsig = 1
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, int(signal.SIGKILL), 0, 0, 0)
    if os.getppid() != parent:  # the parent ended before (or while) this child started
        os._exit(1)


def worker_init() -> None:
    """Start of a chapter-rendering child process (``documents.chapters``): bound to its
    parent's life, then Django's settings and apps for the static files finders; no database
    is used there."""
    die_with_parent()
    import django

    django.setup()


def write_pdf_in_worker(html: str, variant: str) -> bytes:
    """``write_pdf`` in a child process of ``documents.chapters`` (with the safe fetcher)."""
    return write_pdf(html, variant=variant)


def check_variant(variant):
    if variant not in VARIANTS:
        raise ValueError(f"Unknown PDF variant {variant!r}")
