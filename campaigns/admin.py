from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from access import rules
from access.admin import MembershipInline, RoleAdminMixin, RoleInlineMixin
from access.models import Membership
from actionplan.constraints import UniqueRowsInlineFormSet
from actionplan.locking import OptimisticLockAdminMixin
from attachments.admin import AttachmentInline
from attachments.models import Attachment
from documents.admin import PdfAdminMixin
from history.admin import HistoryAdmin as SimpleHistoryAdmin
from imports.admin import CampaignDocumentAdminMixin, PermissionedExportMixin
from translations.admin import TranslatedFieldsMixin, TranslationStatusAdminMixin
from workbench.sections import SectionedChangeFormMixin

from .models import (
    Campaign,
    CampaignContact,
    CampaignEvent,
    CampaignLink,
    CampaignPartner,
    Channel,
    EventParticipant,
    KeyFigure,
    Market,
)
from .resources import CampaignResource, ChannelResource


class CampaignPartnerInline(RoleInlineMixin, admin.TabularInline):
    formset = UniqueRowsInlineFormSet
    model = CampaignPartner
    fields = ("position", "organisation", "role", "note")
    autocomplete_fields = ("organisation",)
    extra = 0


class CampaignContactInline(RoleInlineMixin, admin.TabularInline):
    formset = UniqueRowsInlineFormSet
    model = CampaignContact
    fields = ("position", "person", "role", "fax")
    autocomplete_fields = ("person",)
    extra = 0


class CampaignLinkInline(TranslatedFieldsMixin, RoleInlineMixin, admin.TabularInline):
    formset = UniqueRowsInlineFormSet
    model = CampaignLink
    fields = ("position", "label", "url", "languages")
    extra = 0


class KeyFigureInline(TranslatedFieldsMixin, RoleInlineMixin, admin.TabularInline):
    formset = UniqueRowsInlineFormSet
    model = KeyFigure
    fields = ("position", "name", "unit", "target", "actual", "date_label", "date", "note")
    extra = 0


class ChannelInline(TranslatedFieldsMixin, RoleInlineMixin, admin.StackedInline):
    formset = UniqueRowsInlineFormSet
    model = Channel
    fields = (
        ("position", "kind", "status"),
        "name",
        "description",
        ("reach", "reach_unit", "reach_label"),
        ("languages", "url"),
        ("period_label", "start_date", "end_date", "date_precision"),
    )
    extra = 0
    show_change_link = True


class CampaignEventInline(TranslatedFieldsMixin, RoleInlineMixin, admin.StackedInline):
    formset = UniqueRowsInlineFormSet
    model = CampaignEvent
    fields = (
        ("position", "title", "kind"),
        ("date_label", "date", "date_precision"),
        ("place", "participants_count"),
        "description",
        ("topics", "methods"),
        "results",
    )
    extra = 0
    show_change_link = True


