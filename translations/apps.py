from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TranslationsConfig(AppConfig):
    name = "translations"
    verbose_name = _("content translation")

    def ready(self):
        from django.db.models.signals import pre_save

        from . import registry, services

        for model in registry.models():
            pre_save.connect(
                services.record_translation_state,
                sender=model,
                dispatch_uid=f"translation-state-{model._meta.label}",
            )
