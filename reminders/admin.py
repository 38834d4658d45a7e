from django.contrib import admin

from access.admin import SuperuserOnlyAdminMixin

from .models import ReminderPreference


@admin.register(ReminderPreference)
class ReminderPreferenceAdmin(SuperuserOnlyAdminMixin, admin.ModelAdmin):
    """Superusers set a user's reminder language, or subscribe them again after an opt-out
    (clear “unsubscribed”)."""

    list_display = ("user", "language", "opted_out_at")
    list_filter = ("language",)
    search_fields = ("user__username", "user__email")
    autocomplete_fields = ("user",)
