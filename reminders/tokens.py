"""The signed one-click opt-out link: user and nonce, signed with the secret key."""

from django.core import signing

SALT = "planwerk.reminders.unsubscribe"


def make_token(preference) -> str:
    return signing.dumps({"u": preference.user_id, "n": preference.token_nonce}, salt=SALT)


def signed_data(token: str, *, salt: str) -> dict:
    """What a link token this site signed with ``salt`` holds; empty for anything else."""
    try:
        data = signing.loads(token, salt=salt)
    except signing.BadSignature:
        return {}
    return data if isinstance(data, dict) else {}


def read_token(token: str) -> tuple[int, str] | None:
    """(user id, nonce) of a token this site signed; None for anything else."""
    data = signed_data(token, salt=SALT)
    user_id, nonce = data.get("u"), data.get("n")
    if not isinstance(user_id, int) or not isinstance(nonce, str):
        return None
    return user_id, nonce
