"""Keep ``Plan.content_changed_at`` current: it keys the PDF cache (documents/services.py);
and ``Measure.status_reported_at``, the day a measure's status, steps or schedule last changed.

Every save or delete of the plan, its children and the shared records a document prints
(people, organisations, target groups, budget categories, funding sources) moves the stamp
with a single ``UPDATE`` (no history row, no further signals).

``bulk_create``, ``bulk_update``, ``QuerySet.update()`` and ``QuerySet.delete()`` of
M2M-through rows send no signals: code that writes through them must call
``plan_touch(plan)`` afterwards (``tests.factories.build_plan`` is such a path).
"""

from django.db.models import Q
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.utils import timezone

from contacts.models import Organisation, Person
from funding.models import FundingProgramme

from . import public_cache
from .models import (
    BaselineFinding,
    BudgetCategory,
    BudgetLine,
    FieldContact,
    FieldOfAction,
    FundingSource,
    Measure,
    Plan,
    Responsibility,
    ScheduleEntry,
    Step,
    TargetGroup,
)


def _stamp(plans) -> int:
    """The one place that writes ``content_changed_at``: the public pages' remembered stamps
    are forgotten at once and again when the transaction commits (public_cache.stamps_moved)."""
    count = plans.update(content_changed_at=timezone.now())
    public_cache.stamps_moved_by_change()
    return count


def plan_touch(plan_or_queryset) -> int:
    """Mark the plan(s) as changed now; returns the number of plans touched."""
    if isinstance(plan_or_queryset, Plan):
        plans = Plan.objects.filter(pk=plan_or_queryset.pk)
        plan_or_queryset.content_changed_at = timezone.now()
    else:
        plans = plan_or_queryset
    return _stamp(plans)


# Which plans a changed record belongs to, as a filter on Plan.
PLAN_LOOKUPS = {
    FieldOfAction: lambda obj: Q(pk=obj.plan_id),
    BaselineFinding: lambda obj: Q(fields__pk=obj.field_id),
    FieldContact: lambda obj: Q(fields__pk=obj.field_id),
    Measure: lambda obj: Q(fields__pk=obj.field_id),
    Step: lambda obj: Q(fields__measures__pk=obj.measure_id),
    ScheduleEntry: lambda obj: Q(fields__measures__pk=obj.measure_id),
    Responsibility: lambda obj: Q(fields__measures__pk=obj.measure_id),
    BudgetLine: lambda obj: Q(fields__measures__pk=obj.measure_id),
    TargetGroup: lambda obj: Q(fields__measures__target_groups__pk=obj.pk),
    BudgetCategory: lambda obj: Q(fields__measures__budget_lines__category_id=obj.pk),
    FundingSource: lambda obj: Q(fields__measures__budget_lines__funding_source_id=obj.pk),
    FundingProgramme: lambda obj: Q(fields__measures__budget_lines__programme_id=obj.pk),
    Person: lambda obj: (
        Q(project_lead_id=obj.pk)
        | Q(fields__field_contacts__person_id=obj.pk)
        | Q(fields__measures__responsibilities__person_id=obj.pk)
    ),
    Organisation: lambda obj: (
        Q(author_organisation_id=obj.pk)
        | Q(project_lead__organisation_id=obj.pk)
        | Q(fields__lead_organisation_id=obj.pk)
        | Q(fields__field_contacts__person__organisation_id=obj.pk)
        | Q(fields__measures__responsibilities__organisation_id=obj.pk)
        | Q(fields__measures__responsibilities__person__organisation_id=obj.pk)
        | Q(project_lead__organisation__parent_id=obj.pk)
        | Q(fields__lead_organisation__parent_id=obj.pk)
        | Q(fields__field_contacts__person__organisation__parent_id=obj.pk)
        | Q(fields__measures__responsibilities__organisation__parent_id=obj.pk)
    ),
}


def _touch_for(instance) -> None:
    condition = PLAN_LOOKUPS[type(instance)](instance)
    ids = Plan.objects.filter(condition).values("pk")
    _stamp(Plan.objects.filter(pk__in=ids))


