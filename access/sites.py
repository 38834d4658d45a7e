"""The admin site under the access rules: only members of a plan or campaign (and superusers)
use it, and “view on site” leads only to pages the user may see.

Its index is the person's start page (“Meine Arbeit”, ``workbench``); the model list below it
names apps in plain German, leaves out the rows that are edited only inside their parent's form,
and gathers the shared vocabularies under one “Einstellungen” entry for coordinators.
"""

from django.contrib import admin
from django.contrib.contenttypes import views as contenttype_views
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import Http404
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from . import rules
from .forms import AdminLoginForm

# Rows edited inside their parent's form only. Their admins stay registered (history links,
# autocomplete and direct URLs use them); the index and the navigation do not list them.
INLINE_ONLY = {
    ("actionplan", "step"),
    ("actionplan", "scheduleentry"),
    ("actionplan", "responsibility"),
    ("actionplan", "budgetline"),
    ("actionplan", "baselinefinding"),
    ("actionplan", "fieldcontact"),
}
# Shared vocabularies and personal settings: one “Einstellungen” entry, for coordinators.
SETTINGS = {
    ("actionplan", "targetgroup"),
    ("actionplan", "budgetcategory"),
    ("actionplan", "fundingsource"),
    ("campaigns", "market"),
    ("api", "apitoken"),
}
SETTINGS_LABEL = "einstellungen"
# Readable names where Django's own is long-winded; third-party apps get theirs from their
# AppConfig subclasses in config/apps.py.
APP_NAMES = {
    "auth": _("users and groups"),
}
MODEL_NAMES = {
    ("django_tasks_database", "dbtaskresult"): _("task results"),
}


class PlanwerkAdminSite(admin.AdminSite):
    login_form = AdminLoginForm
    index_template = "workbench/index.html"
    index_title = _("My work")

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

    # The model list -------------------------------------------------------------------------

    def get_app_list(self, request, app_label=None):
        """Django's list without inline-only rows and without settings the user cannot
        change; on the index (no ``app_label``) the settings form one group of their own."""
        settings_models = []
        app_list = []
        for app in super().get_app_list(request, app_label):
            app["name"] = APP_NAMES.get(app["app_label"], app["name"])
            models = []
            for model_dict in app["models"]:
                key = (app["app_label"], model_dict["model"]._meta.model_name)
                if key in INLINE_ONLY:
                    continue
                if key in MODEL_NAMES:
                    model_dict["name"] = MODEL_NAMES[key]
                if key in SETTINGS:
                    if not self._uses_settings(request, model_dict["model"]):
                        continue
                    if app_label is None:
                        settings_models.append(model_dict)
                        continue
                models.append(model_dict)
            if models:
                app["models"] = models
                app_list.append(app)
        app_list.sort(key=lambda app: str(app["name"]).lower())
        if settings_models:
            settings_models.sort(key=lambda m: str(m["name"]).lower())
            app_list.append(
                {
                    "name": _("Settings"),
                    "app_label": SETTINGS_LABEL,
                    "app_url": reverse("admin:index", current_app=self.name) + "#einstellungen",
                    "has_module_perms": True,
                    "models": settings_models,
                }
            )
        return app_list

    def _uses_settings(self, request, model) -> bool:
        """Vocabularies are kept by coordinators; personal API tokens are listed for them too
        (everybody keeps the token URLs, see ``api.admin``)."""
        if not rules.coordinates_anything(request.user):
            return False
        if model._meta.model_name == "apitoken":
            return True
        return rules.may_change_some(request.user, model)

    def index(self, request, extra_context=None):
        from workbench.views import start_page_context

        return super().index(
            request, {**start_page_context(request, site=self), **(extra_context or {})}
        )
