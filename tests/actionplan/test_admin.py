import csv
import io
import re
from functools import reduce

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from access.models import Membership
from actionplan import models as ap
from actionplan.schedule import parse_schedule
from documents.models import PdfExport
from tests.actionplan.admin_support import (
    add_inline_row,
    change_form_data,
    inline_prefix,
)
from tests.factories import (
    OrganisationFactory,
    PersonFactory,
    ResponsibilityFactory,
    StepFactory,
    UserFactory,
    build_plan,
)

pytestmark = pytest.mark.django_db

# Third-party admins (django-tasks' read-only task results) are not ours to test.
OWN_APPS = {"actionplan", "contacts", "auth"}
# PDF export jobs are an operational log (read-only, no history); tests/documents/test_pdf*.py
# cover their admin.
JOB_MODELS = {PdfExport}
REGISTERED = sorted(
    (
        model
        for model in admin.site._registry
        if model._meta.app_label in OWN_APPS - {"contacts"} and model not in JOB_MODELS
    ),
    key=lambda model: model._meta.label,
)


def admin_url(obj_or_model, view, *args):
    opts = obj_or_model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)


@pytest.fixture
def small_plan(db):
    plan = build_plan(fields=2, measures_per_field=3, steps_per_measure=2)
    Group.objects.get_or_create(name="Redaktion")
    return plan


def sample(model):
    obj = model._default_manager.order_by("pk").first()
    assert obj is not None, f"no {model._meta.label} to test with"
    return obj


def test_admin_every_plan_model_is_registered():
    expected = {
        model
        for model in apps.get_app_config("actionplan").get_models()
        if not model._meta.model_name.startswith("historical")
    }
    expected -= {ap.FieldContact}  # edited inline on the field of action
    expected -= JOB_MODELS
    assert len(expected) == 11
    assert expected <= set(admin.site._registry)


def test_admin_our_models_use_history_admin():
    from simple_history.admin import SimpleHistoryAdmin

    ours = [
        m
        for m in admin.site._registry
        if m._meta.app_label in {"actionplan", "contacts"} and m not in JOB_MODELS
    ]
    assert ours
    for model in ours:
        assert isinstance(admin.site._registry[model], SimpleHistoryAdmin), model


@pytest.mark.parametrize("model", REGISTERED, ids=lambda m: m._meta.label)
def test_admin_pages_render_for_superuser(staff_client, small_plan, model):
    obj = sample(model)
    for url in (
        admin_url(model, "changelist"),
        admin_url(model, "add"),
        admin_url(obj, "change", obj.pk),
        admin_url(obj, "history", obj.pk),
    ):
        response = staff_client.get(url)
        assert response.status_code == 200, url


@pytest.mark.parametrize(
    "model",
    [m for m in REGISTERED if admin.site._registry[m].search_fields],
    ids=lambda m: m._meta.label,
)
def test_admin_changelist_search_finds_object(staff_client, small_plan, model):
    obj = sample(model)
    path = admin.site._registry[model].search_fields[0]
    term = str(reduce(getattr, path.split("__"), obj))
    response = staff_client.get(admin_url(model, "changelist"), {"q": term})
    assert response.status_code == 200
    assert obj in response.context["cl"].result_list

    response = staff_client.get(admin_url(model, "changelist"), {"q": "zzz-kein-treffer-zzz"})
    assert list(response.context["cl"].result_list) == []


def test_measure_changelist_shows_plan_and_lead(staff_client, small_plan):
    measure = ap.Measure.objects.filter(field__plan=small_plan).first()
    lead = measure.responsibilities.get(role=ap.Responsibility.Role.LEAD).organisation
    response = staff_client.get(admin_url(ap.Measure, "changelist"))
    content = response.content.decode()
    assert small_plan.title in content
    assert lead.name in content
    assert "Federführung (Maßnahme)" in content


