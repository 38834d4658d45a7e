"""The reader's path (issue 18, item 6): the home page as a front door, fields of action as
sections with their target state, measures named with their field, previous/next, “Stand vom”."""

import datetime
import re
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse

from actionplan import models as ap
from actionplan.signals import plan_touch
from campaigns import models as cp
from tests.actionplan.public_data import build_rich_plan
from tests.campaigns.factories import CampaignFactory
from tests.factories import build_plan

pytestmark = pytest.mark.django_db

HOME = "/"
REPORTED = datetime.date(2012, 3, 4)


def _html(response) -> str:
    assert response.status_code == 200
    return unescape(response.content.decode())


def _report(measure, day=REPORTED):
    ap.Measure.objects.filter(pk=measure.pk).update(status_reported_at=day)
    plan_touch(measure.field.plan)


def _measures(plan):
    return list(
        ap.Measure.objects.filter(field__plan=plan)
        .select_related("field__plan")
        .order_by("field__position", "position")
    )


def _card(html: str, title: str) -> str:
    """The home page's card of the plan titled ``title``."""
    cards = html.split('id="campaigns-title"')[0].split('<li class="plan-card">')[1:]
    cards = [card for card in cards if title in card]
    assert len(cards) == 1
    return cards[0]


# --- the home page ----------------------------------------------------------------------------


def test_home_lists_public_plans_with_period_progress_last_update_and_campaigns(client):
    plan = build_rich_plan(slug="leipzig")
    build_rich_plan(slug="entwurf", status=ap.Plan.Status.DRAFT)
    _report(_measures(plan)[3])
    CampaignFactory(
        title="Offene Kampagne",
        region="Altmark",
        period_label="2017 bis 2019",
        lifecycle_override=cp.Campaign.Lifecycle.COMPLETED,
    )
    CampaignFactory(title="Geheime Kampagne", status=cp.Campaign.Status.DRAFT)

    html = _html(client.get(HOME))

    card = _card(html, plan.title)
    assert "Entwurf" not in html and "Maßnahmenplan Entwurf" not in html
    # the period taken from the dated schedule entries (the plan has no period label)
    period = re.search(r"<dt>Zeitraum</dt>\s*<dd>(.*?)</dd>", card, flags=re.S)
    assert period, card[card.find("<dl") : card.find("</dl>")]
    assert period[1].strip() == "2011 – 2012", card[card.find("<dl") : card.find("</dl>")]
    # ten measures, two of each status, as text beside the bar
    for label in ("geplant", "in Umsetzung", "abgeschlossen", "zurückgestellt", "abgebrochen"):
        assert f"2 {label}" in card
    assert card.count('class="progress-glance__part ') == 5
    assert "Letzte Aktualisierung" in card and "4. März 2012" in card
    assert f'href="{reverse("progress:plan_dashboard", args=[plan.slug])}"' in card
    assert f'href="{reverse("actionplan:plan_pdf", args=[plan.slug])}"' in card
    assert "Offene Kampagne" in html and "Altmark" in html and "2017 – 2019" in html
    assert "Abgeschlossen" in html
    assert "Geheime Kampagne" not in html
    assert f'action="{reverse("search:results")}"' in html
    assert reverse("campaigns:campaign_list") in html


def test_home_period_of_each_plan_comes_from_its_own_schedule_entries():
    """A plan created after others (its id no longer matching any schedule entry's id) still
    gets its period: the span is correlated with the plan, not with the entries' own ids (the
    defect that showed only in full PostgreSQL runs, where ids are not reused)."""
    from django.contrib.auth.models import AnonymousUser

    from actionplan.selectors import plans_for_home

    build_rich_plan(slug="entwurf", status=ap.Plan.Status.DRAFT)
    first = build_rich_plan(slug="leipzig")
    second = build_rich_plan(slug="halle")
    ap.ScheduleEntry.objects.filter(measure__field__plan=second).update(
        start_date=datetime.date(2020, 1, 1), end_date=datetime.date(2021, 12, 31)
    )
    ap.ScheduleEntry.objects.filter(measure__field__plan=first, start_date__isnull=False).update(
        start_date=datetime.date(2011, 6, 1)
    )

    periods = {plan.slug: plan.period for plan in plans_for_home(AnonymousUser())}

    assert set(periods) == {"leipzig", "halle"}
    assert periods["halle"] == (datetime.date(2020, 1, 1), datetime.date(2021, 12, 31))
    assert periods["leipzig"][0] == datetime.date(2011, 6, 1)
    assert periods["leipzig"][1].year == 2012


