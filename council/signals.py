"""A changed council paper or consultation moves its plan's stamp (the public pages' cache)."""

from django.db.models.signals import post_delete, post_save

from .models import Consultation, CouncilPaper


def _plan_id(instance):
    if isinstance(instance, Consultation):
        return (
            CouncilPaper.objects.filter(pk=instance.paper_id)
            .values_list("plan_id", flat=True)
            .first()
        )
    return instance.plan_id


def changed(sender, instance, raw=False, origin=None, **kwargs):
    from actionplan.models import FieldOfAction, Measure, Plan
    from actionplan.signals import plan_touch

    if raw or isinstance(origin, Plan | FieldOfAction | Measure):
        return  # the owner's own deletion stamps the plan
    plan_id = _plan_id(instance)
    if plan_id is not None:
        plan_touch(Plan.objects.filter(pk=plan_id))


def connect() -> None:
    for model in (CouncilPaper, Consultation):
        uid = f"council_touch_{model._meta.model_name}"
        post_save.connect(changed, sender=model, dispatch_uid=uid + "_save")
        post_delete.connect(changed, sender=model, dispatch_uid=uid + "_delete")