def test_measure_changelist_filters_by_lead_organisation(staff_client, small_plan):
    measure = ap.Measure.objects.filter(field__plan=small_plan).first()
    lead = measure.responsibilities.get(role=ap.Responsibility.Role.LEAD).organisation
    response = staff_client.get(admin_url(ap.Measure, "changelist"), {"lead_organisation": lead.pk})
    result = list(response.context["cl"].result_list)
    assert measure in result
    expected = ap.Measure.objects.filter(
        responsibilities__role="lead", responsibilities__organisation=lead
    )
    assert len(result) == expected.count() < ap.Measure.objects.count()


def test_measure_changelist_search_covers_step_text(staff_client, small_plan):
    step = StepFactory(text="Einzigartiger Schritt mit Netzwerktreffen")
    response = staff_client.get(admin_url(ap.Measure, "changelist"), {"q": "Netzwerktreffen"})
    assert list(response.context["cl"].result_list) == [step.measure]


def test_plan_changelist_counts_fields_and_measures(staff_client, small_plan):
    response = staff_client.get(admin_url(ap.Plan, "changelist"))
    row = next(p for p in response.context["cl"].result_list if p.pk == small_plan.pk)
    assert (row._field_count, row._measure_count) == (2, 6)


def test_step_inline_offers_only_top_level_steps_of_same_measure(staff_client, small_plan):
    measure = ap.Measure.objects.filter(field__plan=small_plan).first()
    top = measure.steps.order_by("position").first()
    sub = ap.Step.objects.create(measure=measure, parent=top, position=1, text="Unterschritt")
    StepFactory()  # a step of another measure
    response = staff_client.get(admin_url(measure, "change", measure.pk))
    formset = next(
        f.formset for f in response.context["inline_admin_formsets"] if f.formset.model is ap.Step
    )
    offered = {value for value, _label in formset.forms[0].fields["parent"].choices if value}
    assert {int(str(v)) for v in offered} == set(
        measure.steps.filter(parent=None).values_list("pk", flat=True)
    )
    assert sub.pk not in offered


def test_schedule_inline_shows_dating_read_only(staff_client, small_plan):
    measure = ap.Measure.objects.filter(field__plan=small_plan).first()
    response = staff_client.get(admin_url(measure, "change", measure.pk))
    content = response.content.decode()
    entry = measure.schedule.first()
    assert entry.get_dating_display() in content
    assert 'name="schedule-0-dating"' not in content


# Saving through the admin -----------------------------------------------------------------


def test_measure_save_with_inlines_creates_rows_and_history(staff_client, staff_user, small_plan):
    measure = ap.Measure.objects.filter(field__plan=small_plan).first()
    top = measure.steps.order_by("position").first()
    url = admin_url(measure, "change", measure.pk)
    response = staff_client.get(url)
    data = change_form_data(response)
    data["title"] = "Neuer Titel der Maßnahme"
    add_inline_row(data, inline_prefix(response, ap.Step), position=9, text="Neuer Schritt")
    add_inline_row(
        data, inline_prefix(response, ap.Step), position=1, text="Teilschritt", parent=top.pk
    )
    add_inline_row(data, inline_prefix(response, ap.ScheduleEntry), position=9, label="Ende 2012")
    steps_before = measure.steps.count()

    response = staff_client.post(url, data)

    assert response.status_code == 302, response.context["errors"]
    measure.refresh_from_db()
    assert measure.title == "Neuer Titel der Maßnahme"
    assert measure.steps.count() == steps_before + 2
    assert measure.steps.get(text="Teilschritt").parent == top
    entry = measure.schedule.get(label="Ende 2012")
    assert entry.dating in ap.ScheduleEntry.Dating.values
    parsed = parse_schedule("Ende 2012")
    assert entry.dating == ("parsed" if parsed.is_dated else "undated")
    assert entry.end_date == parsed.end
    assert measure.history.latest().history_user == staff_user
    assert measure.steps.get(text="Neuer Schritt").history.get().history_user == staff_user
    assert entry.history.get().history_user == staff_user


