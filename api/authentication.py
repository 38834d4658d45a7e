"""Personal tokens in the ``Authorization`` header: ``Token <key>`` (or ``Bearer <key>``)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from .models import ApiToken
from .services import api_token_touch
from .throttling import WrongTokenThrottle

KEYWORDS = (b"token", b"bearer")


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """A usable token authenticates its user, who then sees what their roles show; a wrong,
    expired or revoked token answers 401 (never silently the public view)."""

    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower() not in KEYWORDS:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid token header."))
        limiter = WrongTokenThrottle()
        if not limiter.allow_request(request):
            raise exceptions.Throttled(limiter.wait())
        try:
            key = parts[1].decode("ascii")
        except UnicodeDecodeError as exc:
            limiter.record_failure()
            raise exceptions.AuthenticationFailed(_("Invalid token header.")) from exc
        token = ApiToken.objects.for_key(key)
        if token is None:
            limiter.record_failure()
            raise exceptions.AuthenticationFailed(_("Invalid, expired or revoked token."))
        api_token_touch(token)
        return token.user, token

    def authenticate_header(self, request):
        return 'Token realm="api"'
