"""The signed unsubscribe link of a notification e-mail: user and kind, signed with the secret
key. Using it switches that kind off, which it may do any number of times."""

from django.core import signing

from reminders.tokens import signed_data

from .models import Kind

SALT = "planwerk.notifications.unsubscribe"


def make_token(user, kind: str) -> str:
    return signing.dumps({"u": user.pk, "k": kind}, salt=SALT)


def read_token(token: str) -> tuple[int, str] | None:
    """(user id, kind) of a token this site signed; None for anything else."""
    data = signed_data(token, salt=SALT)
    user_id, kind = data.get("u"), data.get("k")
    if not isinstance(user_id, int) or kind not in Kind.values:
        return None
    return user_id, kind
