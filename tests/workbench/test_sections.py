"""Change forms in sections (workbench/sections.py): which fieldsets and inlines each section
holds, its row count, its error mark, and the HTML that works without JavaScript."""

import re

import pytest
from django.urls import reverse

from actionplan import models as ap
from tests.actionplan.admin_support import change_form_data, inline_prefix
from tests.campaigns.factories import build_full_campaign
from tests.factories import StaffUserFactory
from tests.workbench.support import ROWS, measure_with_many_rows

pytestmark = pytest.mark.django_db

MEASURE_SECTIONS = [
    "basics",
    "steps",
    "schedule",
    "responsibilities",
    "budget",
    "records",
    "links",
    "publication",
]


@pytest.fixture
def bench():
    return measure_with_many_rows()


def change_url(obj) -> str:
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


def get(client, user, url):
    client.force_login(user)
    return client.get(url, HTTP_ACCEPT_LANGUAGE="de")


@pytest.mark.parametrize("role", ["coordinator", "editor"])
def test_sections_measure_form_in_eight_sections_with_row_counts(client, bench, role):
    response = get(client, getattr(bench, role), change_url(bench.measure))

    assert response.status_code == 200
    sections = response.context["form_sections"]
    assert [s.key for s in sections] == MEASURE_SECTIONS
    assert {s.key: s.count for s in sections} == {
        "basics": None,
        "steps": ROWS["steps"],
        "schedule": ROWS["schedule"],
        "responsibilities": ROWS["responsibilities"],
        "budget": ROWS["budget"],
        "records": 0,
        "links": None,
        "publication": None,
    }
    assert not any(s.has_errors for s in sections)
    # Only the reason for the change stays outside, above the save buttons; no inline is left.
    assert [str(f.name) for f in response.context["unsectioned_fieldsets"]] == [
        "Änderungsgeschichte"
    ]
    assert response.context["unsectioned_inline_formsets"] == []
    html = response.content.decode()
    for title, count in [
        ("Einzelschritte", ROWS["steps"]),
        ("Zeitplan", ROWS["schedule"]),
        ("Verantwortung", ROWS["responsibilities"]),
        ("Budget", ROWS["budget"]),
        ("Beschlüsse und Dokumente", 0),
    ]:
        assert re.search(rf'{title} <span class="form-section-count"[^>]*>\({count}\)', html)
    for title in ["Grunddaten", "Verknüpfungen", "Veröffentlichung"]:
        assert f">{title}</a>" in html


def test_sections_without_javascript_every_section_is_an_open_details(client, bench):
    html = get(client, bench.coordinator, change_url(bench.measure)).content.decode()

    opened = re.findall(r'<details class="form-section[^"]*" id="section-([a-z]+)"[^>]*open>', html)
    assert opened == MEASURE_SECTIONS
    for key in MEASURE_SECTIONS:
        assert f'href="#section-{key}"' in html
    # Inline rows are placed in their sections, in the sections' order.
    positions = [html.index(f'id="{prefix}-group"') for prefix in ("steps", "schedule")]
    assert html.index('id="section-steps"') < positions[0] < html.index('id="section-schedule"')
    assert positions[1] < html.index('id="section-responsibilities"')


def test_sections_inline_cells_carry_their_column_label(client, bench):
    html = get(client, bench.coordinator, change_url(bench.measure)).content.decode()

    assert 'class="field-text" data-label="Text"' in html
    assert 'class="field-start_date" data-label="Beginn"' in html
    assert 'class="delete" data-label="Löschen?"' in html


def test_sections_refused_save_marks_the_section_with_the_error(client, bench):
    url = change_url(bench.measure)
    response = get(client, bench.coordinator, url)
    data = change_form_data(response)
    prefix = inline_prefix(response, ap.ScheduleEntry)
    data[f"{prefix}-0-label"] = ""  # required

    refused = client.post(url, data, HTTP_ACCEPT_LANGUAGE="de")

    assert refused.status_code == 200
    marked = {s.key for s in refused.context["form_sections"] if s.has_errors}
    assert marked == {"schedule"}
    html = refused.content.decode()
    assert 'class="form-section has-errors" id="section-schedule"' in html
    assert "Zeitplan" in html and "(Fehler)" in html


def test_sections_rows_ticked_for_deletion_are_not_counted_after_a_refused_save(client, bench):
    url = change_url(bench.measure)
    response = get(client, bench.coordinator, url)
    data = change_form_data(response)
    steps = inline_prefix(response, ap.Step)
    data[f"{steps}-0-DELETE"] = "on"
    data["title"] = ""  # refused: the title is required

    refused = client.post(url, data, HTTP_ACCEPT_LANGUAGE="de")

    counts = {s.key: s.count for s in refused.context["form_sections"]}
    assert counts["steps"] == ROWS["steps"] - 1
    assert {s.key for s in refused.context["form_sections"] if s.has_errors} == {"basics"}


def test_sections_plan_and_field_of_action_forms(client, bench):
    root = StaffUserFactory(username="root")
    field = bench.measure.field

    plan_page = get(client, root, change_url(field.plan))
    field_page = get(client, root, change_url(field))

    plan_sections = plan_page.context["form_sections"]
    assert [(s.key, s.count) for s in plan_sections[:3]] == [
        ("basics", None),
        ("texts", None),
        ("fields", 1),
    ]
    # Council papers and attachments of the plan: one section, counting both inlines' rows.
    assert (plan_sections[3].key, plan_sections[3].count) == ("records", 0)
    assert [f.formset.model._meta.model_name for f in plan_sections[3].inline_admin_formsets] == [
        "councilpaper",
        "attachment",
    ]
    # The members' section counts the rows its inline shows.
    members = plan_sections[4]
    assert members.key == "members"
    assert members.count == len(members.inline_admin_formsets[0].formset.forms)
    assert [(s.key, s.count) for s in field_page.context["form_sections"]] == [
        ("basics", None),
        ("baseline", 0),
        ("contacts", 0),
        ("measures", 2),
        ("documents", 0),
    ]
    for page in (plan_page, field_page):
        assert page.context["unsectioned_inline_formsets"] == []


def test_sections_campaign_form(client):
    campaign = build_full_campaign(size=2)
    response = get(client, StaffUserFactory(username="root"), change_url(campaign))

    sections = response.context["form_sections"]
    assert [s.key for s in sections] == [
        "basics",
        "period",
        "audience",
        "partners",
        "channels",
        "events",
        "figures",
        "documents",
        "members",
    ]
    assert response.context["unsectioned_inline_formsets"] == []
    assert all(s.count is not None for s in sections[3:])


def test_sections_other_admins_render_as_before(client, bench):
    step = bench.measure.steps.first()
    response = get(client, StaffUserFactory(username="root"), change_url(step))

    assert response.status_code == 200
    assert "form_sections" not in response.context
    assert b"form-section" not in response.content
