import datetime
import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actionplan import models as ap
from actionplan.signals import plan_touch
from tests.actionplan.public_data import build_rich_plan
from tests.factories import OrganisationFactory, StepFactory, TargetGroupFactory
from tests.shared_data import module_data

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def plan_pks(django_db_setup, django_db_blocker):
    """The published plan and the draft beside it, built once for the module (~0.5 s each);
    every test sees both and its own changes are rolled back (tests/shared_data.py). A test
    that needs a database without them is in tests/actionplan/test_views_demo.py."""
    with module_data(django_db_blocker):
        plan = build_rich_plan(slug="leipzig")
        draft = build_rich_plan(slug="entwurf", status=ap.Plan.Status.DRAFT)
        yield {"plan": plan.pk, "draft": draft.pk}


@pytest.fixture
def plan(plan_pks, db):
    return ap.Plan.objects.get(pk=plan_pks["plan"])


@pytest.fixture
def draft(plan_pks, db):
    return ap.Plan.objects.get(pk=plan_pks["draft"])


def _measures(plan):
    return list(ap.Measure.objects.filter(field__plan=plan).order_by("field__position", "position"))


def _page_urls(plan):
    field = plan.fields.order_by("position").first()
    measure = _measures(plan)[0]
    return {
        "plan": plan.get_absolute_url(),
        "field": field.get_absolute_url(),
        "measure": measure.get_absolute_url(),
        "timeline": reverse("actionplan:plan_timeline", kwargs={"plan_slug": plan.slug}),
        "list": reverse("actionplan:measure_list", kwargs={"plan_slug": plan.slug}),
    }


def _text(response) -> str:
    return response.content.decode()


def _list(client, plan, **params):
    url = reverse("actionplan:measure_list", kwargs={"plan_slug": plan.slug})
    response = client.get(url, params)
    assert response.status_code == 200
    return response


def _listed_titles(response) -> list[str]:
    return [m.title for m in response.context["page"].object_list]


# --- URLs and visibility ----------------------------------------------------------------------


def test_url_names_follow_the_contract(plan):
    field = plan.fields.first()
    measure = field.measures.first()
    assert reverse("actionplan:plan_list") == "/"
    assert plan.get_absolute_url() == "/plaene/leipzig/"
    assert field.get_absolute_url() == f"/plaene/leipzig/handlungsfelder/{field.slug}/"
    assert measure.get_absolute_url() == (
        f"/plaene/leipzig/handlungsfelder/{field.slug}/massnahmen/{measure.slug}/"
    )
    assert reverse("actionplan:plan_timeline", args=["leipzig"]) == "/plaene/leipzig/zeitplan/"
    assert reverse("actionplan:measure_list", args=["leipzig"]) == "/plaene/leipzig/massnahmen/"


@pytest.mark.parametrize("page", ["plan", "field", "measure", "timeline", "list"])
def test_published_page_answers_200_for_anonymous(client, plan, page):
    response = client.get(_page_urls(plan)[page])
    assert response.status_code == 200
    assert "draft-banner" not in _text(response)


@pytest.mark.parametrize("status", [ap.Plan.Status.DRAFT, ap.Plan.Status.ARCHIVED])
@pytest.mark.parametrize("page", ["plan", "field", "measure", "timeline", "list"])
def test_unpublished_page_answers_404_for_anonymous(client, draft, page, status):
    hidden = draft
    hidden.status = status
    hidden.save()
    assert client.get(_page_urls(hidden)[page]).status_code == 404


@pytest.mark.parametrize("page", ["plan", "field", "measure", "timeline", "list"])
def test_unpublished_page_answers_404_for_logged_in_non_staff(client, user, draft, page):
    client.force_login(user)
    assert client.get(_page_urls(draft)[page]).status_code == 404


@pytest.mark.parametrize("page", ["plan", "field", "measure", "timeline", "list"])
def test_draft_page_is_previewed_by_staff_with_banner(staff_client, draft, page):
    response = staff_client.get(_page_urls(draft)[page])
    assert response.status_code == 200
    assert "draft-banner" in _text(response)
    assert "Entwurf" in _text(response)


def test_field_and_measure_of_another_plan_answer_404(client, plan):
    other = build_rich_plan(slug="dresden")
    field = other.fields.get(position=1)
    measure = field.measures.first()
    field.slug = "nur-in-dresden"
    field.save()
    assert client.get(f"/plaene/leipzig/handlungsfelder/{field.slug}/").status_code == 404
    url = f"/plaene/leipzig/handlungsfelder/{field.slug}/massnahmen/{measure.slug}/"
    assert client.get(url).status_code == 404
    assert client.get("/plaene/gibt-es-nicht/").status_code == 404


