from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportMixin
from simple_history.admin import SimpleHistoryAdmin

from access import rules
from access.admin import RoleAdminMixin

from .models import Organisation, Person
from .resources import OrganisationResource, PersonResource


class PermissionedImportExportMixin(ImportExportMixin):
    """Import and export follow the roles of ``access.rules``, not just staff status.

    Exports hold only the changelist's queryset (the rows the user works with); imports are
    the coordinators'.
    """

    def has_export_permission(self, request):
        return rules.can_export(request.user)

    def has_import_permission(self, request):
        label = self.model._meta.app_label
        if label == "campaigns":
            return rules.can_import_campaigns(request.user)
        if label == "contacts":
            return rules.may_manage_contacts(request.user)
        return rules.can_import(request.user)


@admin.register(Organisation)
class OrganisationAdmin(RoleAdminMixin, PermissionedImportExportMixin, SimpleHistoryAdmin):
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


@admin.register(Person)
class PersonAdmin(RoleAdminMixin, PermissionedImportExportMixin, SimpleHistoryAdmin):
    resource_classes = [PersonResource]
    list_display = ("__str__", "function", "organisation", "email", "public_contact")
    list_filter = ("public_contact", "organisation")
    list_select_related = ("organisation",)
    search_fields = ("last_name", "first_name", "function", "email", "organisation__name")
    autocomplete_fields = ("organisation",)
    fieldsets = (
        (None, {"fields": ("salutation", "title", "first_name", "last_name", "function")}),
        (_("Contact details"), {"fields": ("organisation", "phone", "email", "public_contact")}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("organisation")
