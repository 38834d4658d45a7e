"""Notification e-mails on the background queue (django-tasks; ``manage.py task_worker``)."""

import uuid

from django.apps import apps
from django.contrib.auth import get_user_model
from django_tasks import task

from . import services


@task()
def send_workflow_notification(
    event_id: str,
    kind: str,
    measure_id: int,
    actor_id: int | None = None,
    comment: str = "",
    pending_model: str = "",
    pending_id: str = "",
) -> dict:
    """Mail the people who should hear of one step of the review workflow. Idempotent per event:
    a retried run mails nobody twice."""
    from actionplan.models import Measure

    measure = Measure.objects.select_related("field__plan").filter(pk=measure_id).first()
    if measure is None:  # deleted in the meantime: nothing left to tell of
        return {"event": event_id, "sent": 0, "failed": 0}
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    pending = None
    if pending_model and pending_id:
        pending = apps.get_model(pending_model)._default_manager.filter(pk=pending_id).first()
    event = services.Event(
        id=uuid.UUID(event_id),
        kind=kind,
        measure=measure,
        actor=actor,
        comment=comment,
        pending=pending,
    )
    result = services.notifications_send(event)
    return {"event": event_id, "sent": len(result.sent), "failed": len(result.failed)}