def test_not_found_page_is_rendered_from_template(client, plan):
    response = client.get("/plaene/gibt-es-nicht/")
    assert response.status_code == 404
    assert "Seite nicht gefunden" in _text(response)


# --- plan index ---------------------------------------------------------------------------------


def test_plan_list_shows_published_plans_with_counts(client, plan, draft):
    response = client.get("/")
    assert response.status_code == 200
    plans = list(response.context["plans"])
    assert plans == [plan]
    assert (plans[0].field_count, plans[0].measure_count) == (5, 10)
    assert "entwurf" not in _text(response)
    assert "Mai 2011" in _text(response)


def test_plan_list_shows_drafts_to_staff(staff_client, plan, draft):
    response = staff_client.get("/")
    assert {p.slug for p in response.context["plans"]} == {"leipzig", "entwurf"}


def test_plan_list_says_when_nothing_is_published(client, plan, draft):
    plan.status = ap.Plan.Status.DRAFT
    plan.save()
    assert "Es sind noch keine Pläne veröffentlicht." in _text(client.get("/"))


# --- plan page ----------------------------------------------------------------------------------


def test_plan_detail_shows_overview_table_by_field(client, plan):
    response = client.get(plan.get_absolute_url())
    html = _text(response)
    assert "Gesamtübersicht der Maßnahmen" in html
    assert "Dieses Projekt wird aus Mitteln des EFRE kofinanziert." in html
    for measure in _measures(plan):
        assert measure.get_absolute_url() in html
    for field in plan.fields.all():
        assert field.get_absolute_url() in html
    row = re.search(r"Maßnahme Netzwerke A</a></td>(.*?)</tr>", html, re.S).group(1)
    assert "Aufbauwerk leipzig" in row
    assert "ab 03/2011" in row
    assert "Geplant" in row


def test_plan_detail_schedule_span_without_open_end(client, plan):
    ap.ScheduleEntry.objects.filter(start_date__isnull=False, end_date__isnull=True).delete()
    html = _text(client.get(plan.get_absolute_url()))
    assert "03/2011 – 12/2012" in html


def _overview_span(client, plan, measure) -> str:
    html = _text(client.get(plan.get_absolute_url()))
    row = re.search(rf">{re.escape(measure.title)}</a></td>(.*?)</tr>", html, re.S).group(1)
    return re.search(r'data-label="Zeitplan">([^<]*)<', row).group(1)


@pytest.mark.parametrize(
    ("labels", "span"),
    [
        # Leipzig, Marketing A: a deadline with no start does not hide the dated start.
        (
            ["ca. Juli 2011", "Umsetzung bis 2012", "im Anschluss an die Studie"],
            "07/2011 – 12/2012",
        ),
        (["Umsetzung bis 2012"], "bis 12/2012"),
        (["bis Ende 2011", "spätestens Juni 2012"], "bis 06/2012"),
        (["Juni 2011", "Start der Maßnahmen ab Q3 2011"], "ab 06/2011"),
        (["Januar 2011", "21. Februar 2011"], "01/2011 – 02/2011"),
        (["im Anschluss an Mapping"], "–"),
    ],
)
def test_plan_detail_schedule_span_from_parsed_labels(client, plan, labels, span):
    measure = _measures(plan)[0]
    measure.schedule.all().delete()
    for position, label in enumerate(labels, 1):
        ap.ScheduleEntry.objects.create(measure=measure, position=position, label=label)
    assert _overview_span(client, plan, measure) == span


def test_plan_detail_contacts_respect_consent(client, plan):
    html = _text(client.get(plan.get_absolute_url()))
    # Consenting project lead: own phone and e-mail.
    assert "0341/1234280" in html
    assert "susanne@leipzig.example.org" in html
    # Without consent: the organisation's contact instead of the person's own.
    assert "0341/999-SECRET" not in html
    assert "secret@leipzig.example.org" not in html
    shy = ap.FieldContact.objects.filter(field__plan=plan, person__public_contact=False).first()
    assert shy.person.organisation.email in html
    assert "Kontakt über die Organisation" in html


# --- field page ---------------------------------------------------------------------------------


def test_field_detail_groups_baseline_by_swot(client, plan):
    field = plan.fields.get(position=1)
    response = client.get(field.get_absolute_url())
    html = _text(response)
    labels = [str(label) for label, _ in response.context["baseline_groups"]]
    assert labels == ["Stärken", "Schwächen", "weitere Befunde"]
    assert html.index("<h3>Stärken") < html.index("<h3>Schwächen") < html.index("Weitere Befunde")
    assert "Zielzustand für Netzwerke." in html
    assert "Aufbauwerk leipzig" in html
    for measure in field.measures.all():
        assert measure.get_absolute_url() in html


def test_field_detail_unclassified_baseline_is_one_plain_list(client, plan):
    field = plan.fields.get(position=2)
    response = client.get(field.get_absolute_url())
    assert [label for label, _ in response.context["baseline_groups"]] == [""]
    assert "Weitere Befunde" not in _text(response)


