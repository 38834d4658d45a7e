"""Numbers as people write them: "5.000,00" in German, "5,000.00" in English.

One rule for every amount and figure the admin takes in or shows. The active language decides
the separators (Django's format files: German "," for decimals and "." for thousands). Nothing is
guessed: in German a point only groups thousands, so "5000.00" and "1.25" are refused with a
message that says how to write them, never read as 5000 or 1.25; "1.250" is one thousand two
hundred and fifty. Spaces may group thousands too ("5 000,00"); a leading or trailing "€" or
"EUR" is ignored.
"""

import re
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import numberformat
from django.utils.formats import get_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# Longer input is no number anyone types; checking the length first keeps matching cheap.
MAX_INPUT_LENGTH = 40
_SPACES = re.compile(r"[\s\u00a0\u202f]+")
_CURRENCY = re.compile(r"^(?:€|eur\b)\s*|\s*(?:€|eur)$", re.IGNORECASE)

NOT_A_NUMBER = _("Enter a number such as %(example)s.")
WRONG_SEPARATORS = _(
    "“%(value)s” is ambiguous as written: thousands are separated by “%(thousands)s”, "
    "decimals by “%(decimal)s”, e.g. %(example)s."
)


def _separators() -> tuple[str, str]:
    return get_format("DECIMAL_SEPARATOR"), get_format("THOUSAND_SEPARATOR")


def _pattern(decimal: str, thousands: str) -> re.Pattern:
    group = re.escape(thousands)
    return re.compile(
        rf"^(?P<sign>[-+−]?)(?P<int>\d{{1,3}}(?:(?:{group}| )\d{{3}})+|\d+)"
        rf"(?:{re.escape(decimal)}(?P<frac>\d+))?$"
    )


def example() -> str:
    """An example amount in the active language, for messages and placeholders."""
    return format_number(Decimal("5000.00"), 2)


def parse_number(text: str) -> Decimal | None:
    """The Decimal a person meant by ``text`` in the active language; None when empty.

    Raises ValidationError (code "invalid") with a message naming the expected form.
    """
    value = _SPACES.sub(" ", str(text)).strip()
    if not value:
        return None
    if len(value) > MAX_INPUT_LENGTH:
        raise ValidationError(NOT_A_NUMBER, code="invalid", params={"example": example()})
    value = _CURRENCY.sub("", value).strip()
    decimal, thousands = _separators()
    match = _pattern(decimal, thousands).match(value)
    if match is None:
        # Digits and separators only, just not in this language's order: say how to write it.
        if re.fullmatch(r"[-+−]?[\d.,' ]*\d[\d.,' ]*", value):
            raise ValidationError(
                WRONG_SEPARATORS,
                code="invalid",
                params={
                    "value": value,
                    "example": example(),
                    "thousands": thousands,
                    "decimal": decimal,
                },
            )
        raise ValidationError(NOT_A_NUMBER, code="invalid", params={"example": example()})
    digits = match["int"].replace(thousands, "").replace(" ", "")
    if match["frac"]:
        digits += "." + match["frac"]
    number = Decimal(digits)  # the pattern admits digits and one point only
    return -number if match["sign"] in ("-", "−") else number


# A number as a document or a program writes it: digits, one point, an exponent; ASCII only.
_PLAIN = re.compile(r"[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?", re.ASCII)
OUT_OF_RANGE = _(
    "“%(value)s” does not fit: at most %(whole)s digits before the decimal point and "
    "%(places)s after it."
)


