"""Choosing a password from an invitation: Django's password-reset confirm views in the admin's
look (its header, title and colours), with wording for a first password."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.utils.translation import gettext_lazy as _


class AdminLookMixin:
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        return {**admin.site.each_context(self.request), **context}


class PasswordSetView(AdminLookMixin, auth_views.PasswordResetConfirmView):
    template_name = "registration/password_set_confirm.html"
    title = _("Choose your password")


class PasswordSetDoneView(AdminLookMixin, auth_views.PasswordResetCompleteView):
    template_name = "registration/password_set_complete.html"
    title = _("Password set")
