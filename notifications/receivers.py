"""From the review workflow to the task queue: each step becomes one notification job."""

import logging
import uuid

from .models import Kind

logger = logging.getLogger(__name__)


def workflow_event_received(sender, *, kind, measure, actor=None, comment="", pending=None, **kw):
    """Enqueue the e-mails for a step of ``actionplan.services.measure_workflow_event`` (sent
    after the commit). A queue that cannot take the job is logged: the step itself stands."""
    from . import tasks

    if kind not in Kind.values:
        return
    try:
        tasks.send_workflow_notification.enqueue(
            event_id=str(uuid.uuid4()),
            kind=kind,
            measure_id=measure.pk,
            actor_id=getattr(actor, "pk", None),
            comment=comment or "",
            pending_model=pending._meta.label if pending is not None else "",
            pending_id=str(pending.pk) if pending is not None else "",
        )
    except Exception:
        logger.exception("Could not enqueue the %s notification of measure %s", kind, measure.pk)


def connect() -> None:
    """Called from ``NotificationsConfig.ready()``."""
    from actionplan.services import measure_workflow_event

    measure_workflow_event.connect(
        workflow_event_received, dispatch_uid="planwerk_notifications_workflow"
    )