def test_measure_save_rejects_parent_step_of_other_measure(staff_client, small_plan):
    measure = ap.Measure.objects.filter(field__plan=small_plan).first()
    foreign = StepFactory()
    url = admin_url(measure, "change", measure.pk)
    response = staff_client.get(url)
    data = change_form_data(response)
    add_inline_row(
        data, inline_prefix(response, ap.Step), position=1, text="Falsch", parent=foreign.pk
    )
    response = staff_client.post(url, data)
    assert response.status_code == 200
    assert not ap.Step.objects.filter(text="Falsch").exists()


def test_plan_add_through_admin_with_fields(staff_client):
    response = staff_client.get(admin_url(ap.Plan, "add"))
    data = change_form_data(response)
    data.update(title="Kulturplan", slug="kulturplan", region="Leipzig", status="draft")
    prefix = inline_prefix(response, ap.FieldOfAction)
    add_inline_row(data, prefix, position=1, title="Netzwerke", slug="netzwerke")
    response = staff_client.post(admin_url(ap.Plan, "add"), data)
    assert response.status_code == 302, response.context["errors"]
    plan = ap.Plan.objects.get(slug="kulturplan")
    assert list(plan.fields.values_list("title", flat=True)) == ["Netzwerke"]


# Query counts -----------------------------------------------------------------------------


def count_queries(client, url, params=None) -> int:
    ContentType.objects.clear_cache()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def page_urls(plan) -> dict[str, tuple[str, dict]]:
    measure = ap.Measure.objects.filter(field__plan=plan).order_by("pk").first()
    field = plan.fields.order_by("position").first()
    filters = {"field__plan__id__exact": plan.pk, "status__exact": "planned", "q": "Schritt"}
    return {
        "measure changelist": (admin_url(ap.Measure, "changelist"), {}),
        "measure changelist filtered": (admin_url(ap.Measure, "changelist"), filters),
        "measure change": (admin_url(measure, "change", measure.pk), {}),
        "field change": (admin_url(field, "change", field.pk), {}),
        "plan change": (admin_url(plan, "change", plan.pk), {}),
        "plan changelist": (admin_url(ap.Plan, "changelist"), {}),
        "step changelist": (admin_url(ap.Step, "changelist"), {}),
        "schedule changelist": (admin_url(ap.ScheduleEntry, "changelist"), {}),
    }


# Measured with a superuser on SQLite and PostgreSQL, content-type cache cleared (session,
# user and savepoints included), plus one query of margin.
MAX_QUERIES = {
    "measure changelist": 13,
    "measure changelist filtered": 14,  # + the plan, for the link to its workbook import
    # + the measure's pending change (reviews), for the review box; its documents
    # (attachments), council papers (council) and the funding programmes to choose from
    "measure change": 22,
    "field change": 14,
    # + the members inline, the quality check (one query), the plan's documents and council
    # papers (attachments, council)
    "plan change": 14,
    "plan changelist": 9,
    "step changelist": 9,
    "schedule changelist": 9,
}


@pytest.fixture
def large_plan(db):
    return build_plan(fields=5, measures_per_field=20, steps_per_measure=5)


@pytest.mark.slow
@pytest.mark.parametrize("page", list(MAX_QUERIES))
def test_admin_page_query_count_is_pinned(
    staff_client, large_plan, page, django_assert_max_num_queries
):
    url, params = page_urls(large_plan)[page]
    ContentType.objects.clear_cache()
    with django_assert_max_num_queries(MAX_QUERIES[page]):
        response = staff_client.get(url, params)
    assert response.status_code == 200


