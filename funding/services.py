"""Writes of the funding app."""

from django.db import transaction

from actionplan.models import BudgetLine, FieldOfAction, Measure, Plan

from .models import FundingProgramme


@transaction.atomic
def plan_funding_fill_in(*, plan: Plan, document: dict, acting_user=None) -> int:
    """Give the plan's budget lines the programme and kind of cost the plan document names
    for them, where the stored line has none yet (a plan loaded before lines had them, e.g.
    the demo plan). Lines are matched by field slug, measure slug and position; nothing that
    is stored is overwritten, so a second run changes nothing. Returns the lines changed."""
    specs = {p["key"]: p for p in document["plan"].get("funding_programmes") or []}
    wanted = {}
    for fld in document["plan"]["fields"]:
        field_slug = fld.get("slug") or FieldOfAction.slug_for(fld["title"])
        for spec in fld["measures"]:
            slug = spec.get("slug") or Measure.slug_for(spec.get("code") or "", spec["title"])
            for position, line in enumerate(spec.get("budget") or [], start=1):
                if line.get("programme") or line.get("kind"):
                    wanted[(field_slug, slug, position)] = line
    changed = 0
    lines = BudgetLine.objects.filter(measure__field__plan=plan).select_related("measure__field")
    for stored in lines.filter(programme__isnull=True, kind=""):
        line = wanted.get((stored.measure.field.slug, stored.measure.slug, stored.position))
        if line is None:
            continue
        key = line.get("programme")
        if key:
            spec = specs[key]
            stored.programme, _created = FundingProgramme.objects.get_or_create(
                key=key,
                defaults={
                    "name": spec["name"],
                    "level": spec["level"],
                    "fund": spec.get("fund") or "",
                    "period": spec.get("period") or "",
                },
            )
        stored.kind = line.get("kind") or ""
        stored._history_user = acting_user
        stored._change_reason = "Förderprogramm aus den Demodaten ergänzt"
        stored.full_clean()
        stored.save()
        changed += 1
    return changed
