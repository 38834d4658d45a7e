from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TwofactorConfig(AppConfig):
    name = "twofactor"
    verbose_name = _("two-factor authentication")

    def ready(self):
        from . import signals  # noqa: F401
