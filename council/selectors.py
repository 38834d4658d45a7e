"""Reads of council papers: for pages, and from the plan's JSON document (a version)."""

from django.db.models import Prefetch

from access import rules

from .models import Consultation, CouncilPaper


def council_papers_prefetch(*, plan_level: bool = False) -> Prefetch:
    """A plan's own council papers (as ``plan_council_papers``) or a measure's
    (``council_papers``), by date and reference, with their consultations."""
    papers = CouncilPaper.objects.order_by("date", "reference", "pk").prefetch_related(
        Prefetch("consultations", queryset=Consultation.objects.order_by("date", "pk"))
    )
    if plan_level:
        return Prefetch(
            "council_papers",
            queryset=papers.filter(measure__isnull=True),
            to_attr="plan_council_papers",
        )
    return Prefetch("council_papers", queryset=papers)


def papers_of(owner, user) -> list[CouncilPaper]:
    """The council papers of a plan (its own, not its measures') or a measure that the user may
    see, with their consultations (two queries)."""
    from actionplan.models import Plan

    papers = (
        CouncilPaper.objects.filter(plan=owner, measure__isnull=True)
        if isinstance(owner, Plan)
        else CouncilPaper.objects.filter(measure=owner)
    )
    papers = rules.visible_council_papers(user, papers).prefetch_related(
        Prefetch("consultations", queryset=Consultation.objects.order_by("date", "pk"))
    )
    return list(papers)


def council_papers(document: dict) -> list[tuple[str | None, dict]]:
    """Every council paper of a plan's JSON document (``actionplan.export``), as
    ``(owner key, paper)``: ``None`` for the plan's own papers, ``"<field slug>/<measure
    slug>"`` for a measure's; in the document's order. Works for a dated version's snapshot
    as for the plan now; a document without the key yields nothing."""
    plan = document.get("plan") or {}
    rows = [(None, paper) for paper in plan.get("council_papers") or []]
    for field in plan.get("fields") or []:
        for measure in field.get("measures") or []:
            key = f"{field.get('slug')}/{measure.get('slug')}"
            rows += [(key, paper) for paper in measure.get("council_papers") or []]
    return rows