def thicken(plan, rows: int) -> None:
    """Inline rows of every kind (persons, budget lines, …) on the first measure and field."""
    measure = ap.Measure.objects.filter(field__plan=plan).order_by("pk").first()
    tops = list(measure.steps.filter(parent=None))
    for i, top in enumerate(tops):
        ap.Step.objects.create(measure=measure, parent=top, position=1, text=f"Teil {i}")
    for i in range(rows):
        ResponsibilityFactory(measure=measure, position=10 + i, person=PersonFactory())
        ap.BudgetLine.objects.create(
            measure=measure,
            position=10 + i,
            category=ap.BudgetCategory.objects.get_or_create(name=f"Kategorie {i}")[0],
        )
        ap.ScheduleEntry.objects.create(measure=measure, position=10 + i, label=f"{2011 + i}")
    field = plan.fields.order_by("position").first()
    for i in range(rows):
        ap.FieldContact.objects.create(field=field, person=PersonFactory(), position=10 + i)
    ap.FieldOfAction.objects.filter(plan=plan).update(lead_organisation=OrganisationFactory())


@pytest.mark.slow
def test_admin_page_query_counts_do_not_grow_with_data(staff_client, large_plan):
    thicken(large_plan, rows=1)
    before = {
        page: count_queries(staff_client, url, params)
        for page, (url, params) in page_urls(large_plan).items()
    }
    bigger = build_plan(fields=10, measures_per_field=40, steps_per_measure=10)
    thicken(bigger, rows=5)
    after = {
        page: count_queries(staff_client, url, params)
        for page, (url, params) in page_urls(bigger).items()
    }
    assert after == before


# Import/export ----------------------------------------------------------------------------


def export_csv(client, model, resource_class, params=None, fields=None):
    model_admin = admin.site._registry[model]
    formats = model_admin.get_export_formats()
    csv_index = next(i for i, f in enumerate(formats) if f().get_title() == "csv")
    prefix = resource_class.__name__.lower()
    names = fields or resource_class().get_export_order()
    data = {"format": str(csv_index), "resource": "0"}
    data.update({f"{prefix}_{name}": "on" for name in names})
    url = admin_url(model, "export")
    if params:
        from urllib.parse import urlencode

        url = f"{url}?{urlencode(params)}"
    return client.post(url, data)


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_measure_export_csv_has_german_columns(staff_client, small_plan):
    from actionplan.resources import MeasureResource

    rows = read_csv(export_csv(staff_client, ap.Measure, MeasureResource))
    header = rows[0]
    for column in ("Plan", "Handlungsfeld", "Kennung", "Titel", "Status", "Zielgruppen"):
        assert column in header
    assert "Federführung (Maßnahme)" in header
    assert len(rows) - 1 == ap.Measure.objects.count()
    measure = ap.Measure.objects.order_by("pk").first()
    row = dict(zip(header, next(r for r in rows[1:] if r[0] == str(measure.pk)), strict=True))
    assert row["Plan"] == small_plan.title
    assert row["Titel"] == measure.title
    lead = measure.responsibilities.get(role="lead").organisation
    assert row["Federführung (Maßnahme)"] == lead.name
    assert measure.steps.first().text in row["Einzelschritte"]


def test_measure_export_follows_changelist_filters(staff_client, small_plan):
    from actionplan.resources import MeasureResource

    other = build_plan(fields=1, measures_per_field=2, steps_per_measure=1)
    rows = read_csv(
        export_csv(
            staff_client, ap.Measure, MeasureResource, params={"field__plan__id__exact": other.pk}
        )
    )
    assert {r[1] for r in rows[1:]} == {other.title}
    assert len(rows) - 1 == 2


@pytest.mark.slow
def test_measure_export_query_count_is_constant(staff_client, large_plan):
    from actionplan.resources import MeasureResource

    def run():
        ContentType.objects.clear_cache()
        with CaptureQueriesContext(connection) as ctx:
            response = export_csv(staff_client, ap.Measure, MeasureResource)
        return len(read_csv(response)), len(ctx.captured_queries)

    rows_before, queries_before = run()
    build_plan(fields=5, measures_per_field=20, steps_per_measure=5)
    rows_after, queries_after = run()
    assert rows_after == 2 * rows_before - 1
    assert queries_after == queries_before <= 14


