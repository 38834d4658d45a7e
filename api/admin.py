"""Personal API tokens in the admin: every member creates and revokes their own (a superuser
sees and revokes everybody's). The key is shown once, on the page after “save”."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from access import rules
from access.admin import NotFoundOutsideScopeMixin

from .models import ApiToken
from .services import api_token_create, api_token_revoke


class ApiTokenAddForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ["name", "expires_at"]

    def clean_expires_at(self):
        expires_at = self.cleaned_data.get("expires_at")
        if expires_at is not None and expires_at <= timezone.now():
            raise forms.ValidationError(_("The expiry date must lie in the future."))
        return expires_at


@admin.register(ApiToken)
class ApiTokenAdmin(NotFoundOutsideScopeMixin, admin.ModelAdmin):
    list_display = (
        "name",
        "key_start",
        "user",
        "created_at",
        "expires_at",
        "last_used_at",
        "usable",
    )
    list_select_related = ("user",)
    actions = ["revoke"]
    readonly_fields = (
        "user",
        "key_start",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    )

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs if rules.is_superuser(request.user) else qs.filter(user=request.user)

    def get_list_display(self, request):
        if rules.is_superuser(request.user):
            return self.list_display
        return [name for name in self.list_display if name != "user"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = ApiTokenAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["name", "expires_at"]
        return ["name", *self.readonly_fields]

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly_fields

    @admin.display(boolean=True, description=_("usable"))
    def usable(self, obj):
        return obj.is_usable

    # Members only (the admin site admits nobody else); each works with their own tokens.
    def has_module_permission(self, request):
        return rules.is_member(request.user)

    def has_view_permission(self, request, obj=None):
        return rules.is_member(request.user) and self._owns(request, obj)

    def has_add_permission(self, request):
        return rules.is_member(request.user)

    def has_change_permission(self, request, obj=None):
        return self.has_view_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.has_view_permission(request, obj)

    def _owns(self, request, obj) -> bool:
        return obj is None or obj.user_id == request.user.pk or rules.is_superuser(request.user)

    def save_model(self, request, obj, form, change):
        if change:
            if not self._owns(request, obj):
                raise PermissionDenied
            obj.save(update_fields=["name"])
            return
        token, key = api_token_create(
            acting_user=request.user,
            name=form.cleaned_data["name"],
            expires_at=form.cleaned_data.get("expires_at"),
        )
        obj.pk = token.pk
        request._api_token_key = key

    def response_add(self, request, obj, post_url_continue=None):
        """The one page that shows the key; it is not stored anywhere."""
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Your new API token"),
            "token": ApiToken.objects.get(pk=obj.pk),
            "key": request._api_token_key,
        }
        response = TemplateResponse(request, "api/token_created.html", context)
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        count = sum(api_token_revoke(acting_user=request.user, token=t) for t in queryset)
        self.message_user(
            request,
            ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", count)
            % {"count": count},
            messages.SUCCESS,
        )
