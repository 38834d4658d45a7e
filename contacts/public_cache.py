"""The full-response cache and conditional GET of the directory pages.

The same rules as the plan pages (actionplan/public_cache.py): only anonymous requests take
part, and a response is keyed by what it is made of — here ``selectors.directory_changed_at``
(the newest change of a person, organisation, plan or campaign), the language, the URL and the
code — so nothing is ever invalidated.
"""

import functools
import hashlib
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date, quote_etag

from actionplan import public_cache

from . import selectors

SOURCES = [("templates/contacts", "*.html"), ("contacts", "*.py")]


@functools.cache
def fingerprint() -> str:
    """The directory's templates and code on top of the plan pages' fingerprint."""
    digest = hashlib.sha256(public_cache.page_fingerprint().encode())
    base = Path(settings.BASE_DIR)
    for folder, pattern in SOURCES:
        for path in sorted((base / folder).glob(pattern)):
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def directory_page(view):
    """Serve anonymous GETs from the cache, answer conditional requests with 304, mark the
    response with ``ETag``/``Last-Modified``. A hit costs one query (the stamp)."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method != "GET" or not public_cache.is_anonymous_request(request):
            return view(request, *args, **kwargs)
        public_cache.canonical_request(request)  # the directory pages read no parameter
        stamp = selectors.directory_changed_at()
        if stamp is None:
            return view(request, *args, **kwargs)
        version = hashlib.sha256(
            f"{public_cache.page_version(request, stamp)}:{fingerprint()}".encode()
        ).hexdigest()[:32]
        etag = quote_etag(version)
        last_modified = int(max(stamp, public_cache.code_changed_at()).timestamp())
        not_modified = get_conditional_response(request, etag=etag, last_modified=last_modified)
        if not_modified is not None:
            return not_modified
        key = f"planwerk-directory:{version}"
        cached = cache.get(key)
        if cached is not None:
            content, content_type, disposition = cached
            response = HttpResponse(content, content_type=content_type)
            if disposition:
                response["Content-Disposition"] = disposition
        else:
            response = view(request, *args, **kwargs)
            if not public_cache._cacheable(request, response):
                return response
            cache.set(
                key,
                (
                    response.content,
                    response["Content-Type"],
                    response.get("Content-Disposition", ""),
                ),
                public_cache.PAGE_TIMEOUT,
            )
        response.headers["ETag"] = etag
        response.headers["Last-Modified"] = http_date(last_modified)
        patch_cache_control(response, public=True, no_cache=True)
        return response

    return wrapper