# --- measure page -------------------------------------------------------------------------------


def test_measure_detail_shows_every_section(client, plan):
    measure = _measures(plan)[0]
    response = client.get(measure.get_absolute_url())
    html = _text(response)
    assert re.search(r"<li>Erfassung\s*<ul>\s*<li>Unterpunkt der Erfassung</li>", html)
    assert "Umsetzung der Schritte" in html
    assert "Stadtverwaltung" in html
    assert "März 2011 – Dezember 2012: Umsetzung" in html
    assert "im Anschluss an Mapping" in html
    assert html.count('class="tl-bar') == 2
    assert "tl-bar--open-end" in html
    assert "<h3>Federführung</h3>" in html and "<h3>Tutor/in</h3>" in html
    assert "Einrichtung und Unterhaltung" in html
    assert "12.500,00" in html and "15.000,00" in html and "1.000,50" in html
    assert "Geplant" in html
    # breadcrumb back to field and plan
    crumbs = re.search(r'<nav class="breadcrumb".*?</nav>', html, re.S).group(0)
    assert plan.get_absolute_url() in crumbs and measure.field.get_absolute_url() in crumbs


def test_measure_detail_budget_total_only_where_amounts_given(client, plan):
    measure = _measures(plan)[0]
    ap.BudgetLine.objects.filter(measure=measure).update(planned_amount=None, actual_amount=None)
    response = client.get(measure.get_absolute_url())
    assert response.context["budget_planned_total"] is None
    assert "<tfoot>" not in _text(response)
    assert "Personalkosten" in _text(response)


def test_measure_detail_lists_related_measures_in_both_directions(client, plan):
    m0, _, m2, m3, *_ = _measures(plan)
    assert {m.pk for m in client.get(m0.get_absolute_url()).context["related_measures"]} == {
        m2.pk,
        m3.pk,
    }
    # m2 only appears as a target of m0: the reverse direction shows it too.
    assert [m.pk for m in client.get(m2.get_absolute_url()).context["related_measures"]] == [m0.pk]


def test_measure_detail_hides_related_measures_of_drafts(staff_client, plan, draft):
    client = Client()
    measure = _measures(plan)[0]
    hidden = _measures(draft)[0]
    measure.related_measures.add(hidden)
    _measures(draft)[1].related_measures.add(measure)
    anonymous = _text(client.get(measure.get_absolute_url()))
    assert hidden.get_absolute_url() not in anonymous
    assert "entwurf" not in anonymous
    staff = _text(staff_client.get(measure.get_absolute_url()))
    assert hidden.get_absolute_url() in staff


def test_measure_detail_escapes_user_text(client, plan):
    measure = _measures(plan)[0]
    StepFactory(measure=measure, position=99, text="<script>alert(1)</script>")
    measure.title = 'Titel <img src=x onerror="alert(2)">'
    measure.save()
    html = _text(client.get(measure.get_absolute_url()))
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in html


def test_measure_without_schedule_budget_or_steps_says_so(client, plan):
    field = plan.fields.get(position=1)
    bare = ap.Measure.objects.create(
        field=field, position=9, title="Leer", slug="leer", state=ap.Measure.State.PUBLISHED
    )
    html = _text(client.get(bare.get_absolute_url()))
    assert "Es sind keine Einzelschritte erfasst." in html
    assert "Es ist kein Zeitplan erfasst." in html
    assert "Es sind keine Budgetlinien erfasst." in html
    # the side column says so too, instead of a bare dash
    assert html.count("Keine Angaben.") == 2  # target groups, responsibility
    assert "Keine verbundenen Maßnahmen." in html


def test_measure_schedule_shows_each_date_once(client, plan):
    """The phrase as written where it says more than its date, the date alone where it does
    not; never the date again in brackets (tests/actionplan/test_schedule_display.py)."""
    measure = _measures(plan)[0]
    measure.schedule.all().delete()
    for position, label in enumerate(
        ["21. Februar 2011: Vorstellung", "2011 - 2012", "Januar 2011: Arbeitsaufnahme"], 1
    ):
        ap.ScheduleEntry.objects.create(measure=measure, position=position, label=label)
    html = _text(client.get(measure.get_absolute_url()))
    assert "<li>21. Februar 2011: Vorstellung</li>" in html
    assert "<li>2011–2012</li>" in html
    assert "<li>Januar 2011: Arbeitsaufnahme</li>" in html
    assert "(21.02.2011)" not in html and "(2011 – 2012)" not in html and "(01/2011)" not in html


