"""A plan version's pages read the English texts its stored document carries (``title_en``,
schedule and steps as objects, ``vocabulary_en``; the JSON convention of issue 21), and a
version stored before them shows German, marked."""

import pytest

from actionplan.export import plan_export_document
from tests.translations.world import build_world, english, german
from versions.snapshot import SnapshotPlan

pytestmark = pytest.mark.django_db


def _with_english(document: dict) -> dict:
    plan = document["plan"]
    plan["title_en"] = english("plan", "title")
    plan["introduction_en"] = [english("plan", "introduction")]
    plan["english_note"] = "Translated."
    plan["vocabulary_en"] = {"target_groups": {german("group", "name"): english("group", "name")}}
    fld = plan["fields"][0]
    fld["title_en"] = english("field", "title")
    fld["lead"]["note_en"] = english("field", "lead_note")
    measure = fld["measures"][0]
    measure["title_en"] = english("measure", "title")
    label = measure["schedule"][0]
    label = label["label"] if isinstance(label, dict) else label
    measure["schedule"][0] = {"label": label, "label_en": english("schedule", "label")}
    step = measure["steps"][0]
    step = step if isinstance(step, dict) else {"text": step}
    step["text_en"] = english("step", "text")
    step["substeps"] = [{"text": german("substep", "text"), "text_en": english("substep", "text")}]
    measure["steps"][0] = step
    return document


def test_snapshot_reads_english_siblings_and_object_shorthands():
    w = build_world()
    snapshot = SnapshotPlan(_with_english(plan_export_document(w.plan, public_only=True)))
    plan = snapshot.plan
    assert plan.title_en == english("plan", "title")
    assert plan.introduction_en == english("plan", "introduction")
    assert plan.english_note == "Translated."
    fld = plan.fields.all()[0]
    assert (fld.title_en, fld.lead_note_en) == (
        english("field", "title"),
        english("field", "lead_note"),
    )
    measure = fld.measures.all()[0]
    assert measure.title_en == english("measure", "title")
    entry = measure.schedule.all()[0]
    assert entry.label.endswith(german("schedule", "label"))
    assert entry.label_en == english("schedule", "label")
    step = measure.top_steps[0]
    assert step.text_en == english("step", "text")
    assert step.children[0].text == german("substep", "text")
    assert step.children[0].text_en == english("substep", "text")
    assert measure.target_groups.all()[0].name_en == english("group", "name")


def test_snapshot_without_english_keeps_english_empty():
    w = build_world()
    snapshot = SnapshotPlan(plan_export_document(w.plan, public_only=True))
    measure = snapshot.plan.fields.all()[0].measures.all()[0]
    assert measure.title == german("measure", "title") and measure.title_en == ""
    assert measure.schedule.all()[0].label_en == ""
