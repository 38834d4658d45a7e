"""ETag and conditional requests for the API.

The ETag is a hash of the representation itself, so it is right for every client and every
kind of change (a campaign's channel, a person's consent) without a change stamp to keep. A
``304 Not Modified`` saves the transfer, not the queries; those are pinned per endpoint
(tests/api/test_queries.py).
"""

import hashlib

from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import quote_etag


def representation_etag(response) -> str:
    digest = hashlib.sha256(response.get("Content-Type", "").encode())
    digest.update(response.content)
    return quote_etag(digest.hexdigest()[:32])


def conditional(request, response):
    """Mark a successful GET/HEAD with its ETag; answer 304 when the client holds it already."""
    # The answer depends on who asks (token, session), in which format and language (the
    # header's, unless ?lang= names one: the address then differs).
    patch_vary_headers(response, ("Accept", "Accept-Language", "Authorization", "Cookie"))
    if request.method not in ("GET", "HEAD") or response.status_code != 200:
        return response
    response.render()
    personal = (
        request.user.is_authenticated
        # the browsable API's HTML carries a CSRF token (and sets its cookie)
        or response.cookies
        or request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
    )
    if personal:
        patch_cache_control(response, private=True, no_cache=True)
    else:
        # Stored by browsers and proxies, but asked again each time (as the public pages).
        patch_cache_control(response, public=True, no_cache=True)
    response["ETag"] = representation_etag(response)
    not_modified = get_conditional_response(request, etag=response["ETag"], response=response)
    return not_modified if not_modified is not None else response
