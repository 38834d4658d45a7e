"""The whole-plan JSON document on the one importer path: dry runs, diffs, deletions."""

import pytest

from actionplan import models as ap
from imports.plan_document import plan_document_import
from imports.plan_extras import kind_label
from tests.imports.plan_support import history_count, leipzig_document, snapshot

pytestmark = pytest.mark.django_db


def test_dry_run_of_a_new_plan_reports_only_new_rows_and_writes_nothing():
    result = plan_document_import(data=leipzig_document(), dry_run=True)
    counts = result.counts
    assert counts["changed"] == 0 and counts["deleted"] == 0
    # plan, 5 fields, 10 measures, 46 steps, 25 schedule entries, ... and the contacts
    assert counts["new"] > 100
    assert result.plan is None
    assert not ap.Plan.objects.exists() and history_count() == 0


def test_document_changes_are_reported_old_to_new_and_applied():
    plan = plan_document_import(data=leipzig_document()).plan
    data = leipzig_document()
    field = data["plan"]["fields"][0]
    data["plan"]["fields"][3]["contacts"] = ["raschke"]
    measure = field["measures"][1]
    measure["title"] = "Geänderter Titel"
    measure["slug"] = "b-alt"
    del field["measures"][2]
    data["plan"]["fields"][2]["measures"][2]["related_measures"] = []
    before = snapshot(plan)

    preview = plan_document_import(data=data, dry_run=True)
    assert snapshot(plan) == before
    labels = {(c.action, c.label) for c in preview.changes}
    assert ("changed", "Maßnahme netzwerke/B") in labels
    assert ("deleted", "Maßnahme netzwerke/C") in labels
    # contacts and links change row by row (imports/plan_extras.py), as in the workbook
    assert ("deleted", "Ansprechpartner stadtentwicklung: Stefan Geiss") in labels
    assert ("changed", "Ansprechpartner stadtentwicklung: Norbert Raschke") in labels
    assert ("deleted", f"{kind_label('link')} marketing/C → marketing/A") in labels
    title = next(c for c in preview.changes if c.label == "Maßnahme netzwerke/B").diffs
    assert (
        "Titel",
        ap.Measure.objects.get(field__slug="netzwerke", code="B").title,
        "Geänderter Titel",
    ) in title

    result = plan_document_import(data=data)
    assert [(c.action, c.label) for c in result.changes] == [
        (c.action, c.label) for c in preview.changes
    ]
    assert ap.Measure.objects.get(field__plan=plan, code="B", field__slug="netzwerke").title == (
        "Geänderter Titel"
    )
    assert not ap.Measure.objects.filter(field__plan=plan, field__slug="netzwerke", code="C")
    deleted = ap.Measure.history.filter(history_type="-", code="C").get()
    assert deleted.history_change_reason.startswith("Import des Plandokuments")
    assert plan_document_import(data=data).changes == []
