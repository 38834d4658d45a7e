"""Middleware that keeps anonymous pages free of cookies and shared caches away from staff pages,
and compresses only what carries no secret."""

from django.conf import settings
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.auth.models import AnonymousUser
from django.middleware.gzip import GZipMiddleware
from django.utils.cache import patch_cache_control


class CookielessAuthenticationMiddleware(AuthenticationMiddleware):
    """``AuthenticationMiddleware`` that leaves the session alone when there is no session cookie.

    Reading ``request.user`` loads the session, and a loaded session makes ``SessionMiddleware``
    add ``Vary: Cookie``: every public page would then be cached per visitor. Without a session
    cookie nobody can be signed in, so the visitor is anonymous without asking the session.
    """

    def process_request(self, request):
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            return super().process_request(request)
        request.user = AnonymousUser()

        async def auser():
            return request.user

        request.auser = auser
        return None


class PrivateForSignedInUsersMiddleware:
    """``Cache-Control: private`` on every response to a signed-in user: a shared cache must
    never hand a staff view (drafts, edit links) to somebody else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, private=True)
        return response


class AnonymousGZipMiddleware(GZipMiddleware):
    """Compress responses to anonymous visitors only.

    BREACH: an attacker who can make a victim's browser request a page, put chosen text into
    it (a search term) and watch the size of the compressed response can recover a secret on
    the same page byte by byte. A response to a request without a session cookie that rendered
    no CSRF token (and sets no cookie) carries no secret, so compressing it is safe. Anything
    for a signed-in user (the admin, member previews) and any form with a CSRF token (the
    login page) stays uncompressed.
    """

    def process_response(self, request, response):
        if (
            settings.SESSION_COOKIE_NAME in request.COOKIES
            or request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
            or response.cookies
        ):
            return response
        return super().process_response(request, response)
