from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportMixin
from simple_history.admin import SimpleHistoryAdmin

from .models import Organisation, Person
from .resources import OrganisationResource, PersonResource


class PermissionedImportExportMixin(ImportExportMixin):
    """Import and export follow the model permissions, not just staff status.

    django-import-export lets any staff user import and export unless a setting says otherwise;
    here exporting needs the view permission (and exports only the changelist's queryset), and
    importing needs both add and change.
    """

    def has_export_permission(self, request):
        return self.has_view_permission(request)

    def has_import_permission(self, request):
        return self.has_add_permission(request) and self.has_change_permission(request)


@admin.register(Organisation)
class OrganisationAdmin(PermissionedImportExportMixin, SimpleHistoryAdmin):
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
class PersonAdmin(PermissionedImportExportMixin, SimpleHistoryAdmin):
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
