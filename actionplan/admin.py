from decimal import Decimal
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from adminsortable2.admin import (
    CustomInlineFormSetMixin,
    SortableAdminBase,
    SortableInlineAdminMixin,
)
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Count, F
from django.db.models.functions import Coalesce
from django.forms.models import BaseInlineFormSet
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from access import rules
from access.admin import MembershipInline, RoleAdminMixin, RoleInlineMixin
from access.models import Membership
from attachments.admin import AttachmentInline
from attachments.models import Attachment
from config.numbers import format_amount, format_number
from contacts.models import Organisation
from council.admin import MeasureCouncilPaperInline, PlanCouncilPaperInline
from council.models import CouncilPaper
from documents.admin import PdfAdminMixin
from history.admin import HistoryAdmin as SimpleHistoryAdmin
from imports.admin import PermissionedImportExportMixin, PlanWorkbookAdminMixin
from reviews.admin import PendingChangeAdminMixin
from translations.admin import TranslatedFieldsMixin, TranslationStatusAdminMixin
from workbench.sections import SectionedChangeFormMixin

from . import selectors
from .admin_actions import MeasureStatusActionMixin
from .admin_merge import VocabularyMergeMixin
from .constraints import ConstraintCheckedForm, UniqueRowsFormSetMixin
from .forms import ScheduleEntryForm
from .locking import OptimisticLockAdminMixin, row_changed
from .models import (
    BaselineFinding,
    BudgetCategory,
    BudgetLine,
    FieldContact,
    FieldOfAction,
    FundingSource,
    Measure,
    Plan,
    Responsibility,
    ScheduleEntry,
    Step,
    TargetGroup,
)
from .ordering import OrderedFormSetMixin, OrderedRowForm, StepFormSetMixin, StepRowForm
from .resources import (
    EXPORT_PREFETCH,
    MeasureResource,
    lead_responsibilities,
    lead_responsibilities_prefetch,
)
from .schedule import describe_entry
from .services import WorkflowError, measure_set_state, plan_set_status
from .views import schedule_preview

admin.site.site_header = _("Planwerk administration")
admin.site.site_title = _("Planwerk")
admin.site.index_title = _("Action plans and contacts")


def coordinated_plans(user):
    """Plans this user coordinates: the only ones content may be moved into."""
    ids = rules.coordinated_plan_ids(user)
    return Plan.objects.all() if ids is None else Plan.objects.filter(pk__in=ids)


def field_label(field: FieldOfAction) -> str:
    return f"{field.plan.title} › {field.position}. {field.title}"


# Inline rows without one query per row ---------------------------------------------------


class LabelledAutocompleteSelect(AutocompleteSelect):
    """An autocomplete select that takes the selected option's label from its formset."""

    known_labels: dict[str, str] | None = None

    def optgroups(self, name, value, attr=None):
        selected = [str(v) for v in value if str(v) not in self.choices.field.empty_values]
        if self.known_labels is None or not set(selected) <= self.known_labels.keys():
            return super().optgroups(name, value, attr)
        options = []
        if not self.is_required:
            options.append(self.create_option(name, "", "", False, 0))
        for v in selected[:1]:
            options.append(self.create_option(name, v, self.known_labels[v], True, len(options)))
        return [(None, options, 0)]


class LabelledAutocompleteFormSet(UniqueRowsFormSetMixin, BaseInlineFormSet):
    """Looks up the labels of all rows' autocomplete selections in one query per field."""

    @cached_property
    def forms(self):
        forms = super().forms
        for name, field in self.form.base_fields.items():
            if not isinstance(getattr(field.widget, "widget", None), LabelledAutocompleteSelect):
                continue
            ids = {str(v) for v in (form[name].value() for form in forms) if v not in (None, "")}
            labels = (
                {
                    str(obj.pk): field.label_from_instance(obj)
                    for obj in field.queryset.filter(pk__in=ids)
                }
                if ids
                else {}
            )
            for form in forms:
                form.fields[name].widget.widget.known_labels = labels
        return forms


class TypedPositionFormSet(LabelledAutocompleteFormSet):
    """Rows with typed positions that may swap in one save (parked first)."""

    parkable = ("position",)


