"""Atom entries that say something: each names its public change in words (from the history
diff), dated by the change; the demo import is no change; drafts never show; every page of a
plan announces the feed."""

import datetime
import io
import xml.etree.ElementTree as ET

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from actionplan import models as ap
from tests.factories import MeasureFactory, PlanFactory, StepFactory

pytestmark = pytest.mark.django_db

NS = {"a": "http://www.w3.org/2005/Atom"}
BERLIN = datetime.timezone(datetime.timedelta(hours=1))


def at(month, day=1):
    return time_machine.travel(datetime.datetime(2024, month, day, 9, tzinfo=BERLIN), tick=False)


def entries(client, plan) -> list[dict]:
    response = client.get(reverse("feeds:plan_atom", kwargs={"plan_slug": plan.slug}))
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    return [
        {
            "title": e.findtext("a:title", namespaces=NS),
            "summary": e.findtext("a:summary", namespaces=NS) or "",
            "updated": e.findtext("a:updated", namespaces=NS),
            "published": e.findtext("a:published", namespaces=NS),
        }
        for e in root.findall("a:entry", NS)
    ]


def save(measure, reason=None):
    measure._change_reason = reason
    measure.save()


@pytest.fixture
def plan():
    plan = PlanFactory(slug="summaries", title="Zusammenfassungen")
    with at(1):
        measure = MeasureFactory(
            field__plan=plan,
            field__position=1,
            code="A",
            title="Netzwerk",
            description="Erste Fassung des Textes.",
        )
        StepFactory(measure=measure, text="Alter Schritt")
        save(measure)
    return plan


def test_changed_description_and_status_in_words_dated_by_the_change(client, plan):
    measure = ap.Measure.objects.get(code="A")
    with at(3, 5):
        measure.description = "Zweite Fassung des Textes, mit mehr Worten als zuvor."
        measure.status = ap.Measure.Status.IN_PROGRESS
        save(measure)
    (entry,) = entries(client, plan)
    assert entry["title"] == "Geändert: 1 A · Netzwerk"
    assert "Beschreibung" in entry["summary"]
    assert "Status: geplant → in Umsetzung" in entry["summary"]
    assert entry["updated"] == "2024-03-05T08:00:00+00:00"
    assert entry["published"] == "2024-01-01T08:00:00+00:00"


def test_steps_added_and_removed_in_words(client, plan):
    measure = ap.Measure.objects.get(code="A")
    with at(4):
        measure.steps.get(text="Alter Schritt").delete()
        StepFactory(measure=measure, text="Neuer Schritt")
        save(measure)
    (entry,) = entries(client, plan)
    assert entry["title"].startswith("Geändert")
    assert "hinzugefügt: „Neuer Schritt“" in entry["summary"]
    assert "entfernt: „Alter Schritt“" in entry["summary"]


def test_a_new_measure_says_it_was_published(client, plan):
    (entry,) = entries(client, plan)
    assert entry["title"] == "Neu: 1 A · Netzwerk"
    assert "Veröffentlicht" in entry["summary"] and "geplant" in entry["summary"]


def test_drafts_do_not_leak_into_entries(client, plan):
    measure = ap.Measure.objects.get(code="A")
    secret = MeasureFactory(
        field=measure.field, code="Z", title="Geheimprojekt", state=ap.Measure.State.DRAFT
    )
    with at(2):  # taken back to draft and edited there
        measure.state = ap.Measure.State.DRAFT
        measure.title = "Entwurfstitel GEHEIM"
        measure.review_comment = "Bitte nicht so"
        save(measure)
    assert entries(client, plan) == []  # not published now: not in the feed at all
    with at(3):  # published again with a title nobody objected to
        measure.state = ap.Measure.State.PUBLISHED
        measure.title = "Netzwerk der Akteure"
        measure.review_comment = "Freigegeben"
        save(measure)
        measure.related_measures.add(secret)
        save(measure)
    (entry,) = entries(client, plan)
    text = entry["title"] + entry["summary"]
    # compared with the last published version, not with the draft in between
    assert "Titel: Netzwerk → Netzwerk der Akteure" in entry["summary"]
    assert "GEHEIM" not in text and "Entwurf" not in text
    assert "Geheimprojekt" not in text  # the related draft is not named
    assert "Prüfung" not in text and "Freigegeben" not in text  # the review comment


