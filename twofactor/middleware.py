"""The one gate for the second factor: a signed-in session that still owes a code, or whose
account must set up a device first, reaches nothing but the second step, the sign-in and the
sign-out — no admin page, no staff page (reviews, imports, notifications), and no public page
with a member's drafts either. The read API answers such a session as it answers anonymous
visitors; personal API tokens are separate credentials and do not pass through here."""

from urllib.parse import urlencode

from django.contrib.auth.models import AnonymousUser
from django.shortcuts import redirect
from django.urls import reverse

from . import policy

# Reachable before the second step: signing in and out, the second step itself, the invited
# member's password page, and what carries nothing of the account.
OPEN_VIEWS = {
    "admin:login",
    "admin:logout",
    "admin:jsi18n",
    "twofactor:verify",
    "twofactor:setup",
    "password_reset_confirm",
    "password_reset_complete",
    "robots_txt",
    "health:web",
    "health:full",
}


def _is_sign_in(match) -> bool:
    """The single sign-on's own steps (sso/, mozilla-django-oidc's ``oidc_*`` routes)."""
    if match is None:
        return False
    return "sso" in match.namespaces or (match.url_name or "").startswith("oidc_")


class SecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not request.user.is_authenticated:
            return None
        match = request.resolver_match
        name = match.view_name if match else ""
        if match and "twofactor" not in match.namespaces:
            # fresh recovery codes are shown once: gone when the person moves on
            request.session.pop(policy.FRESH_CODES_SESSION_KEY, None)
        if name in OPEN_VIEWS or _is_sign_in(match):
            return None
        step = policy.pending_step(request)
        if step is None:
            return None
        if match and "api" in match.namespaces:
            request.user = AnonymousUser()
            return None
        target = reverse("twofactor:verify" if step == policy.VERIFY else "twofactor:setup")
        return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
