from axes.apps import AppConfig as AxesAppConfig
from django.contrib.admin import options
from django.contrib.admin.apps import AdminConfig
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_tasks_db.apps import TasksAppConfig


class PlanwerkAdminConfig(AdminConfig):
    """The admin with project-wide form defaults, set before the admins are discovered, on the
    access-checked site of ``access.sites``."""

    default_site = "access.sites.PlanwerkAdminSite"

    def ready(self):
        # Django 6 makes https the default scheme of URL form fields; opt in for every admin now.
        options.FORMFIELD_FOR_DBFIELD_DEFAULTS[models.URLField] = {
            **options.FORMFIELD_FOR_DBFIELD_DEFAULTS[models.URLField],
            "assume_scheme": "https",
        }
        super().ready()


class PlanwerkAxesConfig(AxesAppConfig):
    """django-axes under a name a clerk reads in the admin ("Axes" says nothing)."""

    verbose_name = _("login protection")


class PlanwerkTasksDatabaseConfig(TasksAppConfig):
    """django-tasks' database backend under a readable name ("Tasks Database Backend")."""

    verbose_name = _("background tasks")
