"""What the import commands share: the author they record and the JSON file they read."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.utils.translation import gettext

from . import json_input


def acting_user(username: str | None):
    """The user named on the command line (``--user``), or None."""
    if not username:
        return None
    try:
        return get_user_model().objects.get_by_natural_key(username)
    except get_user_model().DoesNotExist as exc:
        raise CommandError(f"No user named {username!r}.") from exc


def read_json(file: str):
    """A JSON document (UTF-8, a byte order mark allowed) within the import's bounds: no
    larger than an upload may be, checked by ``imports.json_input``; ``CommandError`` if not."""
    limit = settings.PLANWERK_UPLOAD_MAX_BYTES
    try:
        with open(file, "rb") as handle:
            content = handle.read(limit + 1)
    except OSError as exc:
        raise CommandError(f"Cannot read {file}: {exc.strerror}.") from exc
    if len(content) > limit:
        raise CommandError(
            gettext("%(file)s is larger than %(limit)s bytes (PLANWERK_UPLOAD_MAX_MB).")
            % {"file": file, "limit": limit}
        )
    try:
        return json_input.loads(content)
    except json_input.DocumentRefused as refused:
        raise CommandError(f"{file}: {refused.message}") from None
