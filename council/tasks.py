"""Refreshing council papers from OParl on the background queue (django-tasks)."""

from django_tasks import task

from . import services


@task()
def refresh_council_papers(paper_ids: list[int] | None = None) -> dict:
    """Idempotent: a refresh reads the endpoint again and writes only what changed."""
    return services.council_papers_refresh(paper_ids=paper_ids)
