"""JSON documents from outside (an upload, a file for an import command), read within bounds.

Before ``json.loads`` builds anything, one linear pass over the text checks what would make it
recurse too deep or hold too much: nesting depth, the number of values, the length of a text and
of a number, and numbers JSON does not allow or a float cannot hold ("NaN", "1e400"). Each
refusal names its line and column. The limits are settings (``PLANWERK_IMPORT_MAX_*``).
"""

from __future__ import annotations

import codecs
import json
import math
import re
from typing import Any

from django.conf import settings
from django.utils.translation import gettext

# Longer numbers are no amount or count anyone writes (config.numbers takes 40 characters too).
MAX_NUMBER_LENGTH = 40

# Strings are matched whole (an unterminated one up to the end, so that no match is retried
# from inside it); outside strings only brackets, commas and numbers matter.
_TOKENS = re.compile(
    r'"(?:[^"\\]++|\\[\s\S]?)*+(?:"|\Z)'
    r"|[\[\]{},]"
    r"|-?(?:Infinity|NaN)\b|-?[0-9][0-9.eE+-]*+"
)


class DocumentRefused(ValueError):
    """The bytes are no JSON document within bounds; ``message`` says why and where."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def loads(content: bytes) -> Any:
    """The document in ``content`` (UTF-8, with or without BOM, or UTF-16 with BOM).

    Raises ``DocumentRefused`` with a message in the active language.
    """
    text = _decode(content)
    if not text.strip():
        raise DocumentRefused(gettext("The file is empty."))
    _scan(text)
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as error:
        raise DocumentRefused(
            gettext(
                "The file is not a JSON document (line %(line)s, column %(column)s: %(error)s)."
            )
            % {"line": error.lineno, "column": error.colno, "error": error.msg}
        ) from None
    except RecursionError:  # the scan stops far earlier; this only guards a low stack limit
        raise DocumentRefused(_depth_message(settings.PLANWERK_IMPORT_MAX_DEPTH)) from None


def check(text: str) -> None:
    """The bounds alone, for a parser of its own (the row import's JSON format, read by tablib):
    ``DocumentRefused`` with line and column, before anything is built."""
    _scan(text)


def _decode(content: bytes) -> str:
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) and not content.startswith(
        codecs.BOM_UTF32_LE
    ):
        encoding, skip = "utf-16", 0
    else:
        encoding, skip = "utf-8", len(codecs.BOM_UTF8) if content.startswith(codecs.BOM_UTF8) else 0
    try:
        return content[skip:].decode(encoding)
    except UnicodeDecodeError as error:
        start = skip + error.start
        line = content.count(b"\n", 0, start) + 1
        column = start - content.rfind(b"\n", 0, start)
        raise DocumentRefused(
            gettext(
                "The file is not UTF-8 text (line %(line)s, column %(column)s). "
                "Please save it as UTF-8 JSON."
            )
            % {"line": line, "column": column}
        ) from None


def _scan(text: str) -> None:
    max_depth = settings.PLANWERK_IMPORT_MAX_DEPTH
    max_items = settings.PLANWERK_IMPORT_MAX_ITEMS
    max_text = settings.PLANWERK_IMPORT_MAX_TEXT
    depth = 0
    values = 0
    for match in _TOKENS.finditer(text):
        token = match.group()
        first = token[0]
        if first == ",":
            continue
        if first in "]}":
            depth -= 1
            continue
        values += 1
        if values > max_items:
            raise DocumentRefused(_at(text, match.start(), _too_many(max_items)))
        if first == '"':
            # escapes make the text shorter, never longer
            if len(token) - 2 > max_text:
                message = gettext("a text is longer than %(limit)s characters.") % {
                    "limit": max_text
                }
                raise DocumentRefused(_at(text, match.start(), message))
        elif first in "[{":
            depth += 1
            if depth > max_depth:
                raise DocumentRefused(_at(text, match.start(), _depth_message(max_depth)))
        else:
            _check_number(text, match.start(), token)


def _check_number(text: str, start: int, token: str) -> None:
    if token.lstrip("-") in ("NaN", "Infinity"):
        message = gettext("“%(value)s” is not a number.") % {"value": token}
    elif len(token) > MAX_NUMBER_LENGTH:
        message = gettext("a number longer than %(limit)s characters.") % {
            "limit": MAX_NUMBER_LENGTH
        }
    else:
        try:
            finite = math.isfinite(float(token))
        except ValueError:
            return  # not a JSON number: json.loads names it
        if finite:
            return
        message = gettext("the number “%(value)s” is too large.") % {"value": token}
    raise DocumentRefused(_at(text, start, message))


def _at(text: str, offset: int, message: str) -> str:
    line = text.count("\n", 0, offset) + 1
    column = offset - text.rfind("\n", 0, offset)
    return gettext("Line %(line)s, column %(column)s: %(problem)s") % {
        "line": line,
        "column": column,
        "problem": message,
    }


def _depth_message(limit: int) -> str:
    return gettext("lists and objects are nested deeper than %(limit)s levels.") % {"limit": limit}


def _too_many(limit: int) -> str:
    return gettext("the document holds more than %(limit)s values.") % {"limit": limit}


def _refuse_constant(name: str):
    raise DocumentRefused(gettext("“%(value)s” is not a number.") % {"value": name})
