from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .models import Kind

# What each kind is about, on the settings page.
KIND_HELP = {
    Kind.SUBMITTED: _(
        "For coordinators: a measure, or a change to a published measure, awaits your review."
    ),
    Kind.SENT_BACK: _(
        "For editors: the coordinator sent a measure, or your change, back to you with a comment."
    ),
    Kind.PUBLISHED: _("For editors: a measure you edit, or your change to it, is published."),
}


class PreferencesForm(forms.Form):
    """Which e-mails the user gets, and in which language."""

    def __init__(self, *args, with_reminder: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        for kind in Kind:
            self.fields[kind.value] = forms.BooleanField(
                label=kind.label, help_text=KIND_HELP[kind], required=False
            )
        if with_reminder:
            self.fields["weekly_reminder"] = forms.BooleanField(
                label=_("Weekly reminder"),
                help_text=_("Once a week: the milestones of your measures due soon or overdue."),
                required=False,
            )
        self.fields["language"] = forms.ChoiceField(
            label=_("Language of the e-mails"), choices=settings.LANGUAGES
        )

    def kind_fields(self):
        return [self[kind] for kind in Kind.values]
