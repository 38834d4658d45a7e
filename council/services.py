"""Writes of council papers: refreshing them from OParl, and the plan document's round trip."""

import datetime
import logging

from django.db import transaction
from django.utils import timezone

from . import oparl
from .models import Consultation, CouncilPaper

logger = logging.getLogger(__name__)


def council_paper_refresh(*, paper: CouncilPaper) -> bool:
    """Resolve ``paper`` at the OParl endpoint of its plan's region and take over its title,
    date, body, web address and consultations. Returns whether it was refreshed.

    A failing endpoint (timeout, error status, bad JSON, paper not found) changes nothing of
    the stored paper and its consultations; it records the failure in ``last_error`` (shown in
    the admin) and the time in ``last_checked_at``. Without an endpoint nothing happens."""
    plan = paper.plan
    endpoint = oparl.endpoint_for(plan.region)
    if endpoint is None:
        return False
    now = timezone.now()
    try:
        resolved = oparl.resolve(
            endpoint, reference=paper.reference, region=plan.region, oparl_id=paper.oparl_id
        )
    except oparl.OParlError as exc:
        logger.warning("Council paper %s (plan %s): %s", paper.reference, plan.pk, exc)
        CouncilPaper.objects.filter(pk=paper.pk).update(
            last_checked_at=now, last_error=str(exc)[:2000]
        )
        paper.last_checked_at, paper.last_error = now, str(exc)[:2000]
        return False
    _apply(paper, resolved, now)
    return True


@transaction.atomic
def _apply(paper: CouncilPaper, resolved: oparl.ResolvedPaper, now) -> None:
    paper = CouncilPaper.objects.select_for_update().get(pk=paper.pk)
    wanted = {
        "oparl_id": resolved.oparl_id[:500],
        "title": resolved.title or paper.title,
        "date": resolved.date or paper.date,
        "body": resolved.body or paper.body,
        "url": resolved.url or paper.url,
    }
    changed = [name for name, value in wanted.items() if getattr(paper, name) != value]
    for name, value in wanted.items():
        setattr(paper, name, value)
    paper.last_checked_at, paper.last_error = now, ""
    if changed:
        paper._change_reason = "OParl"
        paper.save()
    else:
        CouncilPaper.objects.filter(pk=paper.pk).update(last_checked_at=now, last_error="")
    _replace_consultations(paper, resolved.consultations)


def _replace_consultations(paper, resolved) -> None:
    """Keep rows that did not change (no history noise), add and remove the others."""
    current = list(paper.consultations.all())
    key = lambda c: (c.date, c.committee, c.result, c.oparl_id)  # noqa: E731
    wanted = [key(c) for c in resolved]
    keep = []
    for row in current:
        if key(row) in wanted and key(row) not in keep:
            keep.append(key(row))
        else:
            row.delete()
    for date, committee, result, oparl_id in wanted:
        if (date, committee, result, oparl_id) in keep:
            keep.remove((date, committee, result, oparl_id))
            continue
        Consultation.objects.create(
            paper=paper, date=date, committee=committee or "–", result=result, oparl_id=oparl_id
        )


def council_papers_refresh(*, paper_ids=None) -> dict:
    """Refresh the given papers (all of plans with an endpoint when None)."""
    papers = CouncilPaper.objects.select_related("plan").order_by("pk")
    if paper_ids is not None:
        papers = papers.filter(pk__in=paper_ids)
    refreshed = failed = 0
    for paper in papers:
        if oparl.endpoint_for(paper.plan.region) is None:
            continue
        if council_paper_refresh(paper=paper):
            refreshed += 1
        else:
            failed += 1
    return {"refreshed": refreshed, "failed": failed}


# --- the plan document (actionplan/export.py, imports/plan_extras.py) --------------------------


def paper_entry(paper: CouncilPaper) -> dict:
    """A paper as the plan's JSON document holds it (see docs/round-trip.md)."""
    return {
        "reference": paper.reference,
        "title": paper.title,
        "date": paper.date.isoformat() if paper.date else None,
        "body": paper.body,
        "url": paper.url,
        "consultations": [
            {
                "date": c.date.isoformat() if c.date else None,
                "committee": c.committee,
                "result": c.result,
            }
            for c in paper.consultations.all()
        ],
    }


