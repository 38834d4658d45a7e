from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HistoryConfig(AppConfig):
    name = "history"
    verbose_name = _("change history")

    def ready(self):
        from simple_history.signals import pre_create_historical_record

        from .services import fill_change_reason

        pre_create_historical_record.connect(fill_change_reason, dispatch_uid="history-reason")