class ConstantQueriesInline(RoleInlineMixin, admin.TabularInline):
    """A tabular inline whose select and autocomplete fields query once, not once per row."""

    formset = LabelledAutocompleteFormSet
    extra = 0
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2})}}

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.get_autocomplete_fields(request) and "widget" not in kwargs:
            kwargs["widget"] = LabelledAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        formfield = super().formfield_for_foreignkey(db_field, request, **kwargs)
        inner = getattr(formfield.widget, "widget", formfield.widget)
        if isinstance(inner, forms.Select) and not isinstance(inner, AutocompleteSelect):
            # Evaluated once here; every row's deep copy of the field reuses the list.
            choices = list(iter(formfield.choices))
            formfield.choices = choices
            inner.choices = choices
        return formfield


class OrderedInlineFormSet(
    OrderedFormSetMixin, CustomInlineFormSetMixin, LabelledAutocompleteFormSet
):
    """Rows in the order the form shows them; the server numbers them (actionplan/ordering.py)."""


class StepInlineFormSet(StepFormSetMixin, CustomInlineFormSetMixin, LabelledAutocompleteFormSet):
    """Steps and sub-steps: a parent may be any row of the form, new rows included."""


class OrderedInline(SortableInlineAdminMixin, ConstantQueriesInline):
    """Rows ordered by drag and drop (django-admin-sortable2) and by “nach oben / nach unten”
    buttons; the position is a hidden input, the server assigns the numbers."""

    template = "admin/actionplan/edit_inline/ordered_tabular.html"
    form = OrderedRowForm
    formset = OrderedInlineFormSet
    ordering = ("position",)

    class Media:
        js = ("js/admin-ordering.js",)
        css = {"all": ("css/admin-ordering.css",)}

    def __init__(self, parent_model, admin_site):
        super().__init__(parent_model, admin_site)
        # The tree ordering of steps is an expression; the slot is always ``position``.
        self.default_order_direction, self.default_order_field = "", "position"