def test_measure_budget_without_amounts_has_no_amount_columns(client, plan):
    measure = _measures(plan)[0]
    html = _text(client.get(measure.get_absolute_url()))
    assert "Geplant (EUR)" in html and "Der Plan nennt" not in html
    ap.BudgetLine.objects.filter(measure=measure).update(planned_amount=None, actual_amount=None)
    plan_touch(plan)  # QuerySet.update() sends no signal (actionplan/signals.py)
    html = _text(client.get(measure.get_absolute_url()))
    assert "Personalkosten" in html
    assert "Geplant (EUR)" not in html and "Tatsächlich (EUR)" not in html
    assert "Der Plan nennt für diese Budgetlinien keine Beträge." in html


def test_measure_names_people_with_their_salutation(client, plan):
    url = _measures(plan)[0].get_absolute_url()
    html = _text(client.get(url))
    # without consent the organisation stands for the person (tests/contacts/test_privacy.py)
    assert "Verborgen" not in html
    shy = ap.Responsibility.objects.get(measure=_measures(plan)[0], position=2).person
    shy.public_contact = True
    shy.save()
    html = _text(client.get(url))
    assert "<li>Herr Michael Verborgen-leipzig (" in html


def test_measure_and_field_name_their_plan_when_printed(client, plan):
    measure = _measures(plan)[0]
    for url in (measure.get_absolute_url(), measure.field.get_absolute_url()):
        html = _text(client.get(url))
        assert f'<span class="print-only">{plan.title} · </span>' in html
        assert f"Gedruckt von http://testserver{url}" in html


def test_contact_email_wraps_only_before_the_at_sign(client, plan):
    html = _text(client.get(plan.get_absolute_url()))
    assert (
        '<a href="mailto:susanne@leipzig.example.org"><span class="nowrap">susanne</span><wbr>'
        '<span class="nowrap">@leipzig.example.org</span></a>'
    ) in html


# --- timeline -----------------------------------------------------------------------------------


def test_plan_timeline_groups_entries_and_lists_undated(client, plan):
    response = client.get(reverse("actionplan:plan_timeline", args=[plan.slug]))
    html = _text(response)
    timeline = response.context["timeline"]
    assert [g.field.title for g in timeline.groups][:2] == ["Netzwerke", "Bildung & Beschäftigung"]
    assert html.count('class="tl-bar') == 20
    assert html.count("tl-bar--open-end") == 10
    assert "Einträge ohne Datum" in html
    assert len(timeline.undated) == 10
    # each bar's label states its dates once: the phrase as written, or the date alone
    assert html.count('<span class="tl-label">März 2011 – Dezember 2012: Umsetzung</span>') == 10
    assert html.count('<span class="tl-label">ab 3. Quartal 2011</span>') == 10
    assert 'visually-hidden">03/2011' not in html
    # the axis has a spare quarter for open ends; the intro names the real first and last date
    assert timeline.axis.end.isoformat() == "2013-03-31"
    assert "Datierte Zeitplan-Einträge von 03/2011 bis 12/2012" in html


def test_plan_timeline_without_dates_says_so(client, plan):
    ap.ScheduleEntry.objects.update(start_date=None, end_date=None)
    html = _text(client.get(reverse("actionplan:plan_timeline", args=[plan.slug])))
    assert "Kein Zeitplan-Eintrag dieses Plans hat ein Datum." in html
    assert "tl-bar" not in html


# --- measure list: filters and search -----------------------------------------------------------


def test_measure_list_unfiltered_shows_all_measures(client, plan, draft):
    response = _list(client, plan)
    assert len(_listed_titles(response)) == 10
    assert "10 Maßnahmen" in _text(response)


def test_measure_list_filters_by_field(client, plan):
    field = plan.fields.get(position=3)
    titles = _listed_titles(_list(client, plan, field=field.slug))
    assert titles == ["Maßnahme Marketing A", "Maßnahme Marketing B"]


def test_measure_list_filters_by_target_group(client, plan):
    group = ap.TargetGroup.objects.get(name="Unternehmen der KKW")
    titles = _listed_titles(_list(client, plan, target_group=group.pk))
    assert len(titles) == 5 and all(t.endswith(" B") for t in titles)


def test_measure_list_filters_by_organisation_and_role_on_the_same_responsibility(client, plan):
    agency = ap.Responsibility.objects.filter(measure__field__plan=plan, position=1).first()
    agency = agency.organisation
    assert len(_listed_titles(_list(client, plan, organisation=agency.pk))) == 5
    lead = ap.Responsibility.Role.LEAD
    assert len(_listed_titles(_list(client, plan, organisation=agency.pk, role=lead))) == 5
    tutor = ap.Responsibility.Role.TUTOR
    assert _listed_titles(_list(client, plan, organisation=agency.pk, role=tutor)) == []
    assert len(_listed_titles(_list(client, plan, role=tutor))) == 10