def test_home_last_update_falls_back_to_the_issue_date_not_today(client):
    plan = build_rich_plan(slug="leipzig")
    ap.Plan.objects.filter(pk=plan.pk).update(period_label="2011–2012")
    card = _card(_html(client.get(HOME)), plan.title)
    assert "1. Mai 2011" in card
    assert "2011–2012" in card  # the period as the plan states it


def test_home_query_count_does_not_grow_with_plans_or_campaigns(client, django_assert_num_queries):
    build_plan(fields=2, measures_per_field=2)
    CampaignFactory()
    # the request's savepoint and its release, the stamps (2), plans, statuses, campaigns
    with django_assert_num_queries(7):
        _html(client.get(HOME))
    for _ in range(3):
        build_plan(fields=3, measures_per_field=3)
        CampaignFactory()
    with django_assert_num_queries(7):
        html = _html(client.get(HOME))
    assert html.count('<li class="plan-card">') == 4
    # a second request is answered from the cache: the two stamp queries only
    with django_assert_num_queries(4):
        assert _html(client.get(HOME)) == html


def test_home_cache_follows_plan_and_campaign_changes(client):
    plan = build_plan(fields=1, measures_per_field=2)
    campaign = CampaignFactory(title="Erste Kampagne")
    assert "Erste Kampagne" in _html(client.get(HOME))
    campaign.title = "Umbenannte Kampagne"
    campaign.save()
    assert "Umbenannte Kampagne" in _html(client.get(HOME))
    measure = _measures(plan)[0]
    measure.status = ap.Measure.Status.COMPLETED
    measure.save()
    assert "1 abgeschlossen" in _html(client.get(HOME))
    plan.status = ap.Plan.Status.DRAFT
    plan.save()
    assert plan.title not in _html(client.get(HOME))
    campaign.delete()
    assert "Umbenannte Kampagne" not in _html(client.get(HOME))


def test_home_shows_drafts_to_staff_only_with_a_mark(staff_client):
    draft = build_plan(fields=1, measures_per_field=1, status=ap.Plan.Status.DRAFT)
    assert draft.title not in _html(Client().get(HOME))
    html = _html(staff_client.get(HOME))
    assert draft.title in html and "status--draft" in html


# --- fields of action as sections -----------------------------------------------------------


def test_plan_page_has_a_section_per_field_with_target_state_and_a_jump_list(client):
    plan = build_rich_plan(slug="leipzig")
    html = _html(client.get(plan.get_absolute_url()))
    toc = html.split('<nav class="toc"')[1].split("</nav>")[0]
    fields = list(plan.fields.order_by("position"))
    for field in fields:
        anchor = f"field-{field.slug}"
        assert f'href="#{anchor}"' in toc
        section = html.split(f'<section class="field-section" id="{anchor}"')[1]
        section = section.split("</section>")[0]
        assert f"Handlungsfeld {field.position}" in section
        assert field.title in section
        assert "Zielzustand" in section and field.target_state in section
        assert field.lead_organisation.name in section
        for measure in field.measures.all():
            assert measure.title in section
    # in plan order
    positions = [html.index(f'id="field-{f.slug}"') for f in fields]
    assert positions == sorted(positions)


# --- measures named with their field -----------------------------------------------------------


@pytest.fixture
def twins():
    """Two fields whose measures have the same codes and the same titles."""
    plan = build_plan(fields=2, measures_per_field=2)
    ap.Measure.objects.filter(field__plan=plan).update(title="Netzwerk stärken")
    plan_touch(plan)
    return plan


