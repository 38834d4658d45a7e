"""Import widgets whose errors are sentences in the UI's language.

django-import-export's own widgets let unknown names in a many-to-many column drop silently and
report a bad number as ``[<class 'decimal.ConversionSyntax'>]``; these raise ``ValueError`` with
a message for the person who wrote the file, which the resource shows as a row error.
"""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import MultipleObjectsReturned, ObjectDoesNotExist
from django.utils.encoding import force_str
from django.utils.formats import sanitize_separators
from django.utils.translation import gettext
from import_export import widgets

MAX_INTEGER = 2**63 - 1


def _number(value) -> Decimal:
    text = force_str(value).strip()
    try:
        number = Decimal(force_str(sanitize_separators(text)))
    except (InvalidOperation, ValueError, TypeError):
        raise ValueError(gettext("“%(value)s” is not a number.") % {"value": text}) from None
    if not number.is_finite():
        raise ValueError(gettext("“%(value)s” is not a number.") % {"value": text})
    return number


class DecimalWidget(widgets.DecimalWidget):
    def clean(self, value, row=None, **kwargs):
        if self.is_empty(value):
            return None
        return _number(value)

    def render(self, value, obj=None, **kwargs):
        # Plain "1234.50", as exports wrote before (reads back in either language).
        return "" if value is None else str(value)


class IntegerWidget(widgets.IntegerWidget):
    def clean(self, value, row=None, **kwargs):
        if self.is_empty(value):
            return None
        number = _number(value)
        if number != number.to_integral_value() or abs(number.adjusted()) > 18:
            raise ValueError(
                gettext("“%(value)s” is not a whole number.") % {"value": force_str(value)}
            )
        if abs(number) > MAX_INTEGER:  # a lookup past a 64-bit column fails in PostgreSQL
            raise ValueError(
                gettext("%(value)s is too large: at most %(limit)s.")
                % {"value": force_str(value), "limit": MAX_INTEGER}
            )
        return int(number)


def _model_name(model) -> str:
    return force_str(model._meta.verbose_name)


class ForeignKeyWidget(widgets.ForeignKeyWidget):
    """A related object by one of its fields; an unknown value is a row error that names it."""

    def clean(self, value, row=None, **kwargs):
        if self.field == "pk" or self.field.endswith("id"):
            value = IntegerWidget().clean(value)
        try:
            return super().clean(value, row, **kwargs)
        except ObjectDoesNotExist:
            raise ValueError(
                gettext("Unknown %(model)s: “%(value)s”.")
                % {"model": _model_name(self.model), "value": force_str(value)}
            ) from None
        except MultipleObjectsReturned:
            raise ValueError(
                gettext("“%(value)s” names more than one %(model)s.")
                % {"model": _model_name(self.model), "value": force_str(value)}
            ) from None


class ManyToManyWidget(widgets.ManyToManyWidget):
    """Names separated by ``separator``; any name that matches nothing is a row error."""

    def clean(self, value, row=None, **kwargs):
        if not value:
            return self.model.objects.none()
        names = [n.strip() for n in force_str(value).split(self.separator) if n.strip()]
        found = self.model.objects.filter(**{f"{self.field}__in": names})
        known = {force_str(v) for v in found.values_list(self.field, flat=True)}
        unknown = [n for n in names if n not in known]
        if unknown:
            raise ValueError(
                gettext("Unknown %(model)s: %(values)s.")
                % {
                    "model": force_str(self.model._meta.verbose_name_plural),
                    "values": ", ".join(gettext("“%(value)s”") % {"value": n} for n in unknown),
                }
            )
        return found