def test_measure_list_filters_by_status(client, plan):
    titles = _listed_titles(_list(client, plan, status="completed"))
    assert titles == ["Maßnahme Bildung & Beschäftigung B", "Maßnahme Marketing A"]


def _relabel(entries, label):
    """Give schedule entries a new label; the schedule parser dates them from it on save."""
    for entry in entries:
        entry.label = label
        entry.save()


def test_measure_list_filters_by_year(client, plan):
    ap.ScheduleEntry.objects.filter(label="ab Q3 2011").delete()
    late = _measures(plan)[-1]
    _relabel(late.schedule.filter(position=1), "Januar bis März 2014")
    assert late.schedule.get(position=1).start_date == datetime.date(2014, 1, 1)
    assert _listed_titles(_list(client, plan, year=2014)) == [late.title]
    assert late.title not in _listed_titles(_list(client, plan, year=2011))
    assert len(_listed_titles(_list(client, plan, year=2012))) == 9
    assert _listed_titles(_list(client, plan, year=2013)) == []


def test_measure_list_year_includes_open_ended_entries(client, plan):
    _relabel(ap.ScheduleEntry.objects.filter(position=1), "März bis Dezember 2011")
    first = _measures(plan)[0]
    _relabel(first.schedule.filter(position=1), "Januar 2013")
    # “ab Q3 2011” has no end, so it runs into 2013 as well.
    assert len(_listed_titles(_list(client, plan, year=2013))) == 10
    ap.ScheduleEntry.objects.filter(label="ab Q3 2011").delete()
    assert _listed_titles(_list(client, plan, year=2013)) == [first.title]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Marketing", ["Maßnahme Marketing A", "Maßnahme Marketing B"]),  # title
        ("marketing stadtentwicklung", []),  # every word must match
        ("beschreibung", 5),  # description, case-insensitive
        ("Unterpunkt", 10),  # sub-step text
        ("Befund Netzwerke", ["Maßnahme Netzwerke A", "Maßnahme Netzwerke B"]),  # baseline
        ("Kein-Treffer-xyz", []),
    ],
)
def test_measure_list_searches_titles_steps_and_baseline(client, plan, query, expected):
    titles = _listed_titles(_list(client, plan, q=query))
    if isinstance(expected, int):
        assert len(titles) == expected
    else:
        assert titles == expected


def test_measure_list_search_finds_a_single_step(client, plan):
    measure = _measures(plan)[4]
    StepFactory(measure=measure, position=50, text="Programmierung einer API-Schnittstelle")
    assert _listed_titles(_list(client, plan, q="api-schnittstelle")) == [measure.title]


def test_measure_list_combines_search_and_filters(client, plan):
    field = plan.fields.get(position=1)
    titles = _listed_titles(_list(client, plan, q="Befund", field=field.slug, status="planned"))
    assert titles == ["Maßnahme Netzwerke A"]


def test_measure_list_empty_result_says_so(client, plan):
    html = _text(_list(client, plan, q="nichts-passt-hierzu"))
    assert "Keine Maßnahme entspricht diesen Filtern." in html
    assert "0 Maßnahmen" in html


def test_measure_list_filter_is_kept_in_the_url_and_form(client, plan):
    field = plan.fields.get(position=3)
    html = _text(_list(client, plan, q="Maßnahme", field=field.slug, status="postponed"))
    assert 'value="Maßnahme"' in html
    assert f'<option value="{field.slug}" selected>' in html
    assert '<option value="postponed" selected>' in html
    assert 'method="get"' in html


@pytest.mark.parametrize(
    "params",
    [
        {"field": "gibt-es-nicht"},
        {"target_group": "abc"},
        {"target_group": "999999"},
        {"organisation": "-1"},
        {"role": "king"},
        {"status": "bogus"},
        {"year": "zwanzig"},
        {"year": "1850"},
        {"page": "zzz"},
        {"page": "99999"},
        {"q": "a\x00b"},
        {"q": "x" * 500},
        {"field": ["a", "b"], "year": ["2011", "x"]},
    ],
)
def test_measure_list_bad_params_never_fail(client, plan, params):
    response = _list(client, plan, **params)
    assert response.context["page"].paginator.count == 10 or "page" not in params


def test_measure_list_reports_invalid_values(client, plan):
    html = _text(_list(client, plan, status="bogus", q="Marketing"))
    assert "Einige Filterwerte waren ungültig" in html
    assert "2 Maßnahmen" in html  # the valid search still applies


def test_measure_list_choices_only_show_what_the_plan_uses(client, plan, draft):
    TargetGroupFactory(name="Nirgends verwendet")
    OrganisationFactory(name="Unbeteiligtes Amt")
    html = _text(_list(client, plan))
    assert "Nirgends verwendet" not in html
    assert "Unbeteiligtes Amt" not in html
    assert "Aufbauwerk entwurf" not in html  # organisations only in the draft


