"""The changes report: exactly what changed between two versions, with word diffs."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import strip_tags

from actionplan.models import FieldOfAction, Measure, Step
from versions.changes import ADDED, CHANGED, REMOVED, compare, word_diff

DEL = '<span class="visually-hidden">entfernt: </span>'
INS = '<span class="visually-hidden">eingefügt: </span>'

pytestmark = pytest.mark.django_db


def test_word_diff_marks_words_and_escapes_text():
    html = word_diff("Die alte <b>Kontaktstelle</b> bleibt", "Die neue <b>Kontaktstelle</b> bleibt")
    assert html == (
        f"Die <del>{DEL}alte</del> <ins>{INS}neue</ins> &lt;b&gt;Kontaktstelle&lt;/b&gt; bleibt"
    )
    assert word_diff("gleich", "gleich") == "gleich"
    assert word_diff("", "neu") == f"<ins>{INS}neu</ins>"
    assert word_diff("a b c", "a c") == f"a <del>{DEL}b</del> c"
    assert word_diff("a c", "a b c") == f"a <ins>{INS}b</ins> c"


def test_word_diff_keeps_a_space_between_removed_and_added_words():
    html = word_diff("Status: geplant", "Status: abgeschlossen")

    assert html == f"Status: <del>{DEL}geplant</del> <ins>{INS}abgeschlossen</ins>"
    assert strip_tags(html) == "Status: entfernt: geplant eingefügt: abgeschlossen"
    # without the hidden prefixes (what a sighted reader sees): the words stay apart
    visible = re.sub(r'<span class="visually-hidden">[^<]*</span>', "", str(html))
    assert strip_tags(visible) == "Status: geplant abgeschlossen"
    two = word_diff("in der alten Form gedruckt", "in neuer Gestalt gedruckt")
    assert strip_tags(re.sub(r'<span class="visually-hidden">[^<]*</span>', "", str(two))) == (
        "in der alten Form neuer Gestalt gedruckt"
    )


def change_three_things(plan):
    """Add a measure, remove a step, edit a text."""
    field = FieldOfAction.objects.filter(plan=plan).order_by("position").first()
    edited = (
        Measure.objects.filter(field__plan=plan, state="published")
        .order_by("-field__position", "-position")
        .first()
    )
    Measure.objects.create(
        field=field,
        position=99,
        code="Z",
        title="Neue Maßnahme Werkstatt",
        state=Measure.State.PUBLISHED,
    )
    measure = (
        Measure.objects.filter(field__plan=plan, steps__isnull=False, state="published")
        .order_by("field__position", "position")
        .first()
    )
    steps = list(measure.steps.filter(parent__isnull=True).order_by("position"))
    removed = steps[1]
    removed.delete()
    edited.title = edited.title + " (überarbeitet)"
    edited.save()
    return measure, removed, edited


def test_changes_between_two_versions_are_exactly_the_three_made(leipzig, publish):
    first = publish(leipzig, "Stand Mai 2011", datetime.date(2011, 5, 1))
    measure, removed, edited = change_three_things(leipzig)
    second = publish(leipzig, "Fortschreibung 2012", datetime.date(2012, 3, 1))
    report = compare(first.snapshot, second.snapshot)
    summary = sorted((c.kind, c.action, c.title) for c in report.changes)
    first_field = FieldOfAction.objects.filter(plan=leipzig).order_by("position").first()
    assert summary == sorted(
        [
            ("measure", ADDED, f"{first_field.position} Z · Neue Maßnahme Werkstatt"),
            ("step", REMOVED, "Einzelschritt 2"),
            ("measure", CHANGED, edited.full_label),
        ]
    )
    step = report.of("step")[0]
    assert step.content == removed.text
    assert step.where.endswith(measure.title)
    changed = report.of("measure", CHANGED)[0]
    assert [t.label for t in changed.texts] == ["Titel"]
    assert f"<ins>{INS}(überarbeitet)</ins>" in changed.texts[0].html
    assert report.counts == {ADDED: 1, REMOVED: 1, CHANGED: 1}
    # nothing changed between a version and itself
    assert not compare(first.snapshot, first.snapshot)


def test_changes_report_page_between_versions_and_until_today(leipzig, publish):
    first = publish(leipzig, "Stand Mai 2011", datetime.date(2011, 5, 1))
    measure, removed, edited = change_three_things(leipzig)
    publish(leipzig, "Fortschreibung 2012", datetime.date(2012, 3, 1))
    url = reverse(
        "versions:version_changes",
        kwargs={"plan_slug": leipzig.slug, "version_slug": first.slug},
    )
    client = Client()
    page = client.get(url + "?bis=fortschreibung-2012").content.decode()
    assert "1 hinzugefügt, 1 entfernt, 1 geändert." in page
    assert "Neue Maßnahme Werkstatt" in page
    assert f"<ins>{INS}(überarbeitet)</ins>" in page
    # until today, after one more edit with markup in it
    Step.objects.filter(pk=measure.steps.order_by("position").first().pk).update(
        text="<script>alert(1)</script> neuer Schritt"
    )
    Measure.objects.filter(pk=measure.pk).update(title=measure.title)  # no change
    from actionplan.signals import plan_touch

    plan_touch(leipzig)
    today = client.get(url).content.decode()
    assert "<script>alert(1)" not in today
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in today
    assert "2 hinzugefügt" not in today
    assert client.get(url + "?bis=gibt-es-nicht").status_code == 404


def test_moving_steps_is_one_change_per_step(leipzig, publish):
    first = publish(leipzig, "Stand Mai 2011")
    measure = (
        Measure.objects.filter(field__plan=leipzig, state="published")
        .order_by("field__position", "position")
        .first()
    )
    step = measure.steps.filter(parent__isnull=True).order_by("position").first()
    step.text = step.text + " und mehr"
    step.save()
    second = publish(leipzig, "Fortschreibung 2012")
    report = compare(first.snapshot, second.snapshot)
    assert [(c.kind, c.action, c.title) for c in report.changes] == [
        ("step", CHANGED, "Einzelschritt 1")
    ]
    assert report.changes[0].texts[0].html.endswith("und mehr</ins>")
