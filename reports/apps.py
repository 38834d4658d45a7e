from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("status reports")

    def ready(self):
        # the report is one more kind of the documents app's renderer
        from . import document  # noqa: F401
