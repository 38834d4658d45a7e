"""Admin forms of the action plan."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .models import ScheduleEntry
from .ordering import OrderedRowForm

HAND_DATE_FIELDS = ("start_date", "start_precision", "end_date", "end_precision", "approximate")


class ScheduleEntryForm(OrderedRowForm):
    """A schedule row whose label input knows where its dates are previewed while typing
    (static/js/schedule-preview.js); without JavaScript the row is an ordinary form row."""

    class Meta:
        model = ScheduleEntry
        fields = ("label", *HAND_DATE_FIELDS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "label" in self.fields:
            self.fields["label"].widget.attrs.update(
                {
                    "data-schedule-preview": reverse("admin:actionplan_measure_schedule_preview"),
                    "data-hand-dated": "true"
                    if self.instance.dating == ScheduleEntry.Dating.MANUAL
                    else "false",
                    "data-toggle-label": _("Set the date by hand"),
                    "data-replace-note": _("replaces the date set by hand"),
                    "autocomplete": "off",
                }
            )