def workbook_note(response) -> str | None:
    """The href of the changelist's pointer to the plan workbook import, if shown."""
    html = response.content.decode()
    match = re.search(r'<p class="help workbook-import-note"><a href="([^"]+)">', html)
    return match.group(1) if match else None


def test_measure_changelist_exports_and_points_imports_to_the_plan_workbook(
    client, staff_client, small_plan
):
    response = staff_client.get(admin_url(ap.Measure, "changelist"))
    html = response.content.decode()
    assert admin_url(ap.Measure, "export") in html
    assert admin_url(ap.Measure, "import") not in html and "import_link" not in html
    assert workbook_note(response) == admin_url(ap.Plan, "changelist")

    filtered = staff_client.get(
        admin_url(ap.Measure, "changelist"), {"field__plan__id__exact": small_plan.pk}
    )
    workbook_import = reverse("imports:plan_workbook_import", args=[small_plan.slug])
    assert workbook_note(filtered) == workbook_import
    assert staff_client.get(workbook_import).status_code == 200

    other = build_plan(fields=1, measures_per_field=1, steps_per_measure=0)
    coordinator = UserFactory(username="koordination", is_staff=True)
    Membership.objects.create(user=coordinator, plan=other, role=Membership.Role.COORDINATOR)
    client.force_login(coordinator)
    foreign = client.get(
        admin_url(ap.Measure, "changelist"), {"field__plan__id__exact": small_plan.pk}
    )
    assert workbook_note(foreign) == admin_url(ap.Plan, "changelist")

    editor = UserFactory(username="redaktion", is_staff=True)
    Membership.objects.create(
        user=editor,
        plan=small_plan,
        role=Membership.Role.EDITOR,
        organisation=small_plan.fields.first().lead_organisation,
    )
    client.force_login(editor)
    response = client.get(admin_url(ap.Measure, "changelist"))
    assert response.status_code == 200 and workbook_note(response) is None


def test_measure_changelist_field_filter_names_the_plan(staff_client, small_plan):
    other = build_plan(fields=1, measures_per_field=1, steps_per_measure=1)
    field = other.fields.get()
    response = staff_client.get(admin_url(ap.Measure, "changelist"), {"field__id__exact": field.pk})
    assert list(response.context["cl"].result_list) == list(field.measures.all())
    assert f"{other.title} › 1. {field.title}" in response.content.decode()


def test_change_pages_link_to_public_pages(staff_client, small_plan):
    measure = ap.Measure.objects.first()
    for obj in (small_plan, measure.field, measure):
        response = staff_client.get(admin_url(obj, "change", obj.pk))
        assert response.context["has_absolute_url"] is True


def test_inline_autocompletes_show_selected_labels(staff_client, small_plan):
    measure = ap.Measure.objects.filter(field__plan=small_plan).first()
    person = PersonFactory(last_name="Rabenberg")
    ResponsibilityFactory(measure=measure, position=5, organisation=None, person=person)
    org = measure.responsibilities.get(role="lead").organisation
    response = staff_client.get(admin_url(measure, "change", measure.pk))
    content = response.content.decode()
    assert f'<option value="{org.pk}" selected>{org.name}</option>' in content
    assert f'<option value="{person.pk}" selected>{person}</option>' in content


def test_step_inline_lists_steps_in_tree_order(staff_client, small_plan):
    measure = ap.Measure.objects.filter(field__plan=small_plan).first()
    first, second = measure.steps.order_by("position")
    sub = ap.Step.objects.create(measure=measure, parent=first, position=1, text="Teilschritt")
    response = staff_client.get(admin_url(measure, "change", measure.pk))
    formset = next(
        f.formset for f in response.context["inline_admin_formsets"] if f.formset.model is ap.Step
    )
    assert [form.instance for form in formset.forms] == [first, sub, second]