def test_measure_list_of_draft_is_404_and_search_never_leaks_drafts(client, plan, draft):
    url = reverse("actionplan:measure_list", args=[draft.slug])
    assert client.get(url, {"q": "Maßnahme"}).status_code == 404
    ap.Step.objects.create(measure=_measures(draft)[0], position=77, text="Geheimwort im Entwurf")
    assert _listed_titles(_list(client, plan, q="Geheimwort")) == []


def test_measure_list_paginates_and_keeps_filters(client, plan, settings, monkeypatch):
    monkeypatch.setattr("actionplan.views.MEASURES_PER_PAGE", 4)
    response = _list(client, plan, status="", q="Maßnahme")
    html = _text(response)
    assert len(_listed_titles(response)) == 4
    assert "Seite 1 von 3" in html
    # the filters in their canonical order (public_cache.canonical_request sorts them)
    assert "?q=Ma%C3%9Fnahme&amp;status=&amp;page=2" in html
    assert len(_listed_titles(_list(client, plan, q="Maßnahme", page=3))) == 2


# --- staff extras -------------------------------------------------------------------------------


def test_staff_sees_edit_links_to_the_admin(staff_client, plan):
    urls = _page_urls(plan)
    measure = _measures(plan)[0]
    field = plan.fields.get(position=1)
    pairs = [
        ("plan", "actionplan_plan_change", plan.pk),
        ("field", "actionplan_fieldofaction_change", field.pk),
        ("measure", "actionplan_measure_change", measure.pk),
    ]
    for page, name, pk in pairs:
        edit = reverse(f"admin:{name}", args=[pk])
        assert f'href="{edit}"' in _text(staff_client.get(urls[page]))
    assert "Bearbeiten" in _text(staff_client.get("/"))


def test_anonymous_and_non_staff_see_no_edit_links(client, user, plan):
    for page_url in [*_page_urls(plan).values(), "/"]:
        assert "/admin/" not in _text(client.get(page_url))
    client.force_login(user)
    for page_url in _page_urls(plan).values():
        assert "/admin/" not in _text(client.get(page_url))


CONTEXT_NAMES = {ap.Plan: "plan", ap.FieldOfAction: "field", ap.Measure: "measure"}


def _view_on_site_links(html: str) -> list[str]:
    return re.findall(r'<a href="([^"]+)" class="viewsitelink">', html)


@pytest.mark.parametrize("status", [ap.Plan.Status.PUBLISHED, ap.Plan.Status.DRAFT])
def test_admin_view_on_site_opens_the_public_page(staff_client, status):
    plan = build_rich_plan(slug="vorschau", status=status)
    field = plan.fields.get(position=1)
    measure = field.measures.get(position=1)
    for obj in (plan, field, measure):
        opts = obj._meta
        change = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
        html = _text(staff_client.get(change))
        assert "Auf der Website anzeigen" in html
        [link] = _view_on_site_links(html)
        response = staff_client.get(link, follow=True)
        assert response.redirect_chain[-1][0].endswith(obj.get_absolute_url())
        assert response.status_code == 200
        assert response.context[CONTEXT_NAMES[type(obj)]] == obj
        assert ("draft-banner" in _text(response)) is (status == ap.Plan.Status.DRAFT)


def _public_targets(client, html: str) -> set[str]:
    """Where the admin's “view on site” shortcuts (/admin/r/<type>/<pk>/) of a page lead."""
    links = set(re.findall(r'href="(/admin/r/\d+/\d+/)"', html))
    return {urlsplit(client.get(link)["Location"]).path for link in links}


def test_admin_inlines_link_fields_and_measures_to_their_public_pages(staff_client, plan):
    html = _text(staff_client.get(reverse("admin:actionplan_plan_change", args=[plan.pk])))
    fields = plan.fields.all()
    assert _public_targets(staff_client, html) == {
        plan.get_absolute_url(),
        *(f.get_absolute_url() for f in fields),
    }
    field = fields[0]
    html = _text(
        staff_client.get(reverse("admin:actionplan_fieldofaction_change", args=[field.pk]))
    )
    assert _public_targets(staff_client, html) == {
        field.get_absolute_url(),
        *(m.get_absolute_url() for m in field.measures.all()),
    }


# --- language, titles and meta ------------------------------------------------------------------


def test_pages_are_german_by_default_and_english_under_en(client, plan):
    default = _text(client.get(plan.get_absolute_url()))
    assert '<html lang="de">' in default
    assert "Gesamtübersicht der Maßnahmen" in default
    english = client.get("/en" + plan.get_absolute_url())
    assert english.status_code == 200
    html = _text(english)
    assert '<html lang="en">' in html
    assert "Overview of all measures" in html
    # untranslated plan content keeps its own language, marked as German (issue 21)
    assert '<h1><span lang="de">' in html
    assert '</span> <span class="in-german">(in German)</span>' in html.split("</h1>")[0]


