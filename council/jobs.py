"""Enqueue a refresh (views, admin and signals call this; services never import tasks)."""

from django.db import transaction

from . import oparl


def enqueue_refresh(papers) -> int:
    """After the transaction commits, refresh those of ``papers`` whose plan's region has an
    OParl endpoint; returns how many were queued."""
    ids = [p.pk for p in papers if oparl.endpoint_for(p.plan.region) is not None]
    if ids:
        from .tasks import refresh_council_papers

        transaction.on_commit(lambda: refresh_council_papers.enqueue(ids))
    return len(ids)
