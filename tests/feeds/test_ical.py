"""iCalendar feeds: parsed back with the icalendar library; fuzzy dates as all-day ranges."""

import datetime
import io

import icalendar
import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import translation

from access.models import Membership
from actionplan import models as ap
from campaigns.models import Campaign, CampaignEvent
from feeds.ical import period_around
from tests.factories import (
    MeasureFactory,
    PlanFactory,
    ScheduleEntryFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

D = datetime.date


def plan_url(plan, name="feeds:plan_ical"):
    return reverse(name, kwargs={"plan_slug": plan.slug})


def events_of(response) -> dict[str, icalendar.Event]:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    cal = icalendar.Calendar.from_ical(response.content)
    assert cal["VERSION"] == "2.0" and cal["PRODID"]
    return {str(e["SUMMARY"]): e for e in cal.walk("VEVENT")}


def span(event) -> tuple[datetime.date, datetime.date]:
    start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    # all-day: plain dates, not datetimes (VALUE=DATE)
    assert type(start) is datetime.date and type(end) is datetime.date
    return start, end


@pytest.fixture
def plan():
    plan = PlanFactory(slug="leipzig-test", title="Maßnahmenplan Leipzig")
    public = MeasureFactory(field__plan=plan, field__position=1, code="A", title="Kreativquartier")
    for position, label in enumerate(
        [
            "ab Herbst 2011",
            "II. Quartal 2011",
            "Umsetzung bis Ende 2012",
            "im Anschluss an Mapping",
            "21. Februar 2011",
        ],
        start=1,
    ):
        ScheduleEntryFactory(measure=public, position=position, label=label)
    draft = MeasureFactory(
        field=public.field, code="B", title="Geheimprojekt", state=ap.Measure.State.DRAFT
    )
    ScheduleEntryFactory(measure=draft, position=1, label="Juli 2011 Entwurfstermin")
    review = MeasureFactory(
        field=public.field, code="C", title="In Prüfung", state=ap.Measure.State.REVIEW
    )
    ScheduleEntryFactory(measure=review, position=1, label="August 2011 Prüftermin")
    return plan


def test_plan_feed_parses_and_spans_fuzzy_dates(client, plan):
    events = events_of(client.get(plan_url(plan)))
    assert set(events) == {
        "1 A · Kreativquartier: ab Herbst 2011",
        "1 A · Kreativquartier: II. Quartal 2011",
        "1 A · Kreativquartier: Umsetzung bis Ende 2012",
        "1 A · Kreativquartier: 21. Februar 2011",
    }
    # "ab Herbst 2011": an open start spans autumn 2011, 1 September to 30 November; DTEND is
    # exclusive, so 1 December
    assert span(events["1 A · Kreativquartier: ab Herbst 2011"]) == (D(2011, 9, 1), D(2011, 12, 1))
    # "II. Quartal 2011": April to June, DTEND 1 July
    assert span(events["1 A · Kreativquartier: II. Quartal 2011"]) == (D(2011, 4, 1), D(2011, 7, 1))
    # a deadline is the one day it falls on
    deadline = events["1 A · Kreativquartier: Umsetzung bis Ende 2012"]
    assert span(deadline) == (D(2012, 12, 31), D(2013, 1, 1))
    assert span(events["1 A · Kreativquartier: 21. Februar 2011"]) == (
        D(2011, 2, 21),
        D(2011, 2, 22),
    )


def test_plan_feed_links_back_and_has_stable_uids(client, plan):
    first = events_of(client.get(plan_url(plan)))
    measure = ap.Measure.objects.get(code="A")
    for event in first.values():
        assert str(event["URL"]) == "http://testserver" + measure.get_absolute_url()
        assert str(event["UID"]).startswith("scheduleentry-")
    entry = ap.ScheduleEntry.objects.get(label="II. Quartal 2011")
    entry.label = "III. Quartal 2011"
    entry.save()
    second = events_of(client.get(plan_url(plan)))
    moved = second["1 A · Kreativquartier: III. Quartal 2011"]
    assert moved["UID"] == first["1 A · Kreativquartier: II. Quartal 2011"]["UID"]
    assert span(moved) == (D(2011, 7, 1), D(2011, 10, 1))
    assert {str(e["UID"]) for e in second.values()} == {str(e["UID"]) for e in first.values()}


def test_plan_feed_leaves_out_drafts_and_reviews_even_for_members(client, plan):
    coordinator = UserFactory()
    Membership.objects.create(user=coordinator, plan=plan, role=Membership.Role.COORDINATOR)
    for who in (None, coordinator):
        if who:
            client.force_login(who)
        body = client.get(plan_url(plan)).content.decode()
        assert "Entwurfstermin" not in body and "Geheimprojekt" not in body
        assert "Prüftermin" not in body
        assert "Kreativquartier" in body


def test_feeds_of_a_draft_plan_answer_404_to_everyone(client, plan):
    plan.status = ap.Plan.Status.DRAFT
    plan.save()
    coordinator = UserFactory()
    Membership.objects.create(user=coordinator, plan=plan, role=Membership.Role.COORDINATOR)
    for name in ("feeds:plan_ical", "feeds:plan_atom"):
        assert client.get(plan_url(plan, name)).status_code == 404
    client.force_login(coordinator)
    for name in ("feeds:plan_ical", "feeds:plan_atom"):
        assert client.get(plan_url(plan, name)).status_code == 404
    assert client.get("/plaene/gibt-es-nicht/termine.ics").status_code == 404


def test_plan_feed_answers_304_and_a_hit_costs_one_plan_query(
    client, plan, django_assert_num_queries
):
    first = client.get(plan_url(plan))
    etag = first["ETag"]
    assert etag and first["Last-Modified"]
    assert "public" in first["Cache-Control"] and "no-cache" in first["Cache-Control"]
    # the plan, plus the savepoint pair of ATOMIC_REQUESTS around it
    with django_assert_num_queries(3):
        again = client.get(plan_url(plan), HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    with django_assert_num_queries(3):
        cached = client.get(plan_url(plan))
    assert cached.content == first.content and cached["ETag"] == etag
    measure = ap.Measure.objects.get(code="A")
    measure.title = "Kreativquartier Süd"
    measure.save()
    changed = client.get(plan_url(plan), HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert "1 A · Kreativquartier Süd: II. Quartal 2011" in events_of(changed)


def test_plan_feed_refuses_writes(client, plan):
    assert client.post(plan_url(plan)).status_code == 405


def test_plan_feed_in_english(client, plan):
    german_url = plan_url(plan)
    with translation.override("en"):
        url = plan_url(plan)
    assert url.startswith("/en/") and not german_url.startswith("/en/")
    response = client.get(url)
    cal = icalendar.Calendar.from_ical(response.content)
    # the plan has no English title: German, said so (issue 21)
    assert str(cal["X-WR-CALNAME"]) == "Milestones: Maßnahmenplan Leipzig (in German)"
    german = icalendar.Calendar.from_ical(client.get(german_url).content)
    assert str(german["X-WR-CALNAME"]) == "Termine: Maßnahmenplan Leipzig"


def test_plan_feed_text_survives_the_round_trip(client, plan):
    """Text is text in iCalendar: commas, semicolons and line breaks survive the round trip."""
    measure = ap.Measure.objects.get(code="A")
    ScheduleEntryFactory(measure=measure, position=9, label="Mai 2011; Treffen, <b>Runde</b>")
    events = events_of(client.get(plan_url(plan)))
    assert "1 A · Kreativquartier: Mai 2011; Treffen, <b>Runde</b>" in events


@pytest.mark.parametrize(
    ("day", "precision", "expected"),
    [
        (D(2011, 5, 17), "day", (D(2011, 5, 17), D(2011, 5, 17))),
        (D(2011, 2, 1), "month", (D(2011, 2, 1), D(2011, 2, 28))),
        (D(2012, 2, 1), "month", (D(2012, 2, 1), D(2012, 2, 29))),
        (D(2011, 8, 15), "quarter", (D(2011, 7, 1), D(2011, 9, 30))),
        (D(2011, 8, 15), "half", (D(2011, 7, 1), D(2011, 12, 31))),
        (D(2011, 9, 1), "season", (D(2011, 9, 1), D(2011, 11, 30))),
        (D(2011, 12, 1), "season", (D(2011, 12, 1), D(2012, 2, 29))),
        (D(2012, 1, 15), "season", (D(2011, 12, 1), D(2012, 2, 29))),
        (D(2011, 3, 1), "season", (D(2011, 3, 1), D(2011, 5, 31))),
        (D(2011, 6, 30), "year", (D(2011, 1, 1), D(2011, 12, 31))),
        (D(2011, 6, 30), "", (D(2011, 6, 30), D(2011, 6, 30))),
    ],
)
def test_period_around(day, precision, expected):
    assert period_around(day, precision) == expected


# --- campaigns --------------------------------------------------------------------------------


@pytest.fixture
def campaign():
    campaign = Campaign.objects.create(
        title="Leipzig liebt Regionales",
        slug="regional",
        region="Leipzig",
        status=Campaign.Status.PUBLISHED,
    )
    CampaignEvent.objects.create(
        campaign=campaign,
        title="Auftakt",
        kind=CampaignEvent.Kind.WORKSHOP,
        date=D(2024, 1, 1),
        date_precision="month",
        date_label="Januar 2024",
        place="Leipzig, Markt",
        topics="Tourismus\nBildung",
        methods="Kraftfeldanalyse\nMini-Canvas",
    )
    CampaignEvent.objects.create(
        campaign=campaign, title="Messe", date=D(2024, 3, 14), date_precision="day"
    )
    CampaignEvent.objects.create(campaign=campaign, title="Irgendwann", date_label="später")
    return campaign


def campaign_url(campaign):
    return reverse("feeds:campaign_ical", kwargs={"campaign_slug": campaign.slug})


def test_campaign_feed_parses_with_event_ranges(client, campaign):
    response = client.get(campaign_url(campaign))
    events = events_of(response)
    assert set(events) == {"Auftakt", "Messe"}  # the undated event has no place in a calendar
    assert span(events["Auftakt"]) == (D(2024, 1, 1), D(2024, 2, 1))
    assert span(events["Messe"]) == (D(2024, 3, 14), D(2024, 3, 15))
    assert str(events["Auftakt"]["LOCATION"]) == "Leipzig, Markt"
    assert "Januar 2024" in str(events["Auftakt"]["DESCRIPTION"])
    assert str(events["Messe"]["UID"]) == f"campaignevent-{events_pk(campaign, 'Messe')}@127.0.0.1"
    etag = response["ETag"]
    assert client.get(campaign_url(campaign), HTTP_IF_NONE_MATCH=etag).status_code == 304


@pytest.mark.parametrize("language", ["de", "en"])
def test_campaign_feed_events_link_to_their_entry_on_the_campaign_page(client, campaign, language):
    with translation.override(language):
        feed = campaign_url(campaign)
        page = "http://testserver" + campaign.get_absolute_url()
    assert client.get(page).status_code == 200  # the page exists and is public

    events = events_of(client.get(feed))
    # untranslated event titles are German, said so to an English reader (issue 21)
    note = " (in German)" if language == "en" else ""

    pk = events_pk(campaign, "Auftakt")
    assert str(events[f"Auftakt{note}"]["URL"]) == f"{page}#event-{pk}"
    assert str(events[f"Messe{note}"]["URL"]).startswith(f"{page}#event-")
    assert f'id="event-{pk}"' in client.get(page).content.decode()  # the anchor exists


def test_campaign_feed_describes_topics_and_methods(client, campaign):
    description = str(events_of(client.get(campaign_url(campaign)))["Auftakt"]["DESCRIPTION"])
    assert "Tourismus; Bildung" in description
    assert "Kraftfeldanalyse; Mini-Canvas" in description


def test_campaign_page_links_its_feed_only_when_published_with_dated_events(client, campaign):
    link = f'href="{campaign_url(campaign)}" type="text/calendar"'
    assert link in client.get(campaign.get_absolute_url()).content.decode()

    for event in campaign.events.exclude(date=None):
        event.date, event.date_label = None, "später"
        event.save()
    assert link not in client.get(campaign.get_absolute_url()).content.decode()


def events_pk(campaign, title):
    return campaign.events.get(title=title).pk


def test_campaign_feed_of_a_draft_campaign_is_404(client, campaign):
    campaign.status = Campaign.Status.DRAFT
    campaign.save()
    assert client.get(campaign_url(campaign)).status_code == 404


# --- the Leipzig demo plan ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def leipzig_pk(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo_data", stdout=io.StringIO())
        yield ap.Plan.objects.get(slug="leipzig-2011").pk
        transaction.set_rollback(True)


def test_leipzig_feed_has_the_seed_milestones(client, leipzig_pk):
    plan = ap.Plan.objects.get(pk=leipzig_pk)
    events = events_of(client.get(plan_url(plan)))
    by_label = {s.split(": ", 1)[1]: e for s, e in events.items()}
    dated = ap.ScheduleEntry.objects.filter(measure__field__plan=plan).exclude(
        start_date=None, end_date=None
    )
    assert len(events) == dated.filter(measure__state=ap.Measure.State.PUBLISHED).count() > 0
    q2 = next(e for label, e in by_label.items() if label.endswith("II. Quartal 2011"))
    assert span(q2) == (D(2011, 4, 1), D(2011, 7, 1))
    autumn = by_label["ab Herbst 2011 bis Ende 2012: Umsetzung der Einzelmaßnahmen"]
    assert span(autumn) == (D(2011, 9, 1), D(2013, 1, 1))


@pytest.mark.parametrize(("name", "queries"), [("feeds:plan_ical", 4), ("feeds:plan_atom", 5)])
def test_feed_queries_do_not_grow_with_the_plan(client, name, queries, django_assert_num_queries):
    def plan_with(measures, slug):
        plan = PlanFactory(slug=slug)
        field = MeasureFactory(field__plan=plan).field
        for n in range(measures):
            measure = MeasureFactory(field=field, title=f"M{n}")
            ScheduleEntryFactory(measure=measure, position=1, label="II. Quartal 2011")
            ScheduleEntryFactory(measure=measure, position=2, label="ab Herbst 2011")
        return plan

    small, large = plan_with(2, "klein"), plan_with(20, "gross")
    # the plan, the entries or measures (Atom: and their history rows), and the savepoint pair
    # of ATOMIC_REQUESTS
    for plan in (small, large):
        with django_assert_num_queries(queries):
            assert client.get(plan_url(plan, name)).status_code == 200