def test_language_switch_links_to_the_same_page_in_the_other_language(client, plan):
    field = plan.fields.first()
    path = field.get_absolute_url()
    listing = reverse("actionplan:measure_list", args=[plan.slug])
    html = _text(client.get(path + "?x=1"))
    header = html.split("</header>")[0]
    # the language switch is a link, not a form (the header's only form is the site search)
    assert "setlang" not in header and 'method="post"' not in header
    assert header.count("<form") == 1 and '<form class="site-search"' in header
    # a parameter the page does not read is dropped (public_cache.canonical_request)
    assert f'href="/en{path}" hreflang="en"' in html and "x=1" not in html
    english = _text(client.get(f"/en{path}?x=1"))
    assert '<html lang="en">' in english
    # and back: the English page links to the German URL, which has no prefix
    assert f'href="{path}" hreflang="de"' in english
    # the parameters a page reads stay in the link
    assert f'href="/en{listing}?q=Wasser" hreflang="en"' in _text(client.get(f"{listing}?q=Wasser"))
    assert '<html lang="de">' in _text(client.get(path))
    assert client.post("/i18n/setlang/", {"language": "en", "next": path}).status_code == 404


@pytest.mark.parametrize("page", ["plan", "field", "measure", "timeline", "list"])
def test_every_page_has_title_description_skip_link_and_landmarks(client, plan, page):
    html = _text(client.get(_page_urls(plan)[page]))
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    assert title.endswith("– Planwerk") and len(title) > len("– Planwerk") + 5
    description = re.search(r'<meta name="description" content="([^"]*)"', html).group(1)
    assert len(description) > 20
    assert '<a class="skip-link" href="#main">Zum Inhalt springen</a>' in html
    assert '<main id="main"' in html and "<header" in html and "<footer" in html
    assert html.count("<h1") == 1


# --- sitemap ------------------------------------------------------------------------------------


def test_sitemap_lists_published_content_only(client, plan, draft):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    xml = _text(response)
    for url in [plan.get_absolute_url(), *(_page_urls(plan).values())]:
        assert f"http://testserver{url}</loc>" in xml
        assert f"http://testserver/en{url}</loc>" in xml
    for measure in _measures(plan):
        assert measure.get_absolute_url() in xml
    assert "entwurf" not in xml


# --- cached plan fragments ----------------------------------------------------------------------


def _timeline_url(plan):
    return reverse("actionplan:plan_timeline", args=[plan.slug])


@pytest.mark.parametrize("page", ["plan", "timeline"])
def test_plan_wide_fragment_is_served_from_cache_without_its_queries(
    client, plan, page, django_assert_max_num_queries
):
    url = plan.get_absolute_url() if page == "plan" else _timeline_url(plan)
    first = _text(client.get(url))
    with CaptureQueriesContext(connection) as queries:
        second = _text(client.get(url))
    assert second == first
    tables = " ".join(q["sql"] for q in queries.captured_queries)
    assert "actionplan_scheduleentry" not in tables
    assert "actionplan_responsibility" not in tables


@pytest.mark.parametrize("page", ["plan", "timeline"])
def test_plan_wide_fragment_follows_every_change_of_the_plan(client, plan, page):
    url = plan.get_absolute_url() if page == "plan" else _timeline_url(plan)
    measure = _measures(plan)[0]
    assert "Maßnahme Netzwerke A" in _text(client.get(url))
    measure.title = "Neuer Titel der Maßnahme"
    measure.save()
    html = _text(client.get(url))
    assert "Neuer Titel der Maßnahme" in html and "Maßnahme Netzwerke A<" not in html
    entry = measure.schedule.get(label="ab Q3 2011")
    entry.label = "Abschluss Oktober 2013"
    entry.save()
    html = _text(client.get(url))
    assert ("03/2011 – 10/2013" if page == "plan" else "Abschluss Oktober 2013") in html
    organisation = measure.responsibilities.get(position=1).organisation
    organisation.name = "Umbenannte Agentur"
    organisation.save()
    if page == "plan":
        assert "Umbenannte Agentur" in _text(client.get(url))
    measure.delete()
    assert "Neuer Titel der Maßnahme" not in _text(client.get(url))


def test_plan_wide_fragment_is_cached_per_language(client, plan):
    # URLs first: a request to /en/ leaves English active in the test's thread
    plan_url, measure_url = plan.get_absolute_url(), _measures(plan)[0].get_absolute_url()
    german_page = _text(client.get(plan_url))
    english_page = _text(client.get("/en" + plan_url))
    assert "Geplant" in german_page and "Planned" not in german_page
    assert "Planned" in english_page and 'data-label="Zeitplan"' not in english_page
    assert f'href="/en{measure_url}"' in english_page
    assert f'href="{measure_url}"' in _text(client.get(plan_url))


