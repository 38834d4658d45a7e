"""A document's file leaves the storage with the document (also when its owner is deleted:
the cascade sends ``post_delete`` for every attachment), once the deletion is committed; the
owner's public pages are marked as changed."""

import logging

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from .models import Attachment

logger = logging.getLogger(__name__)


def delete_file(storage, name: str) -> None:
    try:
        storage.delete(name)
    except OSError:
        # a file already gone is fine; anything else is logged, the deletion stands
        logger.warning("Could not delete the attachment file %s", name, exc_info=True)


def attachment_deleted(sender, instance, origin=None, **kwargs):
    if instance.file and instance.file.name:
        storage, name = instance.file.storage, instance.file.name
        transaction.on_commit(lambda: delete_file(storage, name))
    touch_owner(instance, origin=origin)


def attachment_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        touch_owner(instance)


def touch_owner(instance, origin=None) -> None:
    """Move the stamp of the plan (or the campaigns) the document's pages belong to."""
    from actionplan.models import FieldOfAction, Measure, Plan
    from actionplan.signals import plan_touch
    from campaigns.signals import campaigns_touch

    if isinstance(origin, Plan | FieldOfAction | Measure) and origin is not instance:
        return  # the owner's own deletion stamps the plan
    if instance.campaign_id is not None:
        campaigns_touch()
        return
    plans = Plan.objects.none()
    if instance.plan_id is not None:
        plans = Plan.objects.filter(pk=instance.plan_id)
    elif instance.field_id is not None:
        plans = Plan.objects.filter(fields__pk=instance.field_id)
    elif instance.measure_id is not None:
        plans = Plan.objects.filter(fields__measures__pk=instance.measure_id)
    plan_touch(Plan.objects.filter(pk__in=plans.values("pk")))


def connect() -> None:
    post_delete.connect(attachment_deleted, sender=Attachment, dispatch_uid="attachments_deleted")
    post_save.connect(attachment_saved, sender=Attachment, dispatch_uid="attachments_saved")
