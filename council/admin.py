"""Council papers in the admin: an inline on the plan and measure forms (reference, title,
date, body, address), and each paper's own page with its consultations and the state of its
last OParl refresh. Who may change the plan or measure may link papers (access.rules)."""

from django.contrib import admin, messages
from django.db.models import Count
from django.forms.models import BaseInlineFormSet
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from access import rules
from access.admin import RoleAdminMixin, RoleInlineMixin
from history.admin import HistoryAdmin as SimpleHistoryAdmin

from . import jobs
from .models import Consultation, CouncilPaper


class CouncilPaperFormSet(BaseInlineFormSet):
    def save(self, commit=True):
        saved = super().save(commit)
        if commit:
            jobs.enqueue_refresh([p for p in saved if p.pk])
        return saved


class CouncilPaperInline(RoleInlineMixin, admin.TabularInline):
    model = CouncilPaper
    formset = CouncilPaperFormSet
    extra = 0
    fields = ("reference", "title", "date", "body", "url", "state")
    readonly_fields = ("state",)
    show_change_link = True
    verbose_name_plural = _("council papers (decisions this rests on)")

    def get_queryset(self, request):
        # the consultations counted with the rows, not once per row
        return (
            super()
            .get_queryset(request)
            .select_related("plan")
            .annotate(consultation_count=Count("consultations"))
        )

    @admin.display(description=_("consultations / OParl"))
    def state(self, obj):
        if obj is None or obj.pk is None:
            return "–"
        count = getattr(obj, "consultation_count", None)
        if count is None:
            count = obj.consultations.count()
        text = ngettext("%(count)d consultation", "%(count)d consultations", count) % {
            "count": count
        }
        if obj.last_error:
            return format_html(
                '{}<br><strong class="errornote-inline">{}</strong>',
                text,
                _("Last OParl refresh failed: %(error)s") % {"error": obj.last_error},
            )
        if obj.last_checked_at:
            return format_html(
                "{}<br><span>{}</span>",
                text,
                _("refreshed from OParl %(when)s")
                % {"when": obj.last_checked_at.strftime("%d.%m.%Y %H:%M")},
            )
        return text


class PlanCouncilPaperInline(CouncilPaperInline):
    """The plan's own papers; a measure's papers are listed with the measure."""

    fk_name = "plan"

    def get_queryset(self, request):
        return super().get_queryset(request).filter(measure__isnull=True)


class MeasureCouncilPaperInline(CouncilPaperInline):
    fk_name = "measure"


class ConsultationInline(RoleInlineMixin, admin.TabularInline):
    model = Consultation
    extra = 0
    fields = ("date", "committee", "result")


@admin.register(CouncilPaper)
class CouncilPaperAdmin(RoleAdminMixin, SimpleHistoryAdmin):
    """A paper's own page: its consultations, and how its last refresh went. Papers are added
    on the plan's or measure's form."""

    list_display = ("reference", "title", "date", "plan", "measure", "last_checked_at", "failed")
    list_select_related = ("plan", "measure__field")
    list_filter = (("plan", admin.RelatedOnlyFieldListFilter),)
    search_fields = ("reference", "title")
    fields = (
        "plan",
        "measure",
        "reference",
        "title",
        "date",
        "body",
        "url",
        "oparl_id",
        "last_checked_at",
        "last_error",
    )
    readonly_fields = ("plan", "measure", "last_checked_at", "last_error")
    inlines = (ConsultationInline,)
    actions = ("refresh",)

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("last refresh failed"), boolean=True)
    def failed(self, obj):
        return bool(obj.last_error)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        jobs.enqueue_refresh([form.instance])

    @admin.action(description=_("Refresh from OParl now"))
    def refresh(self, request, queryset):
        papers = [p for p in queryset.select_related("plan") if rules.can_change(request.user, p)]
        queued = jobs.enqueue_refresh(papers)
        if queued:
            self.message_user(
                request,
                ngettext(
                    "%(count)d paper will be refreshed in the background.",
                    "%(count)d papers will be refreshed in the background.",
                    queued,
                )
                % {"count": queued},
                messages.SUCCESS,
            )
        else:
            self.message_user(
                request,
                _("No OParl endpoint is configured for the plans of these papers."),
                messages.WARNING,
            )
