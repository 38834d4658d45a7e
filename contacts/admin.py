from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from access.admin import RoleAdminMixin
from history.admin import HistoryAdmin as SimpleHistoryAdmin
from imports.admin import PermissionedImportExportMixin

from .models import Organisation, Person
from .resources import OrganisationResource, PersonResource


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
