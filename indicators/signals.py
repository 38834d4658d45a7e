"""An indicator's change is a change of its plan: move ``Plan.content_changed_at`` (the key of
the public pages' cache and of the PDF cache, actionplan/signals.py)."""

from django.db.models.signals import post_delete, post_save

from actionplan.models import Plan
from actionplan.signals import plan_touch

from .models import Indicator, IndicatorLink, IndicatorTarget, IndicatorValue


def _plan_id(instance):
    if isinstance(instance, Indicator):
        return instance.plan_id
    return Indicator.objects.filter(pk=instance.indicator_id).values_list("plan_id", flat=True)


def indicator_changed(sender, instance, raw=False, **kwargs):
    if raw:
        return
    plan_id = _plan_id(instance)
    plan_touch(Plan.objects.filter(pk__in=[plan_id] if isinstance(plan_id, int) else plan_id))


def connect() -> None:
    for model in (Indicator, IndicatorTarget, IndicatorValue, IndicatorLink):
        uid = f"planwerk_touch_{model._meta.label_lower}"
        post_save.connect(indicator_changed, sender=model, dispatch_uid=uid + "_save")
        post_delete.connect(indicator_changed, sender=model, dispatch_uid=uid + "_delete")
