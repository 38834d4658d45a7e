from django.contrib import admin

from access.admin import SuperuserOnlyAdminMixin

from .models import NotificationDelivery, NotificationPreference


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(SuperuserOnlyAdminMixin, admin.ModelAdmin):
    """Each person keeps their own settings on the “Benachrichtigungen” page; superusers see
    (and may correct) everybody's here."""

    list_display = ("user", "kind", "enabled", "changed_at")
    list_filter = ("kind", "enabled")
    search_fields = ("user__username", "user__email")
    autocomplete_fields = ("user",)


@admin.register(NotificationDelivery)
class NotificationDeliveryAdmin(SuperuserOnlyAdminMixin, admin.ModelAdmin):
    """A log: what went to whom. Nobody writes it by hand."""

    list_display = ("sent_at", "user", "kind", "measure")
    list_filter = ("kind",)
    list_select_related = ("user", "measure")
    search_fields = ("user__username", "user__email")
    readonly_fields = ("event", "user", "kind", "measure", "sent_at")

    def has_add_permission(self, request):
        return False
