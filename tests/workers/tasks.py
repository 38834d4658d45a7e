"""Tiny tasks for the worker tests. Each run leaves a row whose name is unique (auth.Group), so
a second run of the same job fails instead of passing unnoticed."""

import time
from pathlib import Path

from django.contrib.auth.models import Group
from django_tasks import task


@task()
def record_run(label: str) -> str:
    Group.objects.create(name=label)
    return label


@task(takes_context=True)
def record_after_pause_on_first_attempt(context, label: str, started_file: str) -> int:
    """Signals through ``started_file`` that it runs, then waits on the first attempt only
    (the test kills that worker meanwhile)."""
    # written whole, then renamed: the test waits for the file and must never read it empty
    partial = Path(f"{started_file}.partial")
    partial.write_text(context.task_result.worker_ids[-1])
    partial.replace(started_file)
    if context.attempt == 1:
        time.sleep(120)
    Group.objects.create(name=label)
    return context.attempt


@task()
def hang(label: str) -> None:
    time.sleep(120)
    Group.objects.create(name=label)


@task()
def record_after_pause(label: str, started_file: str, seconds: float) -> str:
    """Signals through ``started_file`` that it runs, pauses (the test drops the database
    connection meanwhile), then writes."""
    Path(started_file).write_text("started")
    time.sleep(seconds)
    Group.objects.create(name=label)
    return label
