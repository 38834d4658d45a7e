"""Merging duplicate entries of a managed list ("Unternehmer" into "Unternehmen").

Written against an app registry so the data migration and the admin action share it: every
link to the duplicate is moved to the entry kept, the duplicate is deleted, and each changed
row gets a row in its django-simple-history table, as an edit in the admin would leave.
"""

from django.utils import timezone

# (app label, model, M2M field to the vocabulary) whose links move on a merge.
LINKS = {
    ("actionplan", "targetgroup"): [
        ("actionplan", "Measure", "target_groups"),
        ("campaigns", "Campaign", "target_groups"),
    ],
}
# (app label, model, FK field to the vocabulary)
FOREIGN_KEYS = {
    ("actionplan", "budgetcategory"): [("actionplan", "BudgetLine", "category")],
    ("actionplan", "fundingsource"): [("actionplan", "BudgetLine", "funding_source")],
    ("funding", "fundingprogramme"): [("actionplan", "BudgetLine", "programme")],
}


def _history_row(apps, obj, *, history_type: str, reason: str, user_id=None):
    """A simple-history row for ``obj`` as it is now; None when the model keeps no history."""
    meta = obj._meta
    try:
        historical = apps.get_model(meta.app_label, f"Historical{meta.object_name}")
    except LookupError:
        return None
    kept = {field.attname for field in historical._meta.concrete_fields}
    values = {
        field.attname: getattr(obj, field.attname)
        for field in meta.concrete_fields
        if field.attname in kept  # excluded_fields are not kept
    }
    return historical.objects.create(
        **values,
        history_date=timezone.now(),
        history_type=history_type,
        history_change_reason=reason,
        history_user_id=user_id,
    )


def _m2m_history(apps, obj, history, field_name: str) -> None:
    """The M2M snapshot simple-history keeps with a history row (``m2m_fields``)."""
    meta = obj._meta
    try:
        through = apps.get_model(meta.app_label, f"Historical{meta.object_name}_{field_name}")
    except LookupError:
        return
    field = meta.get_field(field_name)
    target = field.related_model._meta.model_name
    source = meta.model_name
    rows = field.remote_field.through.objects.filter(**{f"{source}_id": obj.pk})
    for row in rows:
        through.objects.create(
            history=history,
            id=row.pk,
            **{f"{source}_id": obj.pk, f"{target}_id": getattr(row, f"{target}_id")},
        )


def vocabulary_merge(apps, duplicate, keep, *, user_id=None) -> int:
    """Move every link from ``duplicate`` to ``keep`` and delete ``duplicate``; returns the
    number of rows relinked. Both must be rows of the same model of ``apps``."""
    if duplicate.pk == keep.pk:
        return 0
    key = (duplicate._meta.app_label, duplicate._meta.model_name)
    reason = f"„{duplicate.name}“ → „{keep.name}“"
    moved = 0
    for app_label, model_name, field_name in LINKS.get(key, []):
        try:
            model = apps.get_model(app_label, model_name)
        except LookupError:
            continue
        field = model._meta.get_field(field_name)
        through = field.remote_field.through
        source = f"{model._meta.model_name}_id"
        target = f"{field.related_model._meta.model_name}_id"
        for obj in model.objects.filter(**{field_name: duplicate}).distinct():
            # On the through table, not the related manager: m2m_changed would make
            # simple-history write a row per step; one row for the whole merge is written below.
            through.objects.filter(**{source: obj.pk, target: duplicate.pk}).delete()
            through.objects.get_or_create(**{source: obj.pk, target: keep.pk})
            history = _history_row(apps, obj, history_type="~", reason=reason, user_id=user_id)
            if history is not None:
                _m2m_history(apps, obj, history, field_name)
            moved += 1
    for app_label, model_name, field_name in FOREIGN_KEYS.get(key, []):
        model = apps.get_model(app_label, model_name)
        for obj in model.objects.filter(**{field_name: duplicate}):
            setattr(obj, field_name, keep)
            obj._change_reason = reason  # a live model: simple-history records the save
            obj.save(update_fields=[field_name])
            if not hasattr(type(obj), "history"):
                _history_row(apps, obj, history_type="~", reason=reason, user_id=user_id)
            moved += 1
    if hasattr(type(duplicate), "history"):  # a live model: simple-history records the delete
        duplicate._change_reason = reason
    else:  # a migration's model: no signals, so the history row is written here
        _history_row(apps, duplicate, history_type="-", reason=reason, user_id=user_id)
    duplicate.delete()
    return moved


# Duplicates in the demo data as loaded before they were merged: (model, duplicate, kept).
DEMO_DUPLICATES = [("TargetGroup", "Unternehmer", "Unternehmen")]


def merge_demo_duplicates(apps, schema_editor=None) -> None:
    """The data migration: merge the demo data's duplicates where both entries exist."""
    for model_name, duplicate_name, keep_name in DEMO_DUPLICATES:
        model = apps.get_model("actionplan", model_name)
        duplicate = model.objects.filter(name=duplicate_name).first()
        keep = model.objects.filter(name=keep_name).first()
        if duplicate is not None and keep is not None:
            vocabulary_merge(apps, duplicate, keep)