def _result_titles(html: str) -> list[str]:
    return [
        re.sub(r"<[^>]+>", "", title).strip()
        for title in re.findall(r'<h3 class="result__title">(.*?)</h3>', html, re.S)
    ]


def test_measure_list_names_each_measure_with_its_field(client, twins):
    url = reverse("actionplan:measure_list", args=[twins.slug])
    titles = _result_titles(_html(client.get(url)))
    assert titles == [
        "1 A · Netzwerk stärken",
        "1 B · Netzwerk stärken",
        "2 A · Netzwerk stärken",
        "2 B · Netzwerk stärken",
    ]


def test_search_hits_name_each_measure_with_its_field(client, twins):
    html = _html(client.get(reverse("search:results"), {"q": "Netzwerk stärken"}))
    titles = [t for t in _result_titles(html) if "Netzwerk stärken" in t]
    assert len(titles) == 4
    assert len(set(titles)) == 4
    assert "1 A · Netzwerk stärken" in titles and "2 A · Netzwerk stärken" in titles


def test_full_label_without_a_code_names_the_field():
    field = ap.FieldOfAction(position=5)
    assert ap.Measure(field=field, code="", title="Einzelmaßnahmen").full_label == (
        "5 · Einzelmaßnahmen"
    )
    assert ap.Measure(field=field, code="B", title="X").display_code == "5 B"


# --- previous and next ---------------------------------------------------------------------


@pytest.fixture
def four():
    """1 A, 1 B (a draft), 2 A, 2 B."""
    plan = build_plan(fields=2, measures_per_field=2)
    measures = _measures(plan)
    ap.Measure.objects.filter(pk=measures[1].pk).update(state=ap.Measure.State.DRAFT)
    plan_touch(plan)
    return measures


def _pager(html: str) -> dict[str, str]:
    if '<nav class="pager"' not in html:
        return {}
    nav = html.split('<nav class="pager"')[1].split("</nav>")[0]
    return dict(
        (rel, href) for href, rel in re.findall(r'<a href="([^"]+)" rel="(prev|next)"', nav)
    )


def test_previous_next_skip_drafts_for_anonymous_and_stop_at_the_ends(client, four):
    first, draft, second, last = four
    assert _pager(_html(client.get(first.get_absolute_url()))) == {
        "next": second.get_absolute_url()
    }
    assert _pager(_html(client.get(second.get_absolute_url()))) == {
        "prev": first.get_absolute_url(),
        "next": last.get_absolute_url(),
    }
    assert _pager(_html(client.get(last.get_absolute_url()))) == {"prev": second.get_absolute_url()}
    html = _html(client.get(second.get_absolute_url()))
    assert draft.title not in html.split('<nav class="pager"')[1]
    assert 'aria-label="Vorherige und nächste Maßnahme"' in html


def test_previous_next_include_drafts_for_staff(staff_client, four):
    first, draft, second, _last = four
    assert _pager(_html(staff_client.get(first.get_absolute_url())))["next"] == (
        draft.get_absolute_url()
    )
    assert _pager(_html(staff_client.get(second.get_absolute_url())))["prev"] == (
        draft.get_absolute_url()
    )


def test_a_single_measure_has_no_pager(client):
    plan = build_plan(fields=1, measures_per_field=1)
    assert _pager(_html(client.get(_measures(plan)[0].get_absolute_url()))) == {}


# --- “Stand vom” in lists -----------------------------------------------------------------------


def test_status_report_date_in_the_measure_list_and_the_plan_page(client):
    plan = build_plan(fields=2, measures_per_field=2)
    reported, silent = _measures(plan)[2], _measures(plan)[0]
    _report(reported)
    listed = _html(client.get(reverse("actionplan:measure_list", args=[plan.slug])))
    entries = listed.split('<li class="result">')[1:]
    assert "Stand vom 4. März 2012" in next(e for e in entries if reported.title in e)
    assert "Stand vom" not in next(e for e in entries if silent.title in e)
    page = _html(client.get(plan.get_absolute_url()))
    row = next(r for r in page.split("<tr>") if reported.title in r)
    assert "Stand vom 4. März 2012" in row
    assert page.count("Stand vom") == 1
