"""Imports serialize per plan (issue 19, item 7): two coordinators confirm workbooks made from
the same preview at the same moment; exactly one applies, the other waits for the plan, finds
it changed since its preview and is refused, with nothing of it written.

Real concurrency needs two database connections holding locks: PostgreSQL, two threads.
"""

import threading

import pytest
from django.db import connection, connections, transaction

from actionplan import models as ap
from imports import plan_workbook as wb
from imports.plan_import import PlanImportError, stale_message
from tests.factories import build_plan
from tests.imports.plan_support import column, open_xlsx, save_xlsx

pytestmark = pytest.mark.django_db(transaction=True)
PATIENCE = 60  # seconds: an upper bound for waiting on a thread, not a timing


def _retitled(plan, title: str) -> bytes:
    book = open_xlsx(wb.plan_workbook_xlsx(plan))
    sheet = book["Maßnahmen"]
    sheet.cell(row=2, column=column(sheet, "Titel")).value = title
    return save_xlsx(book)


def test_second_confirmation_from_the_same_preview_is_refused():
    if connection.vendor != "postgresql":
        pytest.skip("two connections holding row locks: PostgreSQL (scripts/with-postgres.sh)")
    plan = build_plan(fields=1, measures_per_field=2, steps_per_measure=1, slug="parallel")
    fingerprint = wb.plan_workbook_fingerprint(plan)
    first_book, second_book = _retitled(plan, "Von Anna"), _retitled(plan, "Von Bernd")
    first_applied, release_first = threading.Event(), threading.Event()
    outcome = {}

    def confirm(name, content, hold=None):
        try:
            with transaction.atomic():
                result = wb.plan_workbook_import(
                    plan=ap.Plan.objects.get(pk=plan.pk),
                    content=content,
                    file_name=f"{name}.xlsx",
                    acting_user=None,
                    dry_run=False,
                    expected_fingerprint=fingerprint,
                )
                if hold is not None:
                    first_applied.set()
                    hold.wait(PATIENCE)  # the first import is written, not yet committed
            outcome[name] = len(result.changes)
        except PlanImportError as refused:
            outcome[name] = [p.message for p in refused.problems]
        finally:
            connections.close_all()

    anna = threading.Thread(target=confirm, args=("anna", first_book, release_first))
    anna.start()
    assert first_applied.wait(PATIENCE)
    bernd = threading.Thread(target=confirm, args=("bernd", second_book))
    bernd.start()
    bernd.join(1.0)
    assert bernd.is_alive(), "the second confirmation waits for the plan"
    release_first.set()
    anna.join(PATIENCE)
    bernd.join(PATIENCE)

    assert outcome["anna"] >= 1
    assert outcome["bernd"] == [stale_message()]
    titles = set(ap.Measure.objects.filter(field__plan=plan).values_list("title", flat=True))
    assert "Von Anna" in titles and "Von Bernd" not in titles
    assert not ap.Measure.history.filter(title="Von Bernd").exists()
