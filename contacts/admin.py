from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.response import TemplateResponse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from access import rules
from access.admin import RoleAdminMixin
from history.admin import HistoryAdmin as SimpleHistoryAdmin
from imports.admin import PermissionedImportExportMixin
from translations.admin import TranslatedFieldsMixin

from . import services
from .models import ContactConsent, Organisation, Person
from .resources import CONTACT_FORMATS, OrganisationResource, PersonResource

# Actions that change or remove records beyond the selected ones: contact managers only.
MANAGING_ACTIONS = {"merge_selected", "erase_selected"}


class ContactAdminMixin(RoleAdminMixin, PermissionedImportExportMixin):
    """Import/export in CSV and XLSX, and merging of duplicates (access.rules decides)."""

    formats = export_formats = import_formats = CONTACT_FORMATS
    actions = ["merge_selected"]

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not rules.may_manage_contacts(request.user):
            for name in MANAGING_ACTIONS:
                actions.pop(name, None)
        return actions

    def changelist_view(self, request, extra_context=None):
        # A managing action posted by someone it is not offered to is refused, not ignored.
        if request.method == "POST" and request.POST.get("action") in MANAGING_ACTIONS:
            if not rules.may_manage_contacts(request.user):
                raise PermissionDenied
        return super().changelist_view(request, extra_context)

    @admin.action(description=_("Merge selected records into one"))
    def merge_selected(self, request, queryset):
        records = list(queryset.order_by("pk"))
        if len(records) < 2:
            self.message_user(
                request, gettext("Select at least two records to merge."), messages.WARNING
            )
            return None
        keep_pk = request.POST.get("keep")
        if request.POST.get("post") == "yes" and keep_pk:
            keep = next((r for r in records if str(r.pk) == keep_pk), None)
            if keep is None:
                self.message_user(
                    request, gettext("Choose one of the selected records."), messages.ERROR
                )
                return None
            try:
                counts = services.contacts_merge(
                    keep=keep, duplicates=records, acting_user=request.user, request=request
                )
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
                return None
            self.message_user(
                request,
                gettext("%(count)s records merged into “%(keep)s”; %(moved)s references moved.")
                % {"count": len(records), "keep": keep, "moved": counts["moved"]},
                messages.SUCCESS,
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Merge %(name)s") % {"name": self.opts.verbose_name_plural},
            "opts": self.opts,
            "records": records,
            "action": "merge_selected",
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "contacts/admin/merge.html", context)


