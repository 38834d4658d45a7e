from django.contrib import admin

from access.admin import SuperuserOnlyAdminMixin
from history.admin import HistoryAdmin

from .models import LegalPage


@admin.register(LegalPage)
class LegalPageAdmin(SuperuserOnlyAdminMixin, HistoryAdmin):
    """Exactly three pages (the data migration creates them): superusers change them, nobody
    adds or deletes one."""

    list_display = ["__str__", "title_de", "edited", "updated_at"]
    fields = ["title_de", "body_de", "title_en", "body_en", "edited", "updated_at"]
    readonly_fields = ["edited", "updated_at"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        # the first save by the operator ends the template note on the public page
        obj.edited = True
        super().save_model(request, obj, form, change)
