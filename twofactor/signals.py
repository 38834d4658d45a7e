"""At every sign-in (password or SSO) the session notes whether the account has a second
factor, so that the gate does not ask the database on every request."""

from django.contrib.auth import user_logged_in
from django.dispatch import receiver

from . import policy


@receiver(user_logged_in)
def _note_device(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        policy.remember_device(request, user)
