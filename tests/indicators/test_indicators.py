"""Indicators: model and constraints, the rules (who sees, who enters values), history, the
JSON round trip, the public pages with their chart, query counts and the demo data."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse

from access import rules
from access.models import Membership
from actionplan import models as ap
from actionplan.export import plan_export_document
from imports.plan_document import PlanDocumentError, plan_document_import
from indicators.models import Indicator, IndicatorLink, IndicatorTarget, IndicatorValue
from indicators.selectors import Point, indicator_rows, summarise
from tests.actionplan.admin_support import change_form_data, inline_prefix
from tests.documents.pdf_factories import pdf_pages, requires_poppler
from tests.factories import OrganisationFactory, ResponsibilityFactory, UserFactory, build_plan
from tests.shared_data import module_data

pytestmark = pytest.mark.django_db

Role = Membership.Role


class World:
    pass


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """A published plan: measure 1 (organisation A, published) with an indicator that has a
    baseline, targets and values; measure 2 (draft) with an indicator linked only to it.
    A draft plan with an indicator. A coordinator, an editor for A, an editor for B."""
    with module_data(django_db_blocker):
        w = World()
        w.plan = build_plan(fields=1, measures_per_field=2, steps_per_measure=1, slug="offen")
        w.draft_plan = build_plan(
            fields=1, measures_per_field=1, steps_per_measure=1, status="draft", slug="entwurf"
        )
        w.field = w.plan.fields.get()
        w.m_pub, w.m_draft = ap.Measure.objects.filter(field=w.field).order_by("position")
        w.m_pub.state = ap.Measure.State.PUBLISHED
        w.m_pub.save()
        w.m_draft.state = ap.Measure.State.DRAFT
        w.m_draft.save()
        w.org_a, w.org_b = OrganisationFactory(name="Org A"), OrganisationFactory(name="Org B")
        ap.Responsibility.objects.filter(measure__field__plan=w.plan).delete()
        ResponsibilityFactory(measure=w.m_pub, organisation=w.org_a, position=1)
        ResponsibilityFactory(measure=w.m_draft, organisation=w.org_b, position=1)
        w.coordinator = UserFactory(username="koordination", is_staff=True)
        w.editor_a = UserFactory(username="redaktion-a", is_staff=True)
        w.editor_b = UserFactory(username="redaktion-b", is_staff=True)
        for user, role, org in (
            (w.coordinator, Role.COORDINATOR, None),
            (w.editor_a, Role.EDITOR, w.org_a),
            (w.editor_b, Role.EDITOR, w.org_b),
        ):
            Membership.objects.create(user=user, plan=w.plan, role=role, organisation=org)
        w.visitors = Indicator.objects.create(
            plan=w.plan,
            name="Besucher",
            unit="Besucher",
            update_interval=Indicator.Interval.YEARLY,
            baseline_value=Decimal("100"),
            baseline_date=datetime.date(2011, 1, 1),
        )
        IndicatorLink.objects.create(indicator=w.visitors, field=w.field, measure=w.m_pub)
        IndicatorLink.objects.create(
            indicator=w.visitors, field=w.field, kind=IndicatorLink.Kind.INFLUENCED_BY
        )
        IndicatorTarget.objects.create(indicator=w.visitors, date="2012-12-31", value=200)
        IndicatorTarget.objects.create(indicator=w.visitors, date="2014-12-31", value=300)
        IndicatorValue.objects.create(indicator=w.visitors, date="2011-12-31", value=140)
        IndicatorValue.objects.create(indicator=w.visitors, date="2012-06-30", value="1234.5")
        w.hidden = Indicator.objects.create(plan=w.plan, name="Nur Entwurf", slug="nur-entwurf")
        IndicatorLink.objects.create(indicator=w.hidden, field=w.field, measure=w.m_draft)
        w.draft_indicator = Indicator.objects.create(plan=w.draft_plan, name="Entwurfsplan")
        IndicatorLink.objects.create(indicator=w.draft_indicator, field=w.draft_plan.fields.get())
        yield w


def url(indicator):
    return indicator.get_absolute_url()


# --- model and constraints ----------------------------------------------------------------------


def test_indicator_slug_from_name_and_unique_per_plan(world):
    assert world.visitors.slug == "besucher"
    duplicate = Indicator(plan=world.plan, name="Besucher")
    with pytest.raises(ValidationError) as exc:
        duplicate.full_clean()
    assert "schon einen Indikator mit diesem Kürzel" in str(exc.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        Indicator.objects.create(plan=world.plan, name="Besucher", slug="besucher")
    # another plan may use the same slug
    Indicator.objects.create(plan=world.draft_plan, name="Besucher", slug="besucher")


def test_indicator_baseline_value_needs_its_date(world):
    indicator = Indicator(plan=world.plan, name="Ohne Datum", baseline_value=Decimal(5))
    with pytest.raises(ValidationError) as exc:
        indicator.full_clean()
    assert "baseline_date" in exc.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        Indicator.objects.create(plan=world.plan, name="X", slug="x", baseline_value=5)


def test_link_measure_must_belong_to_the_field_and_plan(world):
    other_field = world.draft_plan.fields.get()
    link = IndicatorLink(indicator=world.visitors, field=other_field)
    with pytest.raises(ValidationError) as exc:
        link.full_clean()
    assert "field" in exc.value.message_dict
    other_measure = ap.Measure.objects.get(field=other_field)
    link = IndicatorLink(indicator=world.visitors, field=world.field, measure=other_measure)
    with pytest.raises(ValidationError) as exc:
        link.full_clean()
    assert "measure" in exc.value.message_dict
    # written past clean, the link still names the measure's own field
    link = IndicatorLink(indicator=world.hidden, field=other_field, measure=world.m_pub)
    link.save()
    assert link.field_id == world.field.pk


def test_target_and_value_one_per_date(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        IndicatorValue.objects.create(indicator=world.visitors, date="2011-12-31", value=1)
    with pytest.raises(ValidationError):
        IndicatorTarget(indicator=world.visitors, date="2012-12-31", value=1).full_clean()


def test_values_are_history_tracked(world):
    value = world.visitors.values.get(date=datetime.date(2011, 12, 31))
    before = value.history.count()
    value.value = Decimal("150")
    value._change_reason = "korrigiert"
    value.save()
    assert value.history.count() == before + 1
    assert value.history.first().history_change_reason == "korrigiert"
    assert value.history.first().value == Decimal("150")
    assert value.history.all()[1].value == Decimal("140")


# --- standing against targets ----------------------------------------------------------------


def test_summarise_distance_and_on_track():
    baseline = Point(datetime.date(2011, 1, 1), Decimal(100))
    targets = [Point(datetime.date(2013, 1, 1), Decimal(300))]
    # halfway in time (2012-01-01 is 365 of 731 days): expected 100 + 200 * 365/731 ≈ 199.9
    on = datetime.date(2012, 1, 1)
    ahead = summarise(
        direction="increase",
        baseline=baseline,
        values=[Point(on, Decimal(210))],
        targets=targets,
        on=on,
    )
    assert ahead.distance == Decimal(90)
    assert ahead.on_track is True
    behind = summarise(
        direction="increase",
        baseline=baseline,
        values=[Point(on, Decimal(150))],
        targets=targets,
        on=on,
    )
    assert behind.on_track is False
    # lower is better: the same value is ahead
    lower = summarise(
        direction="decrease",
        baseline=Point(datetime.date(2011, 1, 1), Decimal(300)),
        values=[Point(on, Decimal(150))],
        targets=[Point(datetime.date(2013, 1, 1), Decimal(100))],
        on=on,
    )
    assert lower.on_track is True
    assert lower.distance == Decimal(-50)
    nothing = summarise(direction="increase", baseline=None, values=[], targets=targets, on=on)
    assert nothing.latest is None and nothing.distance is None and nothing.on_track is None


def test_indicator_rows_read_the_exported_document(world):
    document = plan_export_document(world.plan)
    rows = {row.key: row for row in indicator_rows(document, on=datetime.date(2012, 7, 1))}
    row = rows["besucher"]
    assert row.baseline == Point(datetime.date(2011, 1, 1), Decimal(100))
    assert row.latest == Point(datetime.date(2012, 6, 30), Decimal("1234.5"))
    assert row.next_target == Point(datetime.date(2012, 12, 31), Decimal(200))
    assert row.distance == Decimal("-1034.5")
    assert row.on_track is True
    assert row.field_keys == [world.field.slug]
    assert row.measure_keys == [f"{world.field.slug}/{world.m_pub.slug}"]
    # on an earlier day the later value does not count yet
    earlier = {r.key: r for r in indicator_rows(document, on=datetime.date(2012, 1, 1))}
    assert earlier["besucher"].latest.value == Decimal(140)
    assert indicator_rows({"plan": {}}, on=datetime.date(2012, 1, 1)) == []


# --- the rules -----------------------------------------------------------------------------------


def test_visible_indicators_for_anonymous_and_members(world):
    from django.contrib.auth.models import AnonymousUser

    everything = Indicator.objects.filter(pk__in=[i.pk for i in (world.visitors, world.hidden)])
    anonymous = set(rules.visible_indicators(AnonymousUser(), Indicator.objects.all()))
    assert world.visitors in anonymous
    assert world.hidden not in anonymous  # linked only to a draft measure
    assert world.draft_indicator not in anonymous  # a draft plan
    staff = UserFactory(username="staff-ohne-rolle", is_staff=True)
    assert set(rules.visible_indicators(staff, Indicator.objects.all())) == anonymous
    assert set(rules.visible_indicators(world.editor_a, everything)) == set(everything)


def test_editor_enters_values_only_for_indicators_of_their_measures(world):
    assert rules.may_enter_indicator_values(world.editor_a, world.visitors)
    assert not rules.may_enter_indicator_values(world.editor_b, world.visitors)
    assert rules.may_enter_indicator_values(world.editor_b, world.hidden)
    assert rules.may_enter_indicator_values(world.coordinator, world.hidden)
    value = world.visitors.values.first()
    assert rules.can_change(world.editor_a, value)
    assert not rules.can_change(world.editor_b, value)
    # indicators themselves, their targets and links are the coordinator's
    assert not rules.can_change(world.editor_a, world.visitors)
    assert not rules.can_change(world.editor_a, world.visitors.targets.first())
    assert rules.can_change(world.coordinator, world.visitors.links.first())


def test_editor_value_form_offers_only_their_indicators(client, world):
    client.force_login(world.editor_a)
    add = reverse("admin:indicators_indicatorvalue_add")
    response = client.get(add)
    assert response.status_code == 200
    choices = {str(c[0]) for c in response.context["adminform"].form.fields["indicator"].choices}
    assert str(world.visitors.pk) in choices and str(world.hidden.pk) not in choices
    data = {"indicator": world.visitors.pk, "date": "31.12.2013", "value": "2.345,5"}
    response = client.post(add, data)
    assert response.status_code == 302
    created = IndicatorValue.objects.get(indicator=world.visitors, date="2013-12-31")
    assert created.value == Decimal("2345.5")
    assert created.history.first().history_user == world.editor_a
    # another editor's indicator: an invalid choice, nothing written
    response = client.post(add, {**data, "indicator": world.hidden.pk})
    assert response.status_code == 200
    assert "indicator" in response.context["adminform"].form.errors
    # the same date again: a form error, not an IntegrityError
    response = client.post(add, data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors


def test_coordinator_indicator_admin_with_inlines(client, world):
    client.force_login(world.coordinator)
    change = reverse("admin:indicators_indicator_change", args=[world.visitors.pk])
    response = client.get(change)
    assert response.status_code == 200
    assert response.context["has_change_permission"] is True
    names = [f.opts.model._meta.model_name for f in response.context["inline_admin_formsets"]]
    assert names == ["indicatortarget", "indicatorlink", "indicatorvalue"]
    client.force_login(world.editor_a)
    response = client.get(change)
    assert response.context["has_change_permission"] is False
    assert client.post(change, {}).status_code == 403


def test_link_rows_choose_the_measure_by_autocomplete_within_the_coordinated_plan(client, world):
    client.force_login(world.coordinator)
    change = reverse("admin:indicators_indicator_change", args=[world.visitors.pk])
    response = client.get(change)
    links = next(
        f for f in response.context["inline_admin_formsets"] if f.opts.model is IndicatorLink
    )
    row = next(f for f in links.formset.forms if f.instance.measure_id == world.m_pub.pk)
    html = str(row["measure"])
    assert "admin-autocomplete" in html
    assert 'data-ajax--url="/admin/autocomplete/"' in html
    # only the chosen measure is printed; the others come from the autocomplete
    assert html.count("<option") == 2  # the empty choice and the linked measure
    assert f'<option value="{world.m_pub.pk}" selected>' in html
    assert world.m_draft.title not in html

    search = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "indicators", "model_name": "indicatorlink", "field_name": "measure"},
    )
    assert search.status_code == 200
    assert {r["id"] for r in search.json()["results"]} >= {
        str(world.m_pub.pk),
        str(world.m_draft.pk),
    }

    # a measure of another plan is refused with a message, not saved
    data = change_form_data(response)
    prefix = inline_prefix(response, IndicatorLink)
    other = world.draft_plan.fields.get().measures.get()
    data[f"{prefix}-0-measure"] = str(other.pk)
    refused = client.post(change, data)
    assert refused.status_code == 200
    refused_links = next(
        f for f in refused.context["inline_admin_formsets"] if f.opts.model is IndicatorLink
    )
    assert "gültige Auswahl" in str(refused_links.formset.errors[0]["measure"])
    assert not IndicatorLink.objects.filter(measure=other).exists()
    assert IndicatorLink.objects.filter(indicator=world.visitors, measure=world.m_pub).exists()


# --- the plan document ------------------------------------------------------------------------


def test_json_round_trip_changes_nothing_and_reports_changes(world):
    document = plan_export_document(world.plan)
    entries = {e["key"]: e for e in document["plan"]["indicators"]}
    assert entries["besucher"]["baseline"] == {"value": "100", "date": "2011-01-01"}
    assert entries["besucher"]["values"][1]["value"] == "1234.5"
    assert {"field": world.field.slug, "measure": None, "kind": "influenced_by"} in entries[
        "besucher"
    ]["links"]
    assert plan_document_import(data=document).changes == []
    entries["besucher"]["values"][0]["value"] = "141"
    entries["besucher"]["targets"].append({"date": "2016-12-31", "value": "400", "note": ""})
    document["plan"]["indicators"].remove(entries["nur-entwurf"])
    result = plan_document_import(data=document)
    assert sorted((c.action, c.label.split()[-1]) for c in result.changes) == [
        ("changed", "besucher"),
        ("deleted", "nur-entwurf"),
    ]
    assert world.visitors.values.get(date="2011-12-31").value == Decimal(141)
    assert world.visitors.targets.filter(date="2016-12-31").exists()
    assert not Indicator.objects.filter(pk=world.hidden.pk).exists()
    assert plan_document_import(data=plan_export_document(world.plan)).changes == []


def test_json_document_without_indicators_key_leaves_them(world):
    document = plan_export_document(world.plan)
    del document["plan"]["indicators"]
    assert plan_document_import(data=document).changes == []
    assert Indicator.objects.filter(plan=world.plan).count() == 2


def test_json_invalid_indicator_entries_are_refused_with_paths(world):
    document = plan_export_document(world.plan)
    entry = document["plan"]["indicators"][0]
    entry["direction"] = "sideways"
    entry["values"].append({"date": "2011-12-31", "value": "NaN"})
    entry["links"].append({"field": "gibt-es-nicht", "measure": None, "kind": "measures"})
    with pytest.raises(PlanDocumentError) as exc:
        plan_document_import(data=document)
    paths = {path for path, _message in exc.value.errors}
    assert "plan.indicators[0].direction" in paths
    assert "plan.indicators[0].values[2].value" in paths
    assert "plan.indicators[0].values[2].date" in paths
    assert "plan.indicators[0].links[2].field" in paths


def test_public_document_leaves_out_what_anonymous_users_do_not_see(world):
    public = plan_export_document(world.plan, public_only=True)
    keys = [e["key"] for e in public["plan"]["indicators"]]
    assert keys == ["besucher"]
    assert plan_export_document(world.draft_plan, public_only=True)["plan"]["indicators"] == []


# --- the public pages ---------------------------------------------------------------------------


def test_indicator_page_chart_and_table(client, world):
    response = client.get(url(world.visitors))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="img"' in html and '<title id="indicator-chart-title">' in html
    assert '<desc id="indicator-chart-desc">' in html
    assert html.count("<circle") >= 3  # two values and the baseline
    assert html.count("<rect") >= 2  # two targets
    assert "1.234,5" in html  # the table, in German
    assert 'id="table-course"' in html
    assert "Beispielwerte" not in html


def test_drafts_indicators_invisible_to_anonymous_users_everywhere(client, world):
    assert client.get(url(world.hidden)).status_code == 404
    assert client.get(url(world.draft_indicator)).status_code == 404
    listing = client.get(reverse("indicators:indicator_list", args=[world.plan.slug]))
    assert "Besucher" in listing.content.decode()
    assert "Nur Entwurf" not in listing.content.decode()
    field_page = client.get(world.field.get_absolute_url()).content.decode()
    assert "Besucher" in field_page and "Nur Entwurf" not in field_page
    progress = client.get(reverse("progress:plan_dashboard", args=[world.plan.slug]))
    assert "Nur Entwurf" not in progress.content.decode()
    assert "Besucher" in progress.content.decode()
    client.force_login(world.editor_b)
    assert client.get(url(world.hidden)).status_code == 200


def test_measure_page_shows_linked_indicator_with_distance(client, world):
    html = client.get(world.m_pub.get_absolute_url()).content.decode()
    assert 'id="table-linked-indicators"' in html
    assert url(world.visitors) in html


def test_indicator_pages_query_counts(client, world, django_assert_max_num_queries):
    for i in range(5):
        extra = Indicator.objects.create(plan=world.plan, name=f"Weitere {i}")
        IndicatorLink.objects.create(indicator=extra, field=world.field, measure=world.m_pub)
        for year in (2011, 2012, 2013):
            IndicatorValue.objects.create(indicator=extra, date=f"{year}-12-31", value=year)
    client.force_login(world.coordinator)  # no page cache for members
    with django_assert_max_num_queries(12):
        response = client.get(reverse("indicators:indicator_list", args=[world.plan.slug]))
    assert response.content.decode().count("Weitere") == 5
    with django_assert_max_num_queries(12):
        assert client.get(url(world.visitors)).status_code == 200


# --- demo data ------------------------------------------------------------------------------------


def test_leipzig_demo_indicators_marked_as_examples(client, world):
    call_command("load_demo_data", stdout=io.StringIO())
    plan = ap.Plan.objects.get(slug="leipzig-2011")
    indicators = {i.slug: i for i in plan.indicators.all()}
    assert set(indicators) == {
        "beratungen-kontaktstelle",
        "erfasste-akteursnetzwerke",
        "informationsgespraeche-finanzierung",
    }
    # only the example indicator holds figures, and it says so
    for indicator in indicators.values():
        if indicator.values.exists() or indicator.targets.exists():
            assert indicator.is_example
        assert "„" in indicator.description  # quotes the seed
    html = client.get(url(indicators["beratungen-kontaktstelle"])).content.decode()
    assert 'id="example-note"' in html and "Beispielwerte" in html
    before = plan_export_document(plan)
    call_command("load_demo_data", stdout=io.StringIO())
    assert plan_export_document(plan) == before


# --- documents ------------------------------------------------------------------------------------


@requires_poppler
def test_plan_pdf_has_the_indicator_chapter_with_its_chart(world):
    from documents.services import render

    text = "\n".join(pdf_pages(render("plan", world.plan, internal=False)))
    chapter = text[text.rindex("Indikatoren") :]
    assert "Besucher" in chapter
    assert "1.234,5" in chapter  # the table beside the chart
    assert "Ausgangslage" in chapter or "Ausgangswert" in chapter  # the chart's legend
    assert "Nur Entwurf" not in text  # linked only to a draft measure


def test_internal_plan_document_lists_every_indicator_public_only_the_public(world):
    from documents.services import document_html

    internal = document_html("plan", world.plan, internal=True)
    public = document_html("plan", world.plan, internal=False)
    assert 'id="indicators"' in internal and "Nur Entwurf" in internal
    assert 'id="indicators"' in public and "Nur Entwurf" not in public


def test_campaign_brief_shows_the_indicators_of_served_measures(world):
    from campaigns.models import Campaign
    from documents.services import document_html

    campaign = Campaign.objects.create(
        title="Kampagne", slug="kampagne-ind", region="Leipzig", status="published"
    )
    campaign.related_measures.add(world.m_pub, world.m_draft)
    html = document_html("campaign", campaign, internal=False)
    assert "Indikatoren dieser Maßnahmen" in html
    assert "Besucher" in html and "Nur Entwurf" not in html


# --- API ---------------------------------------------------------------------------------------


def test_api_lists_public_indicators_with_their_fields(client, world):
    rows = client.get("/api/v1/indicators/").json()["results"]
    assert [row["slug"] for row in rows] == ["besucher"]
    row = rows[0]
    assert row["baseline"] == {"date": "2011-01-01", "value": "100.0000"}
    assert row["direction"] == "increase" and row["update_interval"] == "yearly"
    assert [v["value"] for v in row["values"]] == ["140.0000", "1234.5000"]
    assert {"kind": "measures", "field": world.field.pk, "measure": world.m_pub.pk} in row["links"]
    assert row["url"].endswith(url(world.visitors))
    assert client.get(f"/api/v1/indicators/{world.hidden.pk}/").status_code == 404
    assert client.get(f"/api/v1/indicators/{world.draft_indicator.pk}/").status_code == 404
    client.force_login(world.editor_b)
    member = client.get(f"/api/v1/indicators/?plan={world.plan.pk}").json()["results"]
    assert {row["slug"] for row in member} == {"besucher", "nur-entwurf"}


# --- the whole-plan workbook ------------------------------------------------------------------


def _workbook_import(plan, content, name="plan.xlsx"):
    from imports.plan_workbook import plan_workbook_import

    return plan_workbook_import(
        plan=plan, content=content, file_name=name, acting_user=None, dry_run=False
    )


def test_workbook_round_trip_xlsx_and_csv_changes_nothing(world):
    from imports.plan_workbook import plan_workbook_csv_zip, plan_workbook_xlsx

    assert _workbook_import(world.plan, plan_workbook_xlsx(world.plan)).changes == []
    assert _workbook_import(world.plan, plan_workbook_csv_zip(world.plan), "p.zip").changes == []


def test_workbook_indicator_sheets_change_values_and_report_it(world):
    from openpyxl import load_workbook

    from imports.plan_workbook import plan_workbook_xlsx

    workbook = load_workbook(io.BytesIO(plan_workbook_xlsx(world.plan)))
    sheet = workbook["Indikatorwerte"]
    assert [c.value for c in sheet[1]] == ["Indikator", "Datum", "Wert", "Quelle", "Anmerkung"]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[2].value == Decimal("1234.5"))
    row[2].value = "1.300,25"
    out = io.BytesIO()
    workbook.save(out)
    changes = _workbook_import(world.plan, out.getvalue()).changes
    assert [(c.action, c.kind) for c in changes] == [("changed", "indicator")]
    assert world.visitors.values.get(date="2012-06-30").value == Decimal("1300.25")


def test_workbook_without_indicator_sheets_imports_unchanged(world):
    from openpyxl import load_workbook

    from imports.plan_workbook import plan_workbook_xlsx

    workbook = load_workbook(io.BytesIO(plan_workbook_xlsx(world.plan)))
    for title in ("Indikatoren", "Indikatorwerte", "Indikatorziele", "Indikatorverknüpfungen"):
        del workbook[title]
    out = io.BytesIO()
    workbook.save(out)
    assert _workbook_import(world.plan, out.getvalue()).changes == []
    assert world.plan.indicators.count() == 2


def test_open_data_carry_public_indicators_only(client, world):
    import json
    import zipfile

    response = client.get(reverse("opendata:plan_csv", args=[world.plan.slug]))
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    indicators_csv = archive.read("Indikatoren.csv").decode("utf-8-sig")
    assert "besucher" in indicators_csv and "nur-entwurf" not in indicators_csv
    assert "1234,50" in archive.read("Indikatorwerte.csv").decode("utf-8-sig")
    data = json.loads(client.get(reverse("opendata:plan_json", args=[world.plan.slug])).content)
    assert [i["key"] for i in data["plan"]["indicators"]] == ["besucher"]
    metadata = client.get(reverse("opendata:plan_metadata", args=[world.plan.slug])).json()
    csv_distribution = metadata["dcat:distribution"][0]
    assert "Indikatoren" in csv_distribution["dct:description"]


# --- reminders -------------------------------------------------------------------------------


def test_reminder_lists_indicator_values_due_for_editors_of_linked_measures(world):
    from reminders.selectors import digest_for
    from reminders.services import build_message, preference_for

    # yearly, latest value 30.06.2012: due from 30.06.2013
    before = digest_for(world.editor_a, today=datetime.date(2013, 6, 29), days_ahead=7)
    assert before.values_due == []
    digest = digest_for(world.editor_a, today=datetime.date(2013, 7, 1), days_ahead=7)
    assert [(d.indicator, d.due) for d in digest.values_due] == [
        (world.visitors, datetime.date(2013, 6, 30))
    ]
    assert not digest.is_empty
    # organisation B does not edit the measure the indicator is linked to
    other = digest_for(world.editor_b, today=datetime.date(2013, 7, 1), days_ahead=7)
    assert world.visitors not in [d.indicator for d in other.values_due]
    world.editor_a.email = "a@example.org"
    message = build_message(
        user=world.editor_a, preference=preference_for(world.editor_a), digest=digest
    )
    assert "Besucher" in message.body and f"?indicator={world.visitors.pk}" in message.body


def test_sitemap_lists_public_indicators_only(client, world):
    sitemap = client.get("/sitemap.xml").content.decode()
    assert url(world.visitors) in sitemap
    assert url(world.hidden) not in sitemap and url(world.draft_indicator) not in sitemap