def plan_pre_save(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or (update_fields is not None and "content_changed_at" in update_fields):
        return
    instance.content_changed_at = timezone.now()


def plan_post_save(sender, instance, raw=False, update_fields=None, **kwargs):
    # save(update_fields=[...]) does not write the stamp set in pre_save.
    if raw:
        return
    if update_fields is not None and "content_changed_at" not in update_fields:
        Plan.objects.filter(pk=instance.pk).update(content_changed_at=instance.content_changed_at)
    public_cache.stamps_moved_by_change()


def plan_deleted(sender, instance, **kwargs):
    # No stamp left to move, but a remembered one must not keep serving the deleted plan.
    public_cache.stamps_moved_by_change()


def child_saved(sender, instance, **kwargs):
    _touch_for(instance)


def child_deleted(sender, instance, origin=None, **kwargs):
    # A cascade from a plan deletion has nothing left to touch. A cascade from one field or
    # measure touches through that origin (still joined to its plan), once, not once per
    # deleted step.
    if isinstance(origin, Plan):
        return
    target = origin if type(origin) in PLAN_LOOKUPS else instance
    if getattr(target, "_plan_touched", False):
        return
    target._plan_touched = True
    _touch_for(target)


def shared_pre_delete(sender, instance, **kwargs):
    # After the delete the joins are gone (target groups cascade away silently).
    _touch_for(instance)


def measure_m2m_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in {"post_add", "post_remove", "post_clear", "pre_clear"}:
        return
    if action == "pre_clear" and not reverse:
        return
    if not reverse:
        _touch_for(instance)
        return
    # Reverse side: ``instance`` is a target group (or the other measure); pk_set are
    # measures, except for pre_clear, where they are still joined to ``instance``.
    if action == "pre_clear":
        _touch_for(instance)
    elif pk_set:
        ids = Plan.objects.filter(fields__measures__pk__in=pk_set).values("pk")
        _stamp(Plan.objects.filter(pk__in=ids))


CHILD_MODELS = [
    FieldOfAction,
    BaselineFinding,
    FieldContact,
    Measure,
    Step,
    ScheduleEntry,
    Responsibility,
    BudgetLine,
]
SHARED_MODELS = [
    TargetGroup,
    BudgetCategory,
    FundingSource,
    FundingProgramme,
    Person,
    Organisation,
]


def measure_status_pre_save(sender, instance, raw=False, **kwargs):
    """A changed implementation status is a report: ``status_reported_at`` becomes today.
    A new measure has reported nothing yet (loading a plan is not a report)."""
    if raw or instance.pk is None:
        return
    stored = Measure.objects.filter(pk=instance.pk).values_list("status", flat=True).first()
    if stored is not None and stored != instance.status:
        instance.status_reported_at = timezone.localdate()
        instance._status_reported = True


def measure_status_post_save(sender, instance, raw=False, update_fields=None, **kwargs):
    # save(update_fields=["status"]) does not write the date set in pre_save.
    if instance.__dict__.pop("_status_reported", False) and (
        update_fields is not None and "status_reported_at" not in update_fields
    ):
        Measure.objects.filter(pk=instance.pk).update(
            status_reported_at=instance.status_reported_at
        )


def measure_work_changed(sender, instance, raw=False, created=False, **kwargs):
    """A changed or removed step or schedule entry reports on its measure (one ``UPDATE``, no
    history row); rows created with their measure (an import, the demo data) do not."""
    if raw or created:
        return
    Measure.objects.filter(pk=instance.measure_id).update(status_reported_at=timezone.localdate())


def connect() -> None:
    """Called from ``ActionplanConfig.ready()``."""
    pre_save.connect(plan_pre_save, sender=Plan, dispatch_uid="planwerk_plan_pre_save")
    post_save.connect(plan_post_save, sender=Plan, dispatch_uid="planwerk_plan_post_save")
    post_delete.connect(plan_deleted, sender=Plan, dispatch_uid="planwerk_plan_post_delete")
    for model in CHILD_MODELS:
        uid = f"planwerk_touch_{model._meta.label_lower}"
        post_save.connect(child_saved, sender=model, dispatch_uid=uid + "_save")
        post_delete.connect(child_deleted, sender=model, dispatch_uid=uid + "_delete")
    for model in SHARED_MODELS:
        uid = f"planwerk_touch_{model._meta.label_lower}"
        post_save.connect(child_saved, sender=model, dispatch_uid=uid + "_save")
        pre_delete.connect(shared_pre_delete, sender=model, dispatch_uid=uid + "_delete")
    for through in (Measure.target_groups.through, Measure.related_measures.through):
        m2m_changed.connect(
            measure_m2m_changed,
            sender=through,
            dispatch_uid=f"planwerk_touch_m2m_{through._meta.label_lower}",
        )
    pre_save.connect(measure_status_pre_save, sender=Measure, dispatch_uid="planwerk_status_pre")
    post_save.connect(measure_status_post_save, sender=Measure, dispatch_uid="planwerk_status_post")
    for model in (Step, ScheduleEntry):
        uid = f"planwerk_report_{model._meta.label_lower}"
        post_save.connect(measure_work_changed, sender=model, dispatch_uid=uid + "_save")
        post_delete.connect(measure_work_changed, sender=model, dispatch_uid=uid + "_delete")