def test_changes_without_public_content_make_no_changed_entry(client, plan):
    measure = ap.Measure.objects.get(code="A")
    with at(5):
        measure.review_comment = "Nur intern"
        measure.position = 7
        save(measure)
    (entry,) = entries(client, plan)
    assert entry["title"] == "Neu: 1 A · Netzwerk"
    assert entry["updated"] == "2024-01-01T08:00:00+00:00"
    assert "intern" not in entry["summary"]


def test_rows_of_one_operation_are_one_version(client, plan):
    """An import saves a measure several times with one change reason: one change."""
    with at(6):
        measure = MeasureFactory(field=ap.FieldOfAction.objects.get(), code="B", title="Import")
        measure.history.update(history_change_reason="Import X")
        measure.description = "Vom Import ergänzt"
        save(measure, reason="Import X")
    titles = [e["title"] for e in entries(client, plan)]
    assert titles == ["Neu: 1 B · Import", "Neu: 1 A · Netzwerk"]


@pytest.fixture
def demo_plan():
    call_command("load_demo_data", stdout=io.StringIO())
    return ap.Plan.objects.get(slug="leipzig-2011")


def test_fresh_demo_data_has_no_changed_entries(client, demo_plan):
    found = entries(client, demo_plan)
    published = ap.Measure.objects.published().filter(field__plan=demo_plan).count()
    assert len(found) == published > 0
    assert [e for e in found if e["title"].startswith("Geändert")] == []
    assert all(e["title"].startswith("Neu: ") for e in found)


def test_every_entry_names_a_change(client, demo_plan):
    measure = ap.Measure.objects.published().filter(field__plan=demo_plan).first()
    measure.status = ap.Measure.Status.COMPLETED
    save(measure)
    found = entries(client, demo_plan)
    assert found[0]["title"] == f"Geändert: {measure.full_label}"
    assert "Status: geplant → abgeschlossen" in found[0]["summary"]
    for entry in found:
        assert "Veröffentlicht" in entry["summary"] or "Geändert: " in entry["summary"], entry


# --- autodiscovery on every page of a plan -------------------------------------------------------


def plan_pages(plan):
    measure = ap.Measure.objects.filter(field__plan=plan).select_related("field").first()
    return [
        plan.get_absolute_url(),
        measure.field.get_absolute_url(),
        measure.get_absolute_url(),
        reverse("actionplan:measure_list", kwargs={"plan_slug": plan.slug}),
        reverse("actionplan:plan_timeline", kwargs={"plan_slug": plan.slug}),
        reverse("progress:plan_dashboard", kwargs={"plan_slug": plan.slug}),
    ]


def test_every_plan_page_announces_the_feed(client, plan):
    feed = reverse("feeds:plan_atom", kwargs={"plan_slug": plan.slug})
    link = f'<link rel="alternate" type="application/atom+xml" href="{feed}"'
    for url in plan_pages(plan):
        html = client.get(url).content.decode()
        assert html.count(link) == 1, url
        assert 'title="Änderungen: Zusammenfassungen"' in html, url


def test_a_draft_plan_announces_no_feed(admin_client, plan):
    plan.status = ap.Plan.Status.DRAFT
    plan.save()
    for url in plan_pages(plan):
        response = admin_client.get(url)
        assert response.status_code == 200, url
        assert "application/atom+xml" not in response.content.decode(), url


def test_feed_queries_per_changed_measure_are_bounded(
    client, demo_plan, django_assert_max_num_queries
):
    """Each changed measure costs one comparison (history.diff, about 21 queries: the labels of
    each related model are looked up once per side, and budget lines now name their funding
    programme as well); built once per change of the plan and then served from the cache."""
    measures = list(ap.Measure.objects.published().filter(field__plan=demo_plan))
    for measure in measures:
        measure.status = ap.Measure.Status.COMPLETED
        save(measure)
    url = reverse("feeds:plan_atom", kwargs={"plan_slug": demo_plan.slug})
    with django_assert_max_num_queries(5 + 21 * len(measures)):
        assert client.get(url).status_code == 200
    with django_assert_max_num_queries(3):  # the plan, and the savepoint pair
        assert client.get(url).status_code == 200
