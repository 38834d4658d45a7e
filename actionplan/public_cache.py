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
import uuid
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse, QueryDict
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date, parse_http_date_safe, quote_etag
from django.utils.regex_helper import _lazy_re_compile
from django.utils.text import compress_string
from django.utils.translation import get_language

from . import selectors

PAGE_TIMEOUT = 60 * 60 * 24
# As django.middleware.gzip.GZipMiddleware decides.
GZIP_MIN_LENGTH = 200
GZIP_ACCEPTED = _lazy_re_compile(r"\bgzip\b")
# Besides the fragments' sources: the base template and the code that builds the pages.
PAGE_SOURCES = [
    ("templates", "base.html"),
    ("templates/includes", "*.html"),
    ("actionplan", "*.py"),
    ("access", "*.py"),
    ("templates/progress", "*.html"),
    ("templates/progress/includes", "*.html"),
    ("progress", "*.py"),
    ("opendata", "*.py"),
    ("imports", "plan_workbook.py"),
    ("templates/embeds", "*.html"),
    ("embeds", "*.py"),
    ("indicators", "*.py"),
    ("templates/indicators", "*.html"),
    ("templates/indicators/includes", "*.html"),
    ("templates/attachments/includes", "*.html"),
    ("templates/council/includes", "*.html"),
    ("attachments", "*.py"),
    ("council", "*.py"),
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
    # the canonical links name the public address; the embed snippet shows when framing is on
    digest.update(settings.PLANWERK_BASE_URL.encode())
    digest.update(" ".join(getattr(settings, "PLANWERK_EMBED_FRAME_ANCESTORS", [])).encode())
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


# A cached page's query parameters: how long each value and how many values per name.
MAX_PARAM_LENGTH = 200
MAX_PARAM_VALUES = 20


def canonical_request(request, params=()) -> str:
    """Cut the request's query string down to the parameters the page reads (``params``, as
    its cache decorator declares them), sorted, each value at most ``MAX_PARAM_LENGTH``
    characters; return the absolute URL that leaves. The view then sees, prints and is cached
    under that URL alone: ``?junk=N`` neither adds a cache entry nor shows on the page."""
    kept = QueryDict(mutable=True)
    for name in sorted(set(params).intersection(request.GET)):
        values = request.GET.getlist(name)[:MAX_PARAM_VALUES]
        kept.setlist(name, sorted(value[:MAX_PARAM_LENGTH] for value in values))
    query = kept.urlencode()
    if query != request.META.get("QUERY_STRING", ""):
        kept._mutable = False
        request.GET = kept
        request.META["QUERY_STRING"] = query
    return request.build_absolute_uri()


def page_version(request, stamp: datetime.datetime) -> str:
    """ETag and cache key in one: plan stamp, language, absolute URL (the footer prints it),
    code fingerprint, and the day on pages that count days (``request.public_page_day``, set by
    ``progress.views.daily``)."""
    parts = [stamp.isoformat(), get_language() or "", request.build_absolute_uri()]
    parts.append(page_fingerprint())
    day = getattr(request, "public_page_day", None)
    raw = "\n".join(parts if day is None else [*parts, day.isoformat()])
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


# The stamp of each public plan, remembered in the cache under a generation number that every
# change of any plan's stamp moves (``stamps_moved``, called by actionplan/signals.py): a hit
# then needs no query at all. The timeout bounds how long a process with its own cache (the
# file cache is shared per machine, Redis by all) can miss another machine's change.
STAMP_GENERATION_KEY = "planwerk-stamp-generation"
STAMP_TIMEOUT = 10


def stamps_moved() -> None:
    """Forget every remembered plan stamp (for every process). Called when a transaction that
    wrote a stamp commits: a request that read the old stamp before the commit stored it under
    a generation that is no longer asked for."""
    try:
        cache.incr(STAMP_GENERATION_KEY)
    except ValueError:
        cache.add(STAMP_GENERATION_KEY, 1, None)


def stamps_moved_by_change() -> None:
    """What every write of a stamp calls. Other processes cannot see the change before the
    commit, so the shared generation moves once, when the transaction commits — not once per
    written row: an import of 10,000 rows would otherwise move it 10,000 times, and every
    plan's page cache in every process would ask the database on each request meanwhile.

    This connection itself does see its uncommitted change: until the commit it remembers
    stamps under a key of its own, new with every write (``_stamp_key``)."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        stamps_moved()
        return
    connection.planwerk_uncommitted_stamps = uuid.uuid4().hex
    transaction.on_commit(_committed)


def _committed() -> None:
    """The first of a transaction's hooks moves the generation; the others find nothing left."""
    connection = transaction.get_connection()
    if getattr(connection, "planwerk_uncommitted_stamps", ""):
        connection.planwerk_uncommitted_stamps = ""
        stamps_moved()


def _stamp_key(plan_slug: str) -> str:
    generation = cache.get(STAMP_GENERATION_KEY, 0)
    connection = transaction.get_connection()
    own = getattr(connection, "planwerk_uncommitted_stamps", "")
    if own and connection.in_atomic_block:  # left over from a rolled back transaction: ignored
        return f"planwerk-stamp:{generation}:{own}:{plan_slug}"
    return f"planwerk-stamp:{generation}:{plan_slug}"


def remembered_stamp(plan_slug: str) -> datetime.datetime | None:
    """The public plan's stamp if it is remembered, without asking the database."""
    return cache.get(_stamp_key(plan_slug))


def public_stamp(request, plan_slug: str) -> datetime.datetime | None:
    """``content_changed_at`` of the plan if the public may see it, else ``None``.

    On a miss the plan is loaded the way the view loads it (``views.plan_or_404`` takes it from
    ``request.public_plan``), so a cold page costs no extra query.
    """
    key = _stamp_key(plan_slug)  # the generation before the query (see stamps_moved)
    stamp = cache.get(key)
    if stamp is not None:
        return stamp
    plan = selectors.plans_for_detail(request.user).filter(slug=plan_slug).first()
    if plan is None or plan.content_changed_at is None:
        return None
    request.public_plan = plan
    cache.set(key, plan.content_changed_at, STAMP_TIMEOUT)
    return plan.content_changed_at


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


# Headers of the view's own that a stored answer keeps (downloads: opendata/views.py).
KEPT_HEADERS = ("Content-Disposition", "Link")


def _stored(response) -> tuple[bytes, bytes | None, str, list[tuple[str, str]]]:
    """What the cache keeps of a page: the body, the body gzipped once (instead of on every
    hit in AnonymousGZipMiddleware) when that pays, the content type and ``KEPT_HEADERS``."""
    content = response.content
    compressed = compress_string(content) if len(content) >= GZIP_MIN_LENGTH else None
    if compressed is not None and len(compressed) >= len(content):
        compressed = None
    kept = [(name, response[name]) for name in KEPT_HEADERS if response.has_header(name)]
    return content, compressed, response["Content-Type"], kept


def _response(request, cached) -> HttpResponse:
    content, compressed, content_type, kept = cached
    accepts_gzip = GZIP_ACCEPTED.search(request.META.get("HTTP_ACCEPT_ENCODING", ""))
    if compressed is None or not accepts_gzip:
        response = HttpResponse(content, content_type=content_type)
    else:
        # Anonymous and without a CSRF token (see _cacheable): safe to compress (BREACH).
        response = HttpResponse(compressed, content_type=content_type)
        response.headers["Content-Encoding"] = "gzip"
    if compressed is not None:
        patch_vary_headers(response, ("Accept-Encoding",))
    for name, value in kept:
        response.headers[name] = value
    return response


def public_page(view=None, *, params=()):
    """Serve anonymous GETs of a plan's public pages from the full-response cache, answer
    conditional requests with 304, and mark the response with ``ETag``/``Last-Modified``.
    ``params``: the query parameters the page reads; others are dropped (``canonical_request``).

    A hit costs three cache reads and no query (``public_stamp``); the view runs only on a
    miss, for members, and when the plan is not public (it then answers 404).
    """
    if view is None:
        return functools.partial(public_page, params=params)

    @functools.wraps(view)
    def wrapper(request, plan_slug, *args, **kwargs):
        if request.method != "GET" or not is_anonymous_request(request):
            return view(request, plan_slug, *args, **kwargs)
        canonical_request(request, params)
        stamp = public_stamp(request, plan_slug)
        if stamp is None:
            return view(request, plan_slug, *args, **kwargs)
        version = page_version(request, stamp)
        etag = quote_etag(version)
        # whole seconds, as HTTP dates have them
        last_modified = int(max(stamp, code_changed_at()).timestamp())
        not_modified = get_conditional_response(request, etag=etag, last_modified=last_modified)
        if not_modified is not None:
            return not_modified
        key = f"planwerk-page:{version}"
        cached = cache.get(key)
        if cached is None:
            response = view(request, plan_slug, *args, **kwargs)
            if not _cacheable(request, response):
                return response
            cached = _stored(response)
            cache.set(key, cached, PAGE_TIMEOUT)
        response = _response(request, cached)
        # PublicPageMiddleware keeps the answer while the stamp (and the day, on pages that
        # count days) stays the same
        request.public_page_stamp = (plan_slug, stamp, getattr(request, "public_page_day", None))
        response.headers["ETag"] = etag
        if response.has_header("Content-Encoding"):
            # another byte sequence than the plain page: a weak validator (as GZipMiddleware)
            response.headers["ETag"] = "W/" + etag
        response.headers["Last-Modified"] = http_date(last_modified)
        # Stored by browsers and proxies, but asked again each time: a 304 is cheap, and an
        # edit shows at once.
        patch_cache_control(response, public=True, no_cache=True)
        return response

    return wrapper


class PublicPageMiddleware:
    """Answer a repeated anonymous GET of a public plan page straight below WhiteNoise.

    ``public_page`` marks each public answer (``request.public_page_stamp``); on the way out
    this keeps it whole — body as sent (gzipped or not) and every header the middleware below
    added (``X-Frame-Options``, ``Content-Language``, ``Vary``, ``ETag``) — under the URL. The
    next request for that URL with the same ``Accept-Encoding`` choice is answered from it if
    the plan's remembered stamp (``remembered_stamp``, no query) is still the one the answer
    was made from: sessions, locale, CSRF, URL resolution and the view are skipped. Without a
    remembered stamp (a change moved the generation, or it expired) the request takes the
    normal way, which asks the database and stores a fresh answer. The middleware above
    (security headers, CSP, permissions policy) still runs on every answer.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        anonymous_get = request.method == "GET" and is_anonymous_request(request)
        if anonymous_get:
            key = self._key(request)
            stored = cache.get(key)
            if stored is not None:
                response = self._answer(request, stored)
                if response is not None:
                    return response
        response = self.get_response(request)
        marked = getattr(request, "public_page_stamp", None)
        if (
            anonymous_get
            and marked is not None
            # kept only under its canonical URL (``canonical_request``): ``?junk=N`` adds
            # nothing here, and is then answered from the page cache below
            and self._key(request) == key
            and response.status_code == 200
            and not response.streaming
            and not response.cookies
        ):
            headers = [(name, value) for name, value in response.items()]
            cache.set(key, (*marked, headers, response.content), PAGE_TIMEOUT)
        return response

    @staticmethod
    def _key(request) -> str:
        accepts_gzip = bool(GZIP_ACCEPTED.search(request.META.get("HTTP_ACCEPT_ENCODING", "")))
        url = hashlib.sha256(request.build_absolute_uri().encode()).hexdigest()[:32]
        return f"planwerk-answer:{page_fingerprint()}:{url}:{int(accepts_gzip)}"

    @staticmethod
    def _answer(request, stored) -> HttpResponse | None:
        slug, stamp, day, headers, content = stored
        if remembered_stamp(slug) != stamp or (day is not None and day != timezone.localdate()):
            return None
        response = HttpResponse(content)
        for name, value in headers:
            response.headers[name] = value
        last_modified = response.headers.get("Last-Modified")
        not_modified = get_conditional_response(
            request,
            etag=response.headers.get("ETag"),
            last_modified=parse_http_date_safe(last_modified) if last_modified else None,
            response=response,
        )
        return not_modified if not_modified is not None else response


# --- the home page ------------------------------------------------------------------------------


def home_stamp() -> str:
    """What the home page is made of, in two queries: the number of plans and campaigns and the
    newest stamp of each. Every change of a plan, of what it shows or of a campaign moves a
    stamp (actionplan/signals.py, campaigns/signals.py); deleting a plan lowers the count (the
    remaining stamps are all older than the state that was cached with it)."""
    from django.db.models import Count, Max

    from campaigns.models import Campaign

    from .models import Plan

    plans = Plan.objects.aggregate(n=Count("pk"), newest=Max("content_changed_at"))
    campaigns = Campaign.objects.aggregate(n=Count("pk"), newest=Max("content_changed_at"))
    return "|".join(
        str(value) for value in (plans["n"], plans["newest"], campaigns["n"], campaigns["newest"])
    )


def public_home_page(view):
    """The full-response cache and ``ETag``/304 for the home page's anonymous GETs, keyed on
    ``home_stamp`` and today's date (a campaign's lifecycle is read against today)."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method != "GET" or not is_anonymous_request(request):
            return view(request, *args, **kwargs)
        parts = [
            home_stamp(),
            timezone.localdate().isoformat(),
            get_language() or "",
            canonical_request(request),  # the home page reads no parameter
            page_fingerprint(),
        ]
        version = hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]
        etag = quote_etag(version)
        not_modified = get_conditional_response(request, etag=etag)
        if not_modified is not None:
            return not_modified
        key = f"planwerk-home:{version}"
        cached = cache.get(key)
        if cached is None:
            response = view(request, *args, **kwargs)
            if not _cacheable(request, response):
                return response
            cached = _stored(response)
            cache.set(key, cached, PAGE_TIMEOUT)
        response = _response(request, cached)
        response.headers["ETag"] = "W/" + etag if response.has_header("Content-Encoding") else etag
        patch_cache_control(response, public=True, no_cache=True)
        return response

    return wrapper
