from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccessConfig(AppConfig):
    name = "access"
    verbose_name = _("access and audit")

    def ready(self):
        from django.contrib.admin.filters import FieldListFilter

        from . import signals
        from .admin import ChoosableRelatedFieldListFilter

        signals.connect()
        FieldListFilter.register(
            lambda f: f.remote_field, ChoosableRelatedFieldListFilter, take_priority=True
        )