def test_plan_wide_fragment_is_shared_but_the_page_still_knows_the_user(
    client, staff_client, plan, draft
):
    assert "Bearbeiten" not in _text(Client().get(plan.get_absolute_url()))
    assert "Plan bearbeiten" in _text(staff_client.get(plan.get_absolute_url()))
    assert "Plan bearbeiten" not in _text(Client().get(plan.get_absolute_url()))
    # a draft's cached overview does not open the draft to anyone else
    assert staff_client.get(draft.get_absolute_url()).status_code == 200
    assert Client().get(draft.get_absolute_url()).status_code == 404
    assert Client().get(_timeline_url(draft)).status_code == 404


def test_plan_without_change_stamp_is_rendered_fresh(client, plan):
    ap.Plan.objects.filter(pk=plan.pk).update(content_changed_at=None)
    assert "Maßnahme Netzwerke A" in _text(client.get(plan.get_absolute_url()))
    # a write that sends no signal is still seen, because nothing was cached
    ap.Measure.objects.filter(title="Maßnahme Netzwerke A").update(title="Ohne Signal")
    assert "Ohne Signal" in _text(client.get(plan.get_absolute_url()))


def test_plan_page_counts_its_measures_on_a_cache_hit(client, plan):
    client.get(plan.get_absolute_url())
    # Another host name: the full-page cache misses (the page prints its URL), the overview
    # fragment is a hit.
    response = client.get(plan.get_absolute_url(), HTTP_HOST="localhost")
    assert response.context["measure_count"] == 10
    description = re.search(r'<meta name="description" content="([^"]*)"', _text(response))
    assert "10 Maßnahmen" in description.group(1)


# --- crawl --------------------------------------------------------------------------------------

CRAWL_LIMIT = 400


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        # links with hreflang are the language switch: each crawl stays in its language
        if tag == "a" and not dict(attrs).get("hreflang"):
            self.hrefs.extend(v for k, v in attrs if k == "href" and v)


def _crawl(client, start: str = "/") -> dict[str, object]:
    """Follow every same-site link from ``start`` as the client; the response of each page.

    Admin, language switch and static files are left out, and so are pages of the measure list
    beyond the unfiltered first one (its filter links multiply without new content).
    """
    seen, queue = {}, [start]
    while queue:
        url = queue.pop(0)
        if url in seen:
            continue
        assert len(seen) < CRAWL_LIMIT, f"the crawl did not end after {CRAWL_LIMIT} pages"
        response = client.get(url)
        seen[url] = response
        assert response.status_code == 200, (url, response.status_code)
        parser = _Links()
        parser.feed(_text(response))
        for href in parser.hrefs:
            parts = urlsplit(urljoin(url, href))
            if parts.scheme not in ("", "http") or parts.netloc not in ("", "testserver"):
                continue
            if parts.path.startswith(("/admin", "/i18n", "/static")) or parts.query:
                continue
            if parts.path.endswith("/pdf/"):
                continue  # documents, not pages: tests/documents/test_pdf_links.py
            if parts.path.endswith((".ics", ".atom")):
                continue  # feeds, not pages: tests/feeds/
            if parts.path.endswith((".zip", ".json", ".jsonld")):
                continue  # open data downloads, not pages: tests/opendata/
            if parts.path not in seen:
                queue.append(parts.path)
    return seen


def _assert_crawl_finds_only(seen: dict, plan, hidden: list) -> None:
    expected = {plan.get_absolute_url(), *(f.get_absolute_url() for f in plan.fields.all())}
    expected |= {m.get_absolute_url() for m in _measures(plan)}
    assert expected <= set(seen), sorted(expected - set(seen))
    hidden_pks = {p.pk for p in hidden}
    for url, response in seen.items():
        shown = response.context.get("plan") if response.context else None
        assert shown is None or shown.pk not in hidden_pks, url
        assert all(f"/plaene/{p.slug}/" not in url for p in hidden), url
        for p in hidden:
            assert f"/plaene/{p.slug}/" not in _text(response), url


def test_crawl_from_start_page_reaches_everything_published_and_nothing_else(client, plan, draft):
    archived = build_rich_plan(slug="archiv", status=ap.Plan.Status.ARCHIVED)
    measure = _measures(plan)[0]
    measure.related_measures.add(_measures(draft)[0], _measures(archived)[0])
    _measures(draft)[1].related_measures.add(measure)
    seen = _crawl(client)
    _assert_crawl_finds_only(seen, plan, [draft, archived])
    # the English pages are reached the same way from the English start page
    english = _crawl(client, "/en/")
    assert {f"/en{url}" for url in seen} == set(english)
