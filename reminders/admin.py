from django.contrib import admin

from access import rules

from .models import ReminderPreference


@admin.register(ReminderPreference)
class ReminderPreferenceAdmin(admin.ModelAdmin):
    """Superusers set a user's reminder language, or subscribe them again after an opt-out
    (clear “unsubscribed”)."""

    list_display = ("user", "language", "opted_out_at")
    list_filter = ("language",)
    search_fields = ("user__username", "user__email")
    autocomplete_fields = ("user",)

    def has_module_permission(self, request):
        return rules.is_superuser(request.user)

    def has_view_permission(self, request, obj=None):
        return rules.is_superuser(request.user)

    def has_add_permission(self, request):
        return rules.is_superuser(request.user)

    def has_change_permission(self, request, obj=None):
        return rules.is_superuser(request.user)

    def has_delete_permission(self, request, obj=None):
        return rules.is_superuser(request.user)
