"""The plan pages' cache (actionplan/public_cache.py) for the public campaign pages.

The pages are keyed on the newest campaign stamp (campaigns/signals.py touches every campaign on
any change of campaign data) and the newest plan stamp (the pages list plan measures, whose
visibility follows the plans), plus language, URL and the code fingerprint. Only anonymous GETs
take part; members see drafts and never read or fill the cache.
"""

import functools
import hashlib

from django.core.cache import cache
from django.db.models import F, Subquery
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date, quote_etag

from actionplan import public_cache as plan_cache
from actionplan.models import Plan

from .models import Campaign

SOURCES = [("templates/campaigns", "*.html"), ("campaigns", "*.py")]


@functools.cache
def fingerprint() -> str:
    digest = hashlib.sha256(plan_cache.page_fingerprint().encode())
    for path in plan_cache._sources(SOURCES):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _newest(qs):
    return qs.order_by(F("content_changed_at").desc(nulls_last=True)).values("content_changed_at")[
        :1
    ]


def content_stamp():
    """The newest change of anything the campaign pages show, in one query; None without
    campaigns (nothing worth caching)."""
    row = (
        _newest(Campaign.objects.all())
        .annotate(plan_stamp=Subquery(_newest(Plan.objects.all())))
        .values_list("content_changed_at", "plan_stamp")
        .first()
    )
    return max((s for s in row or () if s is not None), default=None)


def public_campaign_page(view=None, *, params=()):
    """Serve anonymous GETs from the full-response cache, with ETag/304 like the plan pages;
    ``params``: the query parameters the page reads (``plan_cache.canonical_request``)."""
    if view is None:
        return functools.partial(public_campaign_page, params=params)

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method != "GET" or not plan_cache.is_anonymous_request(request):
            return view(request, *args, **kwargs)
        plan_cache.canonical_request(request, params)
        stamp = content_stamp()
        if stamp is None:
            return view(request, *args, **kwargs)
        version = hashlib.sha256(
            f"{plan_cache.page_version(request, stamp)}:{fingerprint()}".encode()
        ).hexdigest()[:32]
        etag = quote_etag(version)
        last_modified = int(max(stamp, plan_cache.code_changed_at()).timestamp())
        not_modified = get_conditional_response(request, etag=etag, last_modified=last_modified)
        if not_modified is not None:
            return not_modified
        key = f"planwerk-campaign-page:{version}"
        cached = cache.get(key)
        if cached is not None:
            content, content_type = cached
            response = HttpResponse(content, content_type=content_type)
        else:
            response = view(request, *args, **kwargs)
            if not plan_cache._cacheable(request, response):
                return response
            cache.set(key, (response.content, response["Content-Type"]), plan_cache.PAGE_TIMEOUT)
        response.headers["ETag"] = etag
        response.headers["Last-Modified"] = http_date(last_modified)
        patch_cache_control(response, public=True, no_cache=True)
        return response

    return wrapper
