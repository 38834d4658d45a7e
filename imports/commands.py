"""What the import commands share: the author they record and the JSON file they read."""

import json

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError


def acting_user(username: str | None):
    """The user named on the command line (``--user``), or None."""
    if not username:
        return None
    try:
        return get_user_model().objects.get_by_natural_key(username)
    except get_user_model().DoesNotExist as exc:
        raise CommandError(f"No user named {username!r}.") from exc


def read_json(file: str):
    """A UTF-8 JSON document (a byte order mark is allowed); ``CommandError`` when it is not."""
    try:
        with open(file, encoding="utf-8-sig") as handle:
            return json.load(handle)
    except OSError as exc:
        raise CommandError(f"Cannot read {file}: {exc.strerror}.") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CommandError(f"{file} is not a UTF-8 JSON document: {exc}") from exc
