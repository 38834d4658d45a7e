"""Conditional GET and a full-response cache for the public pages of a plan.

Only anonymous requests take part: a request without a session cookie cannot be signed in
(``config.middleware.CookielessAuthenticationMiddleware``), so it sees exactly what
``access.rules`` shows the public. Members (session cookie) see drafts; their requests neither
read nor fill the cache and get no ``ETag``, so a member's view can never be handed to the
public, nor a public copy stand in for a member's.

Everything a public page shows changes only when ``Plan.content_changed_at`` moves
(actionplan/signals.py), when the code or templates change (``page_fingerprint``), or with the
language and the URL. These make the ``ETag`` and the cache key, so nothing is ever invalidated:
a change writes a new stamp and the old entries are simply no longer asked for.
"""

import datetime
import functools
import hashlib
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date, quote_etag
from django.utils.translation import get_language

from . import selectors

PAGE_TIMEOUT = 60 * 60 * 24
# Besides the fragments' sources: the base template and the code that builds the pages.
PAGE_SOURCES = [
    ("templates", "base.html"),
    ("actionplan", "*.py"),
    ("access", "*.py"),
    ("templates/progress", "*.html"),
    ("templates/progress/includes", "*.html"),
    ("progress", "*.py"),
]


def _sources(sources) -> list[Path]:
    base = Path(settings.BASE_DIR)
    return [path for folder, pattern in sources for path in sorted((base / folder).glob(pattern))]


@functools.cache
def page_fingerprint() -> str:
    """The fragments' fingerprint plus the base template, the page code and the static manifest
    (a cached page names hashed static files that a new deploy may no longer have)."""
    from .views import fragment_fingerprint

    digest = hashlib.sha256(fragment_fingerprint().encode())
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    for path in [*_sources(PAGE_SOURCES), manifest]:
        if path.is_file():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


@functools.cache
def code_changed_at() -> datetime.datetime:
    """Newest modification time of what the pages are made of: ``Last-Modified`` never lies
    after a deploy that changed a template but not the plan."""
    from .views import FRAGMENT_SOURCES

    paths = _sources([*FRAGMENT_SOURCES, *PAGE_SOURCES])
    newest = max((p.stat().st_mtime for p in paths), default=0)
    return datetime.datetime.fromtimestamp(int(newest), tz=datetime.UTC)


def is_anonymous_request(request) -> bool:
    """No session cookie: nobody can be signed in, the response is the public one."""
    return settings.SESSION_COOKIE_NAME not in request.COOKIES


def page_version(request, stamp: datetime.datetime) -> str:
    """ETag and cache key in one: plan stamp, language, absolute URL (the footer prints it),
    code fingerprint, and the day on pages that count days (``request.public_page_day``, set by
    ``progress.views.daily``)."""
    parts = [stamp.isoformat(), get_language() or "", request.build_absolute_uri()]
    parts.append(page_fingerprint())
    day = getattr(request, "public_page_day", None)
    raw = "\n".join(parts if day is None else [*parts, day.isoformat()])
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


def _cacheable(request, response) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        # The page rendered a CSRF token: it is somebody's, never the public's.
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and not response.has_header("Vary")
        and "private" not in response.get("Cache-Control", "")
    )


def public_page(view):
    """Serve anonymous GETs of a plan's public pages from the full-response cache, answer
    conditional requests with 304, and mark the response with ``ETag``/``Last-Modified``.

    A hit costs one query (the published plan) and one cache read; the view runs
    only on a miss, for members, and when the plan is not public (it then answers 404).
    """

    @functools.wraps(view)
    def wrapper(request, plan_slug, *args, **kwargs):
        if request.method != "GET" or not is_anonymous_request(request):
            return view(request, plan_slug, *args, **kwargs)
        # The plan the view would load anyway (views.plan_or_404 takes it from the request):
        # a miss costs no extra query, a hit only this one.
        plan = selectors.plans_for_detail(request.user).filter(slug=plan_slug).first()
        if plan is None or plan.content_changed_at is None:
            return view(request, plan_slug, *args, **kwargs)
        request.public_plan = plan
        stamp = plan.content_changed_at
        version = page_version(request, stamp)
        etag = quote_etag(version)
        # whole seconds, as HTTP dates have them
        last_modified = int(max(stamp, code_changed_at()).timestamp())
        not_modified = get_conditional_response(request, etag=etag, last_modified=last_modified)
        if not_modified is not None:
            return not_modified
        key = f"planwerk-page:{version}"
        cached = cache.get(key)
        if cached is not None:
            content, content_type = cached
            response = HttpResponse(content, content_type=content_type)
        else:
            response = view(request, plan_slug, *args, **kwargs)
            if not _cacheable(request, response):
                return response
            cache.set(key, (response.content, response["Content-Type"]), PAGE_TIMEOUT)
        response.headers["ETag"] = etag
        response.headers["Last-Modified"] = http_date(last_modified)
        # Stored by browsers and proxies, but asked again each time: a 304 is cheap, and an
        # edit shows at once.
        patch_cache_control(response, public=True, no_cache=True)
        return response

    return wrapper
