"""The signed one-click opt-out link: user and nonce, signed with the secret key."""

from django.core import signing

SALT = "planwerk.reminders.unsubscribe"


def make_token(preference) -> str:
    return signing.dumps({"u": preference.user_id, "n": preference.token_nonce}, salt=SALT)


def read_token(token: str) -> tuple[int, str] | None:
    """(user id, nonce) of a token this site signed; None for anything else."""
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    user_id, nonce = data.get("u"), data.get("n")
    if not isinstance(user_id, int) or not isinstance(nonce, str):
        return None
    return user_id, nonce