@admin.register(Campaign)
class CampaignAdmin(
    TranslationStatusAdminMixin,
    SectionedChangeFormMixin,
    RoleAdminMixin,
    OptimisticLockAdminMixin,
    PdfAdminMixin,
    CampaignDocumentAdminMixin,
    PermissionedExportMixin,
    SimpleHistoryAdmin,
):
    pdf_action = False  # the brief renders inline: the button on the change form is enough
    resource_classes = [CampaignResource]
    list_display = (
        "title",
        "kind",
        "status",
        "lifecycle",
        "region",
        "organiser",
        "period_label",
        "channel_count",
        "event_count",
    )
    list_filter = ("kind", "status", "region", ("organiser", admin.RelatedOnlyFieldListFilter))
    search_fields = (
        "title",
        "slug",
        "region",
        "summary",
        "organiser__name",
        "organiser__short_name",
    )
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ("organiser", "target_groups", "markets", "related_measures")
    inlines = [
        CampaignPartnerInline,
        CampaignContactInline,
        CampaignLinkInline,
        ChannelInline,
        CampaignEventInline,
        KeyFigureInline,
        AttachmentInline,
        MembershipInline,
    ]
    publication_field = "status"
    fieldsets = (
        (
            _("Basic data"),
            {
                "fields": (
                    ("title", "slug"),
                    ("kind", "status"),
                    ("motto", "slogan"),
                    ("region", "organiser"),
                    "languages",
                )
            },
        ),
        (_("Content"), {"fields": ("summary", "description", "goals")}),
        (
            _("Period"),
            {
                "fields": (
                    "period_label",
                    ("start_date", "end_date", "date_precision"),
                    "lifecycle_override",
                )
            },
        ),
        (
            _("Budget and funding"),
            {"fields": (("budget_amount", "budget_currency"), "budget_note", "funding_note")},
        ),
        (_("Audience"), {"fields": ("target_groups", "markets")}),
        (_("References"), {"fields": ("source", "related_measures")}),
    )
    form_sections = (
        ("basics", _("Basic data"), (_("Basic data"), _("Content"), _("Translation"))),
        ("period", _("Period and budget"), (_("Period"), _("Budget and funding"))),
        ("audience", _("Audience and references"), (_("Audience"), _("References"))),
        ("partners", _("Partners and contacts"), (CampaignPartner, CampaignContact, CampaignLink)),
        ("channels", _("Channels"), (Channel,)),
        ("events", _("Events"), (CampaignEvent,)),
        ("figures", _("Key figures"), (KeyFigure,)),
        ("documents", _("Documents"), (Attachment,)),
        ("members", _("Members and roles"), (Membership,)),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).for_admin_list()

    def save_model(self, request, obj, form, change):
        from access.models import AuditEvent
        from access.services import audit

        previous = (
            type(obj).objects.values_list("status", flat=True).get(pk=obj.pk) if change else None
        )
        if change and obj.status != previous and not rules.can_publish(request.user, obj):
            obj.status = previous  # a history revert hands over the whole old instance
        super().save_model(request, obj, form, change)
        if change and obj.status != previous:
            action = {
                Campaign.Status.PUBLISHED: AuditEvent.Action.PUBLISHED,
                Campaign.Status.ARCHIVED: AuditEvent.Action.ARCHIVED,
            }.get(obj.status, AuditEvent.Action.UNPUBLISHED)
            audit(action, actor=request.user, request=request, obj=obj)

    @admin.display(description=_("lifecycle status"))
    def lifecycle(self, obj):
        return obj.get_lifecycle_display()

    @admin.display(description=_("channels"), ordering="channel_count")
    def channel_count(self, obj):
        return obj.channel_count

    @admin.display(description=_("events"), ordering="event_count")
    def event_count(self, obj):
        return obj.event_count


@admin.register(Channel)
class ChannelAdmin(
    TranslatedFieldsMixin, RoleAdminMixin, PermissionedExportMixin, SimpleHistoryAdmin
):
    resource_classes = [ChannelResource]
    list_display = ("name", "campaign", "kind", "status", "reach", "reach_label", "period_label")
    list_filter = ("kind", "status", ("campaign", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("campaign",)
    search_fields = ("name", "description", "reach_label", "campaign__title")
    autocomplete_fields = ("campaign",)
    fields = (
        "campaign",
        ("position", "kind", "status"),
        "name",
        "description",
        ("reach", "reach_unit", "reach_label"),
        ("languages", "url"),
        ("period_label", "start_date", "end_date", "date_precision"),
    )


class EventParticipantInline(RoleInlineMixin, admin.TabularInline):
    formset = UniqueRowsInlineFormSet
    model = EventParticipant
    fields = ("position", "person", "organisation", "role")
    autocomplete_fields = ("person", "organisation")
    extra = 0


@admin.register(CampaignEvent)
class CampaignEventAdmin(TranslatedFieldsMixin, RoleAdminMixin, SimpleHistoryAdmin):
    list_display = ("title", "campaign", "kind", "date_label", "date", "place")
    list_filter = ("kind", ("campaign", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("campaign",)
    search_fields = ("title", "place", "description", "campaign__title")
    autocomplete_fields = ("campaign",)
    inlines = [EventParticipantInline]
    fields = (
        "campaign",
        ("position", "title", "kind"),
        ("date_label", "date", "date_precision"),
        ("place", "participants_count"),
        "description",
        ("topics", "methods"),
        "results",
    )


@admin.register(Market)
class MarketAdmin(TranslatedFieldsMixin, RoleAdminMixin, SimpleHistoryAdmin):
    list_display = ("name", "iso_code", "position")
    list_editable = ("position",)
    search_fields = ("name", "iso_code")