class RowLinksChangeList(ChangeList):
    """A changelist whose row links carry the list's filters (``_changelist_filters``) without
    Django's ``add_preserved_filters`` resolving every link's URL to see whether it is the
    list itself: a row links to a change form, never to the list. Same links; on a filtered
    list of 100 measures the resolving took about a third of the page's time (docs/benchmarks.md,
    issue 22)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # items_for_result adds cl.preserved_filters to each link (resolving it); url_for_result
        # adds them here instead
        self.row_link_filters, self.preserved_filters = self.preserved_filters, ""

    def url_for_result(self, result):
        url = super().url_for_result(result)
        if not self.row_link_filters:
            return url
        parts = urlsplit(url)
        query = dict(parse_qsl(self.row_link_filters))
        query.update(parse_qsl(parts.query))
        return urlunsplit(parts._replace(query=urlencode(query)))


# Plans ------------------------------------------------------------------------------------


class FieldOfActionInline(TranslatedFieldsMixin, ConstantQueriesInline):
    model = FieldOfAction
    formset = TypedPositionFormSet
    fields = ("position", "title", "slug", "lead_organisation")
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ("lead_organisation",)
    ordering = ("position",)
    show_change_link = True
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("lead_organisation")


@admin.register(Plan)
class PlanAdmin(
    TranslationStatusAdminMixin,
    SectionedChangeFormMixin,
    PlanWorkbookAdminMixin,
    RoleAdminMixin,
    OptimisticLockAdminMixin,
    PdfAdminMixin,
    SimpleHistoryAdmin,
):
    form = ConstraintCheckedForm
    list_display = (
        "title",
        "region",
        "issued_label",
        "status",
        "field_count",
        "measure_count",
    )
    list_filter = ("status", "region")
    search_fields = ("title", "subtitle", "region")
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ("project_lead", "author_organisation")
    inlines = (FieldOfActionInline, PlanCouncilPaperInline, AttachmentInline, MembershipInline)
    publication_field = "status"
    machine_translation = True
    actions = ("publish_with_reviewed", "export_workbook")
    change_form_template = "actionplan/admin/plan_change_form.html"
    fieldsets = (
        (
            _("Basic data"),
            {"fields": ("title", "subtitle", "slug", "region", "status", "language")},
        ),
        (
            _("Issue"),
            {"fields": ("issued_on", "issued_label", "period_label", "author_organisation")},
        ),
        (_("Texts"), {"fields": ("introduction", "funding_note", "project_lead")}),
        (_("Open data"), {"fields": ("data_licence",)}),
        (_("Review"), {"fields": ("review_changes",)}),
    )
    form_sections = (
        ("basics", _("Basic data"), (_("Basic data"), _("Issue"), _("Translation"))),
        ("texts", _("Texts"), (_("Texts"), _("Open data"))),
        ("fields", _("Fields of action"), (FieldOfAction,)),
        ("records", _("Decisions and documents"), (CouncilPaper, Attachment)),
        ("members", _("Members and roles"), (Membership,)),
    )

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        """Above the form the quality check's counts for the plan's coordinators: a notice
        before publishing, never a block (``actionplan.selectors.quality_findings``)."""
        if obj is not None and obj.pk and rules.coordinates(request.user, obj):
            context["quality_report"] = selectors.quality_findings(obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                _field_count=Count("fields", distinct=True),
                _measure_count=Count("fields__measures", distinct=True),
            )
        )

    @admin.display(description=_("fields of action"), ordering="_field_count")
    def field_count(self, plan):
        return plan._field_count

    @admin.display(description=_("measures"), ordering="_measure_count")
    def measure_count(self, plan):
        return plan._measure_count

    def save_model(self, request, obj, form, change):
        # The status goes through the workflow service (permission check, history reason,
        # audit log); a history revert hands over a whole old instance, so the stored status
        # is kept here and changed by the service only.
        wanted = obj.status
        if change:
            obj.status = Plan.objects.values_list("status", flat=True).get(pk=obj.pk)
        else:
            obj.status = Plan.Status.DRAFT
        super().save_model(request, obj, form, change)
        if wanted != obj.status and rules.can_publish(request.user, obj):
            plan_set_status(plan=obj, status=wanted, acting_user=request.user, request=request)

    @admin.action(description=_("Publish plan with the measures in review"))
    def publish_with_reviewed(self, request, queryset):
        done = 0
        for plan in queryset:
            if not rules.can_publish(request.user, plan):
                raise PermissionDenied
            plan_set_status(
                plan=plan,
                status=Plan.Status.PUBLISHED,
                acting_user=request.user,
                publish_reviewed=True,
                request=request,
            )
            done += 1
        self.message_user(
            request,
            ngettext(
                "%(count)d plan published with its reviewed measures.",
                "%(count)d plans published with their reviewed measures.",
                done,
            )
            % {"count": done},
            messages.SUCCESS,
        )


# Fields of action -------------------------------------------------------------------------


class BaselineFindingInline(TranslatedFieldsMixin, OrderedInline):
    model = BaselineFinding
    fields = ("text", "swot")
    extra = 0


class FieldContactInline(OrderedInline):
    model = FieldContact
    fields = ("person",)
    autocomplete_fields = ("person",)
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("person")


class MeasureInline(TranslatedFieldsMixin, ConstantQueriesInline):
    model = Measure
    formset = TypedPositionFormSet
    fields = ("position", "code", "title", "slug", "status")
    prepopulated_fields = {"slug": ("title",)}
    ordering = ("position",)
    show_change_link = True
    extra = 0


@admin.register(FieldOfAction)
class FieldOfActionAdmin(
    SortableAdminBase,
    TranslationStatusAdminMixin,
    SectionedChangeFormMixin,
    RoleAdminMixin,
    OptimisticLockAdminMixin,
    PdfAdminMixin,
    SimpleHistoryAdmin,
):
    form = ConstraintCheckedForm
    list_display = ("title", "plan", "position", "lead_organisation", "measure_count")
    list_filter = (("plan", admin.RelatedOnlyFieldListFilter), "lead_organisation")
    list_select_related = ("plan", "lead_organisation")
    search_fields = ("title", "target_state", "plan__title")
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ("lead_organisation",)
    ordering = ("plan", "position")
    fieldsets = (
        (
            _("Basic data"),
            {
                "fields": (
                    "plan",
                    "position",
                    "title",
                    "slug",
                    "target_state",
                    "lead_organisation",
                    "lead_note",
                )
            },
        ),
    )
    inlines = (BaselineFindingInline, FieldContactInline, MeasureInline, AttachmentInline)
    form_sections = (
        ("basics", _("Basic data"), (_("Basic data"), _("Translation"))),
        ("baseline", _("Baseline"), (BaselineFinding,)),
        ("contacts", _("Contact persons"), (FieldContact,)),
        ("measures", _("Measures"), (Measure,)),
        ("documents", _("Documents"), (Attachment,)),
    )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("plan", "lead_organisation")
            .annotate(_measure_count=Count("measures"))
        )

    @admin.display(description=_("measures"), ordering="_measure_count")
    def measure_count(self, field):
        return field._measure_count

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "plan":
            kwargs["queryset"] = coordinated_plans(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


# Measures ---------------------------------------------------------------------------------


class StepInline(TranslatedFieldsMixin, OrderedInline):
    model = Step
    form = StepRowForm
    formset = StepInlineFormSet
    fields = ("parent", "text")
    # Tree order: each top-level step followed by its sub-steps.
    ordering = (
        Coalesce("parent__position", "position"),
        F("parent").asc(nulls_first=True),
        "position",
    )
    extra = 0

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "parent":
            return None  # StepRowForm's own select, filled from the form's rows
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


def report_redated(request, entries) -> None:
    """Tell the user which hand-set dates gave way to the dates of a changed label."""
    for entry in entries:
        if getattr(entry, "redated_from_label", False):
            messages.info(
                request,
                _(
                    "“%(label)s”: the date set by hand belonged to the old label; "
                    "the entry is now dated from its label: %(dates)s."
                )
                % {"label": entry.label, "dates": describe_entry(entry)},
            )


class ScheduleEntryFormSet(OrderedInlineFormSet):
    request = None

    def save(self, commit=True):
        saved = super().save(commit)
        if self.request is not None:
            report_redated(self.request, saved)
        return saved


class ScheduleEntryInline(TranslatedFieldsMixin, OrderedInline):
    model = ScheduleEntry
    fields = (
        "label",
        "start_date",
        "start_precision",
        "end_date",
        "end_precision",
        "approximate",
        "dating",
    )
    readonly_fields = ("dating",)
    extra = 0
    form = ScheduleEntryForm
    formset = ScheduleEntryFormSet

    class Media:
        js = ("js/schedule-preview.js",)
        css = {"all": ("css/schedule-preview.css",)}

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.request = request  # a class made for this request by inlineformset_factory
        return formset


class ResponsibilityInline(TranslatedFieldsMixin, OrderedInline):
    model = Responsibility
    fields = ("role", "organisation", "person", "note")
    autocomplete_fields = ("organisation", "person")
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("organisation", "person")


def budget_placeholders(db_field, formfield):
    """Examples that fit the field: a rate and person-days are no euro amounts."""
    examples = {
        "co_funding_rate": (Decimal("80"), 0),
        "default_rate": (Decimal("80"), 0),
        "person_days": (Decimal("12.5"), 1),
    }
    if formfield is not None and db_field.name in examples:
        formfield.widget.attrs["placeholder"] = format_number(*examples[db_field.name])
    return formfield


class BudgetLineInline(TranslatedFieldsMixin, OrderedInline):
    model = BudgetLine
    fields = (
        "category",
        "programme",
        "funding_source",
        "year_from",
        "year_to",
        "kind",
        "planned_amount",
        "actual_amount",
        "co_funding_rate",
        "person_days",
        "note",
    )
    extra = 0

    class Media:
        css = {"all": ("css/admin-budget.css",)}

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        return budget_placeholders(db_field, formfield)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("category")


class FieldOfActionFilter(admin.SimpleListFilter):
    """Fields of action named with their plan: several plans have a “Handlungsfeld 1”."""

    title = _("field of action")
    parameter_name = "field__id__exact"

    def lookups(self, request, model_admin):
        fields = rules.admin_scope(
            request.user,
            FieldOfAction.objects.select_related("plan").order_by("plan__title", "position"),
        )
        return [(str(field.pk), field_label(field)) for field in fields]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(field_id=self.value())
        return queryset


class LeadOrganisationFilter(admin.SimpleListFilter):
    title = _("lead (measure)")
    parameter_name = "lead_organisation"

    def lookups(self, request, model_admin):
        leads = Organisation.objects.filter(
            responsibilities__role=Responsibility.Role.LEAD
        ).distinct()
        return [(str(org.pk), str(org)) for org in leads.order_by("name")]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(
                responsibilities__role=Responsibility.Role.LEAD,
                responsibilities__organisation_id=self.value(),
            ).distinct()
        return queryset


@admin.register(Measure)
class MeasureAdmin(
    SortableAdminBase,
    # Editors' edits of published measures become pending changes (reviews/admin.py).
    PendingChangeAdminMixin,
    TranslationStatusAdminMixin,
    SectionedChangeFormMixin,
    RoleAdminMixin,
    MeasureStatusActionMixin,
    OptimisticLockAdminMixin,
    PdfAdminMixin,
    PermissionedImportExportMixin,
    SimpleHistoryAdmin,
):
    form = ConstraintCheckedForm
    resource_classes = [MeasureResource]
    # Export only (see has_import_permission), with a pointer to the plan workbook import.
    import_export_change_list_template = "admin/actionplan/measure/change_list.html"
    list_display = ("code", "title", "field", "plan", "state", "status", "lead")
    list_display_links = ("code", "title")
    list_filter = (
        ("field__plan", admin.RelatedOnlyFieldListFilter),
        FieldOfActionFilter,
        "state",
        "status",
        LeadOrganisationFilter,
        "target_groups",
    )
    list_select_related = ("field__plan",)
    search_fields = ("title", "code", "description", "steps__text")
    ordering = ("field__plan", "field__position", "position")
    prepopulated_fields = {"slug": ("title",)}
    filter_horizontal = ("target_groups",)
    autocomplete_fields = ("related_measures",)
    fieldsets = (
        (
            _("Basic data"),
            {"fields": ("field", "position", "code", "title", "slug", "status", "description")},
        ),
        (_("Links"), {"fields": ("target_groups", "related_measures")}),
        (_("Publication"), {"fields": ("state", "review_comment")}),
    )
    inlines = (
        StepInline,
        ScheduleEntryInline,
        ResponsibilityInline,
        BudgetLineInline,
        MeasureCouncilPaperInline,
        AttachmentInline,
    )
    form_sections = (
        ("basics", _("Basic data"), (_("Basic data"), _("Translation"))),
        ("steps", _("Steps"), (Step,)),
        ("schedule", _("Schedule"), (ScheduleEntry,)),
        ("responsibilities", _("Responsibility"), (Responsibility,)),
        ("budget", _("Budget"), (BudgetLine,)),
        ("records", _("Decisions and documents"), (CouncilPaper, Attachment)),
        ("links", _("Links"), (_("Links"),)),
        ("publication", _("Publication"), (_("Publication"),)),
    )
    actions = ("submit_for_review", "publish_measures", "set_status")
    machine_translation = True

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("field__plan")
            .prefetch_related(lead_responsibilities_prefetch())
        )

    def get_changelist(self, request, **kwargs):
        return RowLinksChangeList

    def get_export_queryset(self, request):
        # get_queryset() already holds the plan and the lead; add what only the export reads.
        return super().get_export_queryset(request).prefetch_related(*EXPORT_PREFETCH)

    def get_urls(self):
        preview = path(
            "schedule-preview/",
            self.admin_site.admin_view(schedule_preview),
            name="actionplan_measure_schedule_preview",
        )
        return [preview, *super().get_urls()]

    def has_import_permission(self, request):
        """Nobody imports measures row by row here: measures come in through the plan's
        workbook (``imports/plan_workbook.py``), the one import path that validates, diffs and
        applies a whole plan in a transaction. The export stays; the import URLs answer 403."""
        return False

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "workbook_import_url": self.workbook_import_url(request),
        }
        return super().changelist_view(request, extra_context)

    def workbook_import_url(self, request) -> str | None:
        """Where this user imports measures: the workbook import of the plan the list is
        filtered by, else the plan list (each plan's page links its workbook import)."""
        if not rules.can_import(request.user):
            return None
        plan_id = request.GET.get("field__plan__id__exact", "")
        if plan_id.isdigit():
            plan = Plan.objects.filter(pk=plan_id).first()
            if plan is not None and rules.can_import(request.user, plan):
                return reverse("imports:plan_workbook_import", kwargs={"plan_slug": plan.slug})
        return reverse("admin:actionplan_plan_changelist", current_app=self.admin_site.name)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "field":
            # A measure moves only between the plans its user coordinates.
            kwargs["queryset"] = FieldOfAction.objects.select_related("plan").filter(
                plan__in=coordinated_plans(request.user)
            )
        formfield = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "field":
            formfield.label_from_instance = field_label
        return formfield

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        plan_id = obj.field.plan_id if obj is not None else None
        if obj is not None and not rules.coordinates(request.user, plan_id):
            # Editors: no moving, no renumbering, no comment of their own.
            readonly += ["field", "position", "review_comment"]
        return readonly

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if "state" in form.base_fields:
            allowed = (
                rules.allowed_measure_states(request.user, obj)
                if obj is not None
                else [Measure.State.DRAFT]
            )
            form.base_fields["state"].choices = [
                (value, label) for value, label in Measure.State.choices if value in allowed
            ]
        return form

    def save_model(self, request, obj, form, change):
        wanted = obj.state
        if change:
            obj.state = Measure.objects.values_list("state", flat=True).get(pk=obj.pk)
        else:
            obj.state = Measure.State.DRAFT
        super().save_model(request, obj, form, change)
        comment_changed = "review_comment" in form.changed_data
        if wanted != obj.state or comment_changed:
            try:
                measure_set_state(
                    measure=obj,
                    state=wanted,
                    acting_user=request.user,
                    comment=obj.review_comment if comment_changed else "",
                    request=request,
                )
            except WorkflowError as exc:
                raise PermissionDenied(str(exc)) from exc

    def _transition(self, request, queryset, state, done_message):
        """Changes what the user may change; reports what was skipped, and why."""
        from access import reasons

        count, refusals = 0, []
        for measure in queryset.select_related("field"):
            user = request.user
            if not rules.can_change(user, measure) or state not in rules.allowed_measure_states(
                user, measure
            ):
                refusals.append(reasons.state_refusal(user, measure, state))
            elif measure.state == state:
                refusals.append(
                    _("“%(measure)s” is already “%(state)s”: nothing to change.")
                    % {"measure": measure, "state": measure.get_state_display()}
                )
            else:
                measure_set_state(measure=measure, state=state, acting_user=user, request=request)
                count += 1
        if count:
            self.message_user(request, done_message % {"count": count}, messages.SUCCESS)
        if refusals:
            skipped = ngettext("%(count)d skipped:", "%(count)d skipped:", len(refusals)) % {
                "count": len(refusals)
            }
            self.message_user(request, skipped, messages.WARNING)
        for refusal in refusals:
            self.message_user(request, refusal, messages.WARNING)

    @admin.action(description=_("Submit for review"))
    def submit_for_review(self, request, queryset):
        self._transition(request, queryset, Measure.State.REVIEW, _("%(count)d submitted."))

    @admin.action(description=_("Publish"))
    def publish_measures(self, request, queryset):
        self._transition(request, queryset, Measure.State.PUBLISHED, _("%(count)d published."))

    @admin.display(description=_("plan"), ordering="field__plan__title")
    def plan(self, measure):
        return measure.field.plan.title

    @admin.display(description=_("lead (measure)"))
    def lead(self, measure):
        return ", ".join(str(r.organisation or r.person) for r in lead_responsibilities(measure))


# Rows of a measure, each also listed on its own -------------------------------------------


class MeasureRowAdmin(TranslatedFieldsMixin, RoleAdminMixin, SimpleHistoryAdmin):
    """A row of a measure listed on its own: it can only be attached to measures one may edit."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "measure":
            kwargs["queryset"] = Measure.objects.editable_by(request.user)
        if db_field.name == "field":
            kwargs["queryset"] = FieldOfAction.objects.filter(
                plan__in=coordinated_plans(request.user)
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        parent = "measure" if "measure" in form.initial else "field"
        super().save_model(request, obj, form, change)
        row_changed(obj, previous_parent_id=form.initial.get(parent) if change else None)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        row_changed(obj)

    def delete_queryset(self, request, queryset):
        rows = list(queryset)
        super().delete_queryset(request, queryset)
        for row in rows:
            row_changed(row)


@admin.register(Step)
class StepAdmin(MeasureRowAdmin):
    list_display = ("short_text", "measure", "parent", "position")
    list_filter = (("measure__field__plan", admin.RelatedOnlyFieldListFilter),)
    list_select_related = ("measure", "parent")
    search_fields = ("text", "measure__title", "measure__code")
    autocomplete_fields = ("measure", "parent")
    fields = ("measure", "parent", "position", "text")

    @admin.display(description=_("text"), ordering="text")
    def short_text(self, step):
        return str(step)


@admin.register(ScheduleEntry)
class ScheduleEntryAdmin(MeasureRowAdmin):
    list_display = (
        "label",
        "measure",
        "start_date",
        "start_precision",
        "end_date",
        "end_precision",
        "approximate",
        "dating",
    )
    list_filter = (
        "dating",
        "approximate",
        ("measure__field__plan", admin.RelatedOnlyFieldListFilter),
    )
    list_select_related = ("measure",)
    search_fields = ("label", "measure__title", "measure__code")
    autocomplete_fields = ("measure",)
    fields = (
        "measure",
        "position",
        "label",
        ("start_date", "start_precision"),
        ("end_date", "end_precision"),
        "approximate",
        "dating",
    )
    readonly_fields = ("dating",)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        report_redated(request, [obj])


@admin.register(Responsibility)
class ResponsibilityAdmin(MeasureRowAdmin):
    list_display = ("measure", "role", "organisation", "person", "note")
    list_filter = ("role", ("measure__field__plan", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("measure", "organisation", "person")
    search_fields = (
        "note",
        "measure__title",
        "organisation__name",
        "organisation__short_name",
        "person__last_name",
    )
    autocomplete_fields = ("measure", "organisation", "person")
    fields = ("measure", "position", "role", "organisation", "person", "note")


@admin.register(BudgetLine)
class BudgetLineAdmin(MeasureRowAdmin):
    list_display = ("measure", "category", "programme", "years", "kind", "planned", "actual")
    list_filter = (
        "category",
        "programme",
        "kind",
        "funding_source",
        ("measure__field__plan", admin.RelatedOnlyFieldListFilter),
    )
    list_select_related = ("measure", "category", "funding_source", "programme")
    search_fields = (
        "note",
        "measure__title",
        "category__name",
        "funding_source__name",
        "programme__name",
    )
    autocomplete_fields = ("measure", "category", "funding_source", "programme")
    fields = (
        "measure",
        "position",
        "category",
        "programme",
        "funding_source",
        ("year_from", "year_to"),
        "kind",
        "planned_amount",
        "actual_amount",
        "co_funding_rate",
        "person_days",
        "note",
    )

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        return budget_placeholders(db_field, formfield)

    @admin.display(description=_("year"), ordering="year_from")
    def years(self, line):
        return line.years_label or "–"

    @admin.display(description=_("planned amount (EUR)"), ordering="planned_amount")
    def planned(self, line):
        return format_amount(line.planned_amount)

    @admin.display(description=_("actual amount (EUR)"), ordering="actual_amount")
    def actual(self, line):
        return format_amount(line.actual_amount)


@admin.register(BaselineFinding)
class BaselineFindingAdmin(MeasureRowAdmin):
    list_display = ("short_text", "field", "swot", "position")
    list_filter = ("swot", ("field__plan", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("field",)
    search_fields = ("text", "field__title")
    autocomplete_fields = ("field",)
    fields = ("field", "position", "text", "swot")

    @admin.display(description=_("text"), ordering="text")
    def short_text(self, finding):
        return str(finding)


# Managed lists ----------------------------------------------------------------------------


class VocabularyAdmin(
    TranslatedFieldsMixin, VocabularyMergeMixin, RoleAdminMixin, SimpleHistoryAdmin
):
    list_display = ("name", "position", "usage")
    actions = ["merge"]
    list_editable = ("position",)
    search_fields = ("name",)
    usage_relation = ""

    def get_queryset(self, request):
        # Meta.ordering does not apply to aggregating queries; keep autocomplete paging stable.
        return (
            super()
            .get_queryset(request)
            .annotate(_usage=Count(self.usage_relation))
            .order_by("position", "name")
        )

    @admin.display(description=_("in use"), ordering="_usage")
    def usage(self, obj):
        return obj._usage


@admin.register(TargetGroup)
class TargetGroupAdmin(VocabularyAdmin):
    usage_relation = "measures"


@admin.register(BudgetCategory)
class BudgetCategoryAdmin(VocabularyAdmin):
    usage_relation = "budget_lines"


@admin.register(FundingSource)
class FundingSourceAdmin(VocabularyAdmin):
    usage_relation = "budget_lines"
