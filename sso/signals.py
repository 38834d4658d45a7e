"""A sign-in by password in a session that came by SSO drops the SSO mark: the second factor
of the provider vouched for that sign-in only."""

from django.contrib.auth import user_logged_in
from django.dispatch import receiver

from .conf import SESSION_KEY


@receiver(user_logged_in)
def _forget_sso_on_other_logins(sender, request, user, **kwargs):
    session = getattr(request, "session", None)
    if session is not None and not getattr(user, "signed_in_by_sso", False):
        session.pop(SESSION_KEY, None)
