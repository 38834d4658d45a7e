"""Conditional GET and a response cache for a plan's feeds, in the manner of
``actionplan.public_cache``: the plan's change stamp keys everything, nothing is invalidated.

A feed holds published content only and does not depend on who asks, so every GET may be
answered from the cache (the response is still ``private`` for signed-in users, set by
``config.middleware``). The key also names the feed code and translations
(``feed_fingerprint``): a deploy that changes them never serves an old feed.
"""

import datetime
import functools
import hashlib
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date, quote_etag
from django.utils.translation import get_language

from actionplan.models import Plan
from actionplan.public_cache import canonical_request

FEED_TIMEOUT = 60 * 60 * 24
# What a feed is made of besides the data.
FEED_SOURCES = [
    ("feeds", "*.py"),
    ("access", "*.py"),
    ("actionplan", "*.py"),
    ("history", "*.py"),
    ("locale", "*/LC_MESSAGES/*.mo"),
]


def _paths() -> list[Path]:
    base = Path(settings.BASE_DIR)
    return [p for folder, pattern in FEED_SOURCES for p in sorted((base / folder).glob(pattern))]


@functools.cache
def feed_fingerprint() -> str:
    digest = hashlib.sha256()
    for path in _paths():
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


@functools.cache
def code_changed_at() -> float:
    return max((p.stat().st_mtime for p in _paths()), default=0)


def feed_version(request, stamp: datetime.datetime) -> str:
    raw = "\n".join(
        [stamp.isoformat(), get_language() or "", request.build_absolute_uri(), feed_fingerprint()]
    )
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


def plan_feed(view):
    """A feed of a published plan: 404 for any other plan (drafts included, for everyone);
    ``ETag``/``Last-Modified`` and 304; the body from the cache while the plan is unchanged.

    A hit costs one query (the plan) and one cache read."""

    @functools.wraps(view)
    def wrapper(request, plan_slug):
        plan = Plan.objects.published().filter(slug=plan_slug).first()
        if plan is None:
            raise Http404
        request.feed_plan = plan
        canonical_request(request)  # a feed reads no parameter: ``?junk=N`` is the same feed
        if plan.content_changed_at is None:
            return view(request, plan_slug=plan_slug)
        version = feed_version(request, plan.content_changed_at)
        etag = quote_etag(version)
        last_modified = int(max(plan.content_changed_at.timestamp(), code_changed_at()))
        not_modified = get_conditional_response(request, etag=etag, last_modified=last_modified)
        if not_modified is not None:
            return not_modified
        key = f"planwerk-feed:{version}"
        cached = cache.get(key)
        if cached is not None:
            content, content_type = cached
            response = HttpResponse(content, content_type=content_type)
        else:
            response = view(request, plan_slug=plan_slug)
            if response.status_code != 200:
                return response
            cache.set(key, (response.content, response["Content-Type"]), FEED_TIMEOUT)
        response.headers["ETag"] = etag
        response.headers["Last-Modified"] = http_date(last_modified)
        patch_cache_control(response, public=True, no_cache=True)
        return response

    return wrapper