@admin.register(Organisation)
class OrganisationAdmin(TranslatedFieldsMixin, ContactAdminMixin, SimpleHistoryAdmin):
    resource_classes = [OrganisationResource]
    list_display = ("name", "short_name", "kind", "parent")
    list_filter = ("kind",)
    list_select_related = ("parent",)
    search_fields = ("name", "short_name")
    autocomplete_fields = ("parent",)
    fieldsets = (
        (None, {"fields": ("name", "short_name", "kind", "parent")}),
        (_("Contact details"), {"fields": ("address", "phone", "email", "website")}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("parent")


# How a clerk records a consent by hand; imports and erasure record their own source.
MANUAL_SOURCES = [
    ("", "---------"),
    *(
        (value, label)
        for value, label in ContactConsent.Source.choices
        if value not in (ContactConsent.Source.IMPORTED, ContactConsent.Source.ERASURE)
    ),
]


class PersonAdminForm(forms.ModelForm):
    """A change of ``public_contact`` needs its source and a note (who, when and how are
    then recorded by ``services.contact_consent_set``)."""

    consent_source = forms.ChoiceField(
        label=_("source of the consent"), choices=MANUAL_SOURCES, required=False
    )
    consent_note = forms.CharField(
        label=_("note on the consent"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("e.g. the date and reference of the letter or e-mail"),
    )

    class Meta:
        model = Person
        fields = ("public_contact",)  # the admin adds the fields of its fieldsets

    def stored_consent(self) -> bool:
        """As stored, not as the form began: a history revert starts from an old state."""
        if self.instance.pk is None:
            return False
        stored = Person.objects.filter(pk=self.instance.pk).values_list("public_contact", flat=True)
        return bool(stored.first())

    def consent_changed(self) -> bool:
        if "public_contact" not in self.fields:
            return False
        return bool(self.cleaned_data.get("public_contact")) != self.stored_consent()

    def clean(self):
        cleaned = super().clean()
        if self.consent_changed():
            if not cleaned.get("consent_source"):
                self.add_error(
                    "consent_source",
                    _("Say how the consent was given or withdrawn."),
                )
            if not (cleaned.get("consent_note") or "").strip():
                self.add_error(
                    "consent_note", _("Note when and in which form the consent was given.")
                )
        return cleaned


@admin.register(Person)
class PersonAdmin(ContactAdminMixin, SimpleHistoryAdmin):
    form = PersonAdminForm
    resource_classes = [PersonResource]
    list_display = ("__str__", "function", "organisation", "email", "public_contact")
    list_filter = ("public_contact", "organisation")
    list_select_related = ("organisation",)
    search_fields = ("last_name", "first_name", "function", "email", "organisation__name")
    autocomplete_fields = ("organisation",)
    actions = ["merge_selected", "erase_selected"]
    fieldsets = (
        (None, {"fields": ("salutation", "title", "first_name", "last_name", "function")}),
        (_("Contact details"), {"fields": ("organisation", "phone", "email")}),
        (
            _("Consent to publication"),
            {"fields": ("public_contact", "consent_source", "consent_note", "consent_history")},
        ),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("organisation")

    def get_fieldsets(self, request, obj=None):
        if obj is not None and obj.erased_at:
            return (
                *self.fieldsets[:2],
                (_("Consent to publication"), {"fields": ("consent_history",)}),
            )
        return self.fieldsets

    @admin.display(description=_("consent history"))
    def consent_history(self, obj):
        records = list(obj.consents.select_related(None)) if obj and obj.pk else []
        if not records:
            return gettext("No consent recorded.")
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                "<li>{}: {} – {} ({}){}</li>",
                (
                    (
                        f"{r.recorded_at:%d.%m.%Y %H:%M}",
                        gettext("given") if r.given else gettext("withdrawn"),
                        r.get_source_display(),
                        r.recorded_by_name or "–",
                        f": {r.note}" if r.note else "",
                    )
                    for r in records
                ),
            ),
        )

    def save_model(self, request, obj, form, change):
        # the consent is not saved with the form: the service records who, when and how
        wanted = obj.public_contact
        obj.public_contact = form.stored_consent()
        super().save_model(request, obj, form, change)
        if wanted != obj.public_contact:
            services.contact_consent_set(
                obj,
                public=wanted,
                source=form.cleaned_data.get("consent_source", ""),
                note=form.cleaned_data.get("consent_note", ""),
                acting_user=request.user,
                request=request,
            )

    def get_readonly_fields(self, request, obj=None):
        readonly = [*super().get_readonly_fields(request, obj), "consent_history"]
        if obj is not None and obj.erased_at:
            # an erased person stays erased: nothing personal can be entered again
            readonly += ["salutation", "title", "first_name", "last_name", "phone", "email"]
            readonly += ["public_contact"]
        return readonly

    @admin.action(description=_("Erase personal details on request (GDPR Art. 17)"))
    def erase_selected(self, request, queryset):
        people = list(queryset.filter(erased_at__isnull=True).order_by("pk"))
        if not people:
            self.message_user(
                request, gettext("The selected persons are erased already."), messages.WARNING
            )
            return None
        if request.POST.get("post") == "yes":
            for person in people:
                services.person_erase(person=person, acting_user=request.user, request=request)
            self.message_user(
                request,
                ngettext(
                    "The personal details of %(count)d person were erased.",
                    "The personal details of %(count)d persons were erased.",
                    len(people),
                )
                % {"count": len(people)},
                messages.SUCCESS,
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Erase personal details"),
            "opts": self.opts,
            "records": people,
            "action": "erase_selected",
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "contacts/admin/erase.html", context)
