"""Middleware that keeps anonymous pages free of cookies and shared caches away from staff pages."""

from django.conf import settings
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.auth.models import AnonymousUser
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