def bounded_decimal(value, *, max_digits: int, decimal_places: int) -> Decimal:
    """``value`` (text, an int or a float from a document) as a Decimal that fits a column of
    ``max_digits``/``decimal_places``; "-0" is 0. Raises ValidationError (never
    InvalidOperation): "NaN", "Infinity", "1e400" or too many digits are refused."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValidationError(NOT_A_NUMBER, code="invalid", params={"example": example()})
    whole_digits = max_digits - decimal_places
    if isinstance(value, int) and abs(value) >= 10**whole_digits:
        shown = str(value) if abs(value) < 10**MAX_INPUT_LENGTH else "…"
        raise _out_of_range(shown, whole_digits, decimal_places)
    text = str(value).strip()
    if len(text) > MAX_INPUT_LENGTH or not _PLAIN.fullmatch(text):
        raise ValidationError(NOT_A_NUMBER, code="invalid", params={"example": example()})
    number = Decimal(text)  # the pattern admits only what Decimal reads
    if number.is_zero():
        return Decimal(0).quantize(Decimal(1).scaleb(-decimal_places))
    _sign, digits, exponent = number.as_tuple()
    while exponent < 0 and digits[-1] == 0:  # "1.500" has one place
        digits, exponent = digits[:-1], exponent + 1
    if len(digits) + exponent > whole_digits or -exponent > decimal_places:
        raise _out_of_range(text, whole_digits, decimal_places)
    return number.quantize(Decimal(1).scaleb(-decimal_places))


def _out_of_range(shown: str, whole: int, places: int) -> ValidationError:
    return ValidationError(
        OUT_OF_RANGE, code="max_digits", params={"value": shown, "whole": whole, "places": places}
    )


def format_number(value: Decimal | int | None, decimal_places: int | None = 2) -> str:
    """``value`` grouped and with the decimal separator of the active language."""
    if value is None:
        return ""
    decimal, thousands = _separators()
    return numberformat.format(
        value,
        decimal,
        decimal_pos=decimal_places,
        grouping=get_format("NUMBER_GROUPING"),
        thousand_sep=thousands,
        force_grouping=True,
    )


def format_amount(value: Decimal | int | None, currency: str = "EUR") -> str:
    """An amount with its currency: "5.000,00 €" in German, "€5,000.00" in English."""
    if value is None:
        return ""
    number = format_number(value, 2)
    if currency in ("EUR", "€", ""):
        return gettext("€%(amount)s") % {"amount": number}
    return f"{number} {currency}"


class NumberInput(forms.TextInput):
    """A text box, not ``type=number``: browsers refuse "5.000,00" in a number input."""

    input_type = "text"

    def __init__(self, attrs=None):
        super().__init__({"inputmode": "decimal", "autocomplete": "off", **(attrs or {})})


class NumberText(forms.Widget):
    """A number as text, grouped, where the admin shows a row read-only: Django's read-only
    display (``display_for_field``) does not group thousands, but it renders a form field's
    widget instead when the widget says ``read_only``."""

    read_only = True

    def __init__(self, decimal_places=None, attrs=None):
        super().__init__(attrs)
        self.decimal_places = decimal_places

    def render(self, name, value, attrs=None, renderer=None):
        if isinstance(value, str):
            return value
        return format_number(value, self.decimal_places) if value is not None else "–"


def read_only_numbers(form_class) -> None:
    """Show the numbers of ``form_class`` (a class made for one request) as text."""
    for field in form_class.base_fields.values():
        if isinstance(field, LocalizedDecimalFormField):
            field.widget = NumberText(field.decimal_places)


class LocalizedDecimalFormField(forms.DecimalField):
    """A decimal form field that reads and writes numbers the way the active language does."""

    widget = NumberInput

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, Decimal):
            return value
        return parse_number(value)

    def prepare_value(self, value):
        if isinstance(value, (Decimal, int)) and not isinstance(value, bool):
            return format_number(value, self.decimal_places)
        return value

    def widget_attrs(self, widget):
        # DecimalField would add min/max/step for a number input; a text box takes none.
        attrs = forms.Field.widget_attrs(self, widget)
        attrs.setdefault("placeholder", example())
        return attrs


class LocalizedDecimalField(models.DecimalField):
    """A DecimalField whose forms take and show numbers in the active language.

    The database column and the migrations are Django's own DecimalField's.
    """

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": LocalizedDecimalFormField, **kwargs})

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.DecimalField", args, kwargs
