"""Personal API tokens: a member reads drafts through the API under their own roles.

Only a SHA-256 hash of each key is stored. The keys are 256 random bits, so a slow password
hash would add nothing (no dictionary to try) and a fast one lets a request find its token in
one indexed query; a copy of the database holds no usable key. The key itself is shown once,
right after it is created.
"""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

KEY_PREFIX = "pw_"
# The start of the key shown in the admin, so that a user can tell their tokens apart.
SHOWN_CHARS = 10


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def new_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


class ApiTokenQuerySet(models.QuerySet):
    def usable(self):
        """Tokens that authenticate now: not revoked, not expired, of an active user."""
        now = timezone.now()
        return self.filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=now),
            revoked_at__isnull=True,
            user__is_active=True,
        )

    def for_key(self, key: str):
        """The usable token with this key, with its user, or None."""
        return self.usable().select_related("user").filter(key_hash=hash_key(key)).first()


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField(
        _("name"), max_length=100, help_text=_("what the token is for, e.g. “Open-data portal”")
    )
    key_start = models.CharField(_("key starts with"), max_length=20, editable=False)
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(
        _("expires"), null=True, blank=True, help_text=_("blank: valid until revoked")
    )
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.key_start}…)"

    @property
    def is_usable(self) -> bool:
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > timezone.now()
