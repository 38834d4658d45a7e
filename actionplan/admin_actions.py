"""The coordinators' bulk edit of the measure list: one implementation status for several
measures, with a reason (``services.measures_set_status``)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from access import rules

from .models import Measure
from .services import measures_set_status


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New implementation status"), choices=Measure.Status)
    reason = forms.CharField(
        label=_("Reason"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=_("Kept in the history of each measure, e.g. “Budget freeze 2027”."),
    )


def _names(measures) -> str:
    return "; ".join(str(m) for m in measures)


class MeasureStatusActionMixin:
    """Adds the action ``set_status`` to the measure admin, for coordinators only."""

    def has_set_status_permission(self, request):
        plans = rules.coordinated_plan_ids(request.user)
        return plans is None or bool(plans)

    @admin.action(description=_("Change implementation status"), permissions=["set_status"])
    def set_status(self, request, queryset):
        measures = list(queryset.select_related("field__plan"))
        form = StatusForm(request.POST if request.POST.get("post") == "yes" else None)
        if form.is_bound and form.is_valid():
            try:
                result = measures_set_status(
                    measures=measures,
                    status=form.cleaned_data["status"],
                    reason=form.cleaned_data["reason"],
                    acting_user=request.user,
                    request=request,
                )
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
                return None
            self._report(request, result, Measure.Status(form.cleaned_data["status"]).label)
            return None
        mine = [m for m in measures if rules.coordinates(request.user, m.field.plan_id)]
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Change implementation status"),
            "opts": self.opts,
            "form": form,
            "measures": measures,
            "mine": mine,
            "others": [m for m in measures if m not in mine],
            "action": "set_status",
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "actionplan/admin/measure_set_status.html", context)

    def _report(self, request, result, label):
        if result.changed:
            self.message_user(
                request,
                ngettext(
                    "Implementation status “%(status)s” set for %(count)d measure.",
                    "Implementation status “%(status)s” set for %(count)d measures.",
                    len(result.changed),
                )
                % {"status": label, "count": len(result.changed)},
                messages.SUCCESS,
            )
        if result.unchanged:
            self.message_user(
                request,
                gettext("Left alone, they have this status already: %(measures)s.")
                % {"measures": _names(result.unchanged)},
                messages.INFO,
            )
        if result.refused:
            self.message_user(
                request,
                gettext(
                    "Not changed, because you do not coordinate their plan (only the plan's "
                    "coordinators change the status of several measures at once): %(measures)s."
                )
                % {"measures": _names(result.refused)},
                messages.WARNING,
            )
