"""The admin site under the access rules: only members of a plan or campaign (and superusers)
use it, and “view on site” leads only to pages the user may see."""

from django.contrib import admin
from django.contrib.contenttypes import views as contenttype_views
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import Http404
from django.urls import path

from . import rules
from .forms import AdminLoginForm


class PlanwerkAdminSite(admin.AdminSite):
    login_form = AdminLoginForm

    def has_permission(self, request):
        # A staff account without a role has no admin pages (it sees what visitors see).
        return rules.may_use_admin(request.user)

    def get_urls(self):
        urls = super().get_urls()
        for index, pattern in enumerate(urls):
            if getattr(pattern, "name", None) == "view_on_site":
                urls[index] = path(
                    "r/<int:content_type_id>/<path:object_id>/",
                    self.admin_view(self.view_on_site),
                    name="view_on_site",
                )
        return urls

    def view_on_site(self, request, content_type_id, object_id):
        """Django's shortcut redirect, but a draft the user may not see answers 404: the
        redirect would tell that it exists and give its address."""
        try:
            content_type = ContentType.objects.get_for_id(content_type_id)
            obj = content_type.get_object_for_this_type(pk=object_id)
        except (ObjectDoesNotExist, ValidationError, ValueError) as exc:
            raise Http404 from exc
        if not rules.can_view(request.user, obj):
            raise Http404
        return contenttype_views.shortcut(request, content_type_id, object_id)
