"""The Atom feed of a plan's published changes: valid XML, newest first, drafts absent."""

import datetime
import xml.etree.ElementTree as ET

import pytest
import time_machine
from django.urls import reverse

from actionplan import models as ap
from feeds import atom
from tests.factories import MeasureFactory, PlanFactory

pytestmark = pytest.mark.django_db

NS = {"a": "http://www.w3.org/2005/Atom"}
BERLIN = datetime.timezone(datetime.timedelta(hours=1))


def feed_url(plan):
    return reverse("feeds:plan_atom", kwargs={"plan_slug": plan.slug})


def parse(response) -> ET.Element:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)  # raises on invalid XML
    assert root.tag == "{http://www.w3.org/2005/Atom}feed"
    return root


@pytest.fixture
def plan():
    plan = PlanFactory(slug="atom-plan", title="Atomplan")
    with time_machine.travel(datetime.datetime(2024, 1, 10, 9, tzinfo=BERLIN), tick=False):
        old = MeasureFactory(field__plan=plan, field__position=1, code="A", title="Alte Maßnahme")
    with time_machine.travel(datetime.datetime(2024, 2, 10, 9, tzinfo=BERLIN), tick=False):
        MeasureFactory(field=old.field, code="B", title="Neue Maßnahme")
        MeasureFactory(
            field=old.field,
            code="C",
            title="Entwurf <geheim>",
            description="Nicht öffentlich",
            state=ap.Measure.State.DRAFT,
        )
    with time_machine.travel(datetime.datetime(2024, 3, 1, 9, tzinfo=BERLIN), tick=False):
        old.description = "Jetzt mit <script>alert(1)</script> Beschreibung"
        old.save()
    return plan


def test_atom_feed_lists_new_and_changed_published_measures_newest_first(client, plan):
    root = parse(client.get(feed_url(plan)))
    entries = root.findall("a:entry", NS)
    titles = [e.findtext("a:title", namespaces=NS) for e in entries]
    assert titles == ["Geändert: 1 A · Alte Maßnahme", "Neu: 1 B · Neue Maßnahme"]
    changed = entries[0]
    assert changed.findtext("a:updated", namespaces=NS) == "2024-03-01T08:00:00+00:00"
    assert changed.findtext("a:published", namespaces=NS) == "2024-01-10T08:00:00+00:00"
    link = changed.find("a:link", NS).get("href")
    measure = ap.Measure.objects.get(code="A")
    assert link == "http://testserver" + measure.get_absolute_url()
    assert changed.findtext("a:id", namespaces=NS) == f"tag:127.0.0.1,2011:measure-{measure.pk}"
    assert root.findtext("a:updated", namespaces=NS) == "2024-03-01T08:00:00+00:00"
    assert root.findtext("a:title", namespaces=NS) == "Änderungen: Atomplan"


def test_atom_feed_escapes_measure_text(client, plan):
    root = parse(client.get(feed_url(plan)))
    changed, new = root.findall("a:entry", NS)
    assert changed.find("a:summary", NS).get("type") == "html"
    assert "Beschreibung" in changed.findtext("a:summary", namespaces=NS)
    ap.Measure.objects.filter(code="B").update(description="Mit <script>alert(1)</script>")
    plan.save()  # a new change stamp
    summary = parse(client.get(feed_url(plan))).findall("a:entry", NS)[1].find("a:summary", NS)
    # the reader gets HTML in which the user's text is text, not markup
    assert "&lt;script&gt;" in summary.text and "<script>" not in summary.text


def test_atom_feed_leaves_out_drafts(client, plan):
    body = client.get(feed_url(plan)).content.decode()
    assert "Entwurf" not in body and "geheim" not in body and "Nicht öffentlich" not in body
    ap.Measure.objects.filter(code="B").update(state=ap.Measure.State.ARCHIVED)
    plan.save()  # a new change stamp, as the admin's save would give
    titles = [
        e.findtext("a:title", namespaces=NS)
        for e in parse(client.get(feed_url(plan))).findall("a:entry", NS)
    ]
    assert titles == ["Geändert: 1 A · Alte Maßnahme"]


def test_atom_feed_answers_304(client, plan):
    first = client.get(feed_url(plan))
    assert client.get(feed_url(plan), HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


def test_registered_entry_sources_join_the_feed(client, plan):
    """The hook for published plan versions: a source's entries are merged by date."""

    def versions(p):
        yield atom.FeedEntry(
            unique_id=f"tag:example.org,2011:plan-{p.pk}-version-2",
            title="Fassung 2 veröffentlicht",
            link=p.get_absolute_url(),
            summary_html="<p>Zweite Fassung</p>",
            published=datetime.datetime(2024, 2, 20, tzinfo=datetime.UTC),
            updated=datetime.datetime(2024, 2, 20, tzinfo=datetime.UTC),
        )

    atom.register_plan_entry_source(versions)
    try:
        titles = [
            e.findtext("a:title", namespaces=NS)
            for e in parse(client.get(feed_url(plan))).findall("a:entry", NS)
        ]
    finally:
        atom._PLAN_ENTRY_SOURCES.remove(versions)
    assert titles == [
        "Geändert: 1 A · Alte Maßnahme",
        "Fassung 2 veröffentlicht",
        "Neu: 1 B · Neue Maßnahme",
    ]


def test_plan_page_links_the_feeds(client, plan):
    html = client.get(plan.get_absolute_url()).content.decode()
    assert f'href="{feed_url(plan)}"' in html
    assert f'href="{reverse("feeds:plan_ical", kwargs={"plan_slug": plan.slug})}"' in html
    assert 'rel="alternate" type="application/atom+xml"' in html
