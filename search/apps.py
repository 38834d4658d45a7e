from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = _("site search")

    def ready(self):
        from . import checks, lookups  # noqa: F401 - checks registers the database check

        lookups.install()
