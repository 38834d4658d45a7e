from django import forms
from django.utils.translation import gettext_lazy as _

from .selectors import KINDS, MAX_LENGTH, MIN_LENGTH


class SearchForm(forms.Form):
    """The search term, and optionally the one kind of result to page through."""

    q = forms.CharField(
        label=_("Search term"),
        min_length=MIN_LENGTH,
        max_length=MAX_LENGTH,
        error_messages={
            "required": _("Enter a search term."),
            "min_length": _("Enter at least %(limit_value)d characters."),
            "max_length": _(
                "Enter at most %(limit_value)d characters (you entered %(show_value)d)."
            ),
        },
    )
    kind = forms.ChoiceField(
        label=_("Kind of result"),
        choices=[(kind.key, kind.label) for kind in KINDS],
        required=False,
        error_messages={"invalid_choice": _("There is no such kind of result.")},
    )
