"""Writes of the API app: creating and revoking personal tokens."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from .models import SHOWN_CHARS, ApiToken, hash_key, new_key


@transaction.atomic
def api_token_create(*, acting_user, name: str, expires_at=None) -> tuple[ApiToken, str]:
    """A new token of the acting user; returns it with its key (shown once, never stored)."""
    key = new_key()
    token = ApiToken(
        user=acting_user,
        name=name,
        expires_at=expires_at,
        key_start=key[:SHOWN_CHARS],
        key_hash=hash_key(key),
    )
    token.full_clean()
    token.save()
    return token, key


@transaction.atomic
def api_token_revoke(*, acting_user, token: ApiToken) -> bool:
    """Revoke a token of the acting user's (a superuser's: anyone's); False if it was already."""
    if token.user_id != acting_user.pk and not acting_user.is_superuser:
        raise PermissionError("not your token")
    if token.revoked_at is not None:
        return False
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    return True


def api_token_touch(token: ApiToken) -> None:
    """Note when a token was used, at most once a minute (no write on every request)."""
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