def validate_entries(value, path: str) -> list[tuple[str, str]]:
    """Problems of a document's ``council_papers`` list, as ``(path, message)``."""
    from django.utils.translation import gettext as _

    if not isinstance(value, list):
        return [(path, _("Expected a list."))]
    problems, seen = [], set()
    for i, entry in enumerate(value):
        where = f"{path}[{i}]"
        if not isinstance(entry, dict):
            problems.append((where, _("Expected an object.")))
            continue
        unknown = set(entry) - {"reference", "title", "date", "body", "url", "consultations"}
        if unknown:
            problems.append(
                (where, _("Unknown keys: %(keys)s") % {"keys": ", ".join(sorted(unknown))})
            )
        reference = entry.get("reference")
        if not isinstance(reference, str) or not reference.strip():
            problems.append((f"{where}.reference", _("A reference is required.")))
        elif reference.strip() in seen:
            problems.append((f"{where}.reference", _("This paper is listed twice.")))
        else:
            seen.add(reference.strip())
        for name in ("title", "body", "url"):
            if not isinstance(entry.get(name, ""), str):
                problems.append((f"{where}.{name}", _("Expected text.")))
        if not _is_date(entry.get("date")):
            problems.append((f"{where}.date", _("Expected a date (YYYY-MM-DD) or null.")))
        consultations = entry.get("consultations", [])
        if not isinstance(consultations, list):
            problems.append((f"{where}.consultations", _("Expected a list.")))
            continue
        for j, c in enumerate(consultations):
            cwhere = f"{where}.consultations[{j}]"
            if not isinstance(c, dict) or set(c) - {"date", "committee", "result"}:
                problems.append((cwhere, _("Expected an object with date, committee, result.")))
                continue
            if not isinstance(c.get("committee"), str) or not c["committee"].strip():
                problems.append((f"{cwhere}.committee", _("A committee is required.")))
            if not isinstance(c.get("result", ""), str):
                problems.append((f"{cwhere}.result", _("Expected text.")))
            if not _is_date(c.get("date")):
                problems.append((f"{cwhere}.date", _("Expected a date (YYYY-MM-DD) or null.")))
    return problems


def _is_date(value) -> bool:
    if value is None:
        return True
    if not isinstance(value, str):
        return False
    try:
        datetime.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _paper_values(entry: dict) -> dict:
    date = entry.get("date")
    return {
        "title": (entry.get("title") or "").strip(),
        "date": datetime.date.fromisoformat(date) if date else None,
        "body": (entry.get("body") or "").strip(),
        "url": (entry.get("url") or "").strip(),
    }


def _consultation_rows(entry: dict) -> list[tuple]:
    return [
        (
            datetime.date.fromisoformat(c["date"]) if c.get("date") else None,
            c["committee"].strip(),
            (c.get("result") or "").strip(),
        )
        for c in entry.get("consultations") or []
    ]


def council_papers_sync(*, plan, owners: dict, reason: str) -> list:
    """Bring the council papers of the given owners to the document's state.

    ``owners``: ``None`` (the plan's own papers) or a ``Measure`` → the list of paper entries
    the document holds for it (``paper_entry``'s shape). An owner not given keeps its papers
    (an old document without the key). Unchanged papers are not saved (no history row); the
    changes are returned as ``imports.changes.Change`` rows for the import's report."""
    from django.utils.encoding import force_str

    from imports.changes import Change

    kind_name = force_str(CouncilPaper._meta.verbose_name)
    changes = []
    for owner, entries in owners.items():
        stored_qs = (
            CouncilPaper.objects.filter(plan=plan, measure__isnull=True)
            if owner is None
            else CouncilPaper.objects.filter(measure=owner)
        )
        stored = {p.reference: p for p in stored_qs.prefetch_related("consultations")}
        prefix = "" if owner is None else f"{owner.field.slug}/{owner.slug}: "
        for entry in entries:
            reference = entry["reference"].strip()
            values = _paper_values(entry)
            rows = _consultation_rows(entry)
            paper = stored.pop(reference, None)
            label = f"{prefix}{reference}"
            if paper is None:
                paper = CouncilPaper(plan=plan, measure=owner, reference=reference, **values)
                paper._change_reason = reason
                paper.save()
                changes.append(Change("new", "councilpaper", label, kind_name=kind_name))
            else:
                diffs = [
                    (name, str(getattr(paper, name) or ""), str(value or ""))
                    for name, value in values.items()
                    if getattr(paper, name) != value
                ]
                current = [(c.date, c.committee, c.result) for c in paper.consultations.all()]
                if current != rows:
                    diffs.append(("consultations", str(len(current)), str(len(rows))))
                if diffs:
                    changes.append(
                        Change("changed", "councilpaper", label, diffs, kind_name=kind_name)
                    )
                if any(name != "consultations" for name, *_ in diffs):
                    for name, value in values.items():
                        setattr(paper, name, value)
                    paper._change_reason = reason
                    paper.save()
                if current == rows:
                    continue
                for consultation in paper.consultations.all():
                    consultation._change_reason = reason
                    consultation.delete()
            for date, committee, result in rows:
                consultation = Consultation(
                    paper=paper, date=date, committee=committee, result=result
                )
                consultation._change_reason = reason
                consultation.save()
        for paper in stored.values():
            paper._change_reason = reason
            paper.delete()
            changes.append(
                Change("deleted", "councilpaper", f"{prefix}{paper.reference}", kind_name=kind_name)
            )
    return changes
