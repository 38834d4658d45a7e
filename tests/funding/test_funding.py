"""Funding programmes and the funding of budget lines (issue 20, item 2).

One small plan, figures computed by hand:

field A (position 1), measure A1 published
  L1  EFRE 2011            investment  planned 10.000  actual 8.000  rate 80  → own 2.000 (1.600)
  L2  LEADER 2011–2012     personnel   planned  5.000                rate 60  → own 2.000
field B (position 2), measure B1 published
  L3  no programme 2012    operating   planned  3.000                no rate  → own unknown
  L4  EFRE (default 80)    –           no amount
field B, measure B2 DRAFT
  L5  EFRE 2012            investment  planned 100.000               rate 80  → own 20.000

Public totals leave L5 out.
"""

import io
import json
import zipfile
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from actionplan import models as ap
from actionplan.export import plan_export_document
from actionplan.vocabulary import vocabulary_merge
from funding.models import FundingProgramme
from funding.selectors import budget_totals, own_share
from imports import plan_workbook as wb
from imports.plan_document import PlanDocumentError, plan_document_import
from tests.factories import (
    BudgetCategoryFactory,
    BudgetLineFactory,
    FieldOfActionFactory,
    MeasureFactory,
    PlanFactory,
    UserFactory,
)
from versions.changes import compare

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def funded():
    efre = FundingProgramme.objects.create(
        name="EFRE Sachsen",
        key="efre-sachsen",
        level=FundingProgramme.Level.EU,
        fund="EFRE",
        period="2007–2013",
        default_rate=D("80"),
        position=1,
    )
    leader = FundingProgramme.objects.create(
        name="LEADER", level=FundingProgramme.Level.EU, fund="LEADER", position=2
    )
    plan = PlanFactory(slug="foerderplan", title="Förderplan")
    field_a = FieldOfActionFactory(plan=plan, position=1, title="Netzwerke", slug="netzwerke")
    field_b = FieldOfActionFactory(plan=plan, position=2, title="Räume", slug="raeume")
    a1 = MeasureFactory(field=field_a, position=1, code="A", title="A1")
    b1 = MeasureFactory(field=field_b, position=1, code="A", title="B1")
    b2 = MeasureFactory(field=field_b, position=2, code="B", title="B2", state="draft")
    invest = BudgetCategoryFactory(name="Sachkosten")
    staff = BudgetCategoryFactory(name="Personalkosten")

    def line(measure, position, category, **kwargs):
        return BudgetLineFactory(
            measure=measure, position=position, category=category, funding_source=None, **kwargs
        )

    line(a1, 1, invest, programme=efre, year_from=2011, kind="investment",
         planned_amount=D("10000"), actual_amount=D("8000"), co_funding_rate=D("80"))  # fmt: skip
    line(a1, 2, staff, programme=leader, year_from=2011, year_to=2012, kind="personnel",
         planned_amount=D("5000"), co_funding_rate=D("60"), person_days=D("20.5"))  # fmt: skip
    line(b1, 1, invest, year_from=2012, kind="operating", planned_amount=D("3000"))
    line(b1, 2, invest, programme=efre, co_funding_rate=D("80"))
    line(b2, 1, invest, programme=efre, year_from=2012, kind="investment",
         planned_amount=D("100000"), co_funding_rate=D("80"))  # fmt: skip
    return plan


def rows(totals_rows):
    return [(r.label, r.lines, r.planned, r.actual, r.own_share) for r in totals_rows]


def test_own_share_is_amount_times_the_rest_of_the_rate():
    assert own_share(D("1234.56"), D("85")) == D("185.18")
    assert own_share(D("5000"), D("0")) == D("5000.00")
    assert own_share(D("5000"), D("100")) == D("0.00")
    assert own_share(None, D("80")) is None
    assert own_share(D("5000"), None) is None


def test_public_totals_by_programme_year_field_and_kind(funded):
    with translation.override("de"):
        totals = budget_totals(plan_export_document(funded, public_only=True))

    assert rows(totals.by_programme) == [
        ("EFRE Sachsen (EFRE, 2007–2013)", 2, D("10000"), D("8000"), D("2000")),
        ("LEADER (LEADER)", 1, D("5000"), None, D("2000")),
        ("ohne Förderprogramm", 1, D("3000"), None, None),
    ]
    assert rows(totals.by_year) == [
        ("2011", 2, D("15000"), D("8000"), D("4000")),
        ("2012", 1, D("3000"), None, None),
        ("ohne Jahresangabe", 1, None, None, None),
    ]
    assert rows(totals.by_field) == [
        ("Netzwerke", 2, D("15000"), D("8000"), D("4000")),
        ("Räume", 2, D("3000"), None, None),
    ]
    assert rows(totals.by_kind) == [
        ("Investition", 1, D("10000"), D("8000"), D("2000")),
        ("laufende Kosten", 1, D("3000"), None, None),
        ("Personal", 1, D("5000"), None, D("2000")),
        ("Kostenart nicht angegeben", 1, None, None, None),
    ]
    total = totals.total
    assert (total.lines, total.planned, total.actual, total.own_share) == (
        4,
        D("18000"),
        D("8000"),
        D("4000"),
    )
    assert total.own_share_actual == D("1600.00")
    assert total.lines_without_rate == 1


def test_internal_totals_count_the_draft_measure(funded):
    totals = budget_totals(plan_export_document(funded))

    assert totals.by_programme[0].lines == 3
    assert totals.by_programme[0].planned == D("110000")
    assert totals.by_programme[0].own_share == D("22000")
    assert totals.total.planned == D("118000")


def test_progress_page_shows_public_totals_only(client, funded, django_assert_num_queries):
    url = reverse("progress:plan_dashboard", kwargs={"plan_slug": funded.slug})
    # as the progress page's pin (tests/progress): the funding totals come with the budget query
    with django_assert_num_queries(9):
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="de")
    assert response.status_code == 200
    funding = response.context["progress"].funding
    public = budget_totals(plan_export_document(funded, public_only=True))
    assert rows(funding.by_programme) == rows(public.by_programme)
    assert rows(funding.by_year) == rows(public.by_year)
    assert rows(funding.by_kind) == rows(public.by_kind)
    assert funding.total.planned == D("18000")
    html = response.content.decode()
    assert 'id="table-funding-programme"' in html and 'id="chart-programme-title"' in html
    assert "100.000" not in html  # the draft line


def test_a_line_without_a_rate_takes_the_programmes_default(funded):
    efre = FundingProgramme.objects.get(key="efre-sachsen")
    line = ap.BudgetLine(
        measure=ap.Measure.objects.get(title="B1"),
        position=3,
        category=ap.BudgetCategory.objects.get(name="Sachkosten"),
        programme=efre,
    )
    line.full_clean()
    assert line.co_funding_rate == D("80")


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"co_funding_rate": D("150")}, "co_funding_rate", "Prozentsatz von 0 bis 100"),
        ({"year_from": 2013, "year_to": 2011}, "year_to", "nicht nach dem letzten Jahr"),
        ({"year_from": None, "year_to": 2011}, "year_from", "erste Jahr des Zeitraums"),
        ({"year_from": 1800}, "year_from", "Jahr von 1990 bis 2100"),
        ({"kind": "investment", "person_days": D("3")}, "person_days", "nur bei Personalkosten"),
    ],
)
def test_budget_line_checks_speak_german(funded, values, field, message):
    line = ap.BudgetLine.objects.get(measure__title="B1", position=1)
    for name, value in values.items():
        setattr(line, name, value)
    with translation.override("de"), pytest.raises(Exception) as excinfo:
        line.full_clean()
    assert message in " ".join(excinfo.value.message_dict[field])


def test_admin_refuses_bad_rate_and_years_in_german_without_500(client, funded):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    line = ap.BudgetLine.objects.get(measure__title="B1", position=1)
    url = reverse("admin:actionplan_budgetline_change", args=[line.pk])
    form = {
        "measure": line.measure_id,
        "position": 1,
        "category": line.category_id,
        "year_from": "2013",
        "year_to": "2011",
        "kind": "operating",
        "planned_amount": "5.000,00",
        "co_funding_rate": "150",
        "note": "",
    }
    response = client.post(url, form, HTTP_ACCEPT_LANGUAGE="de")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Eine Förderquote ist ein Prozentsatz von 0 bis 100." in html
    programme = client.post(
        reverse("admin:funding_fundingprogramme_add"),
        {"name": "Neu", "level": "state", "default_rate": "101", "position": 0},
        HTTP_ACCEPT_LANGUAGE="de",
    )
    assert programme.status_code == 200
    assert "Eine Förderquote ist ein Prozentsatz von 0 bis 100." in programme.content.decode()
    form["co_funding_rate"] = "80"
    response = client.post(url, form, HTTP_ACCEPT_LANGUAGE="de")
    assert "Das erste Jahr darf nicht nach dem letzten Jahr liegen." in response.content.decode()
    form["year_to"] = "2014"
    assert client.post(url, form, HTTP_ACCEPT_LANGUAGE="de").status_code == 302
    line.refresh_from_db()
    assert (line.planned_amount, line.co_funding_rate) == (D("5000.00"), D("80.00"))


def test_json_round_trip_gives_no_changes(funded):
    document = plan_export_document(funded)
    assert [p["key"] for p in document["plan"]["funding_programmes"]] == [
        "efre-sachsen",
        "leader",
    ]
    line = document["plan"]["fields"][0]["measures"][0]["budget"][1]
    assert line == {
        "category": "Personalkosten",
        "funding_source": None,
        "planned_amount": "5000.00",
        "actual_amount": None,
        "note": "",
        "year_from": 2011,
        "year_to": 2012,
        "kind": "personnel",
        "person_days": "20.5",
        "programme": "leader",
        "co_funding_rate": "60.00",
    }
    assert plan_document_import(data=document, dry_run=True).changes == []
    # into an empty database: the programmes are created from the document
    ap.Plan.objects.all().delete()
    FundingProgramme.objects.all().delete()
    plan_document_import(data=document)
    assert plan_export_document(ap.Plan.objects.get(slug="foerderplan")) == document


def test_json_without_the_funding_keys_imports_as_before(funded):
    document = plan_export_document(funded)
    for fld in document["plan"]["fields"]:
        for measure in fld["measures"]:
            for line in measure["budget"]:
                for key in ("year_from", "year_to", "kind", "person_days", "programme"):
                    del line[key]
                del line["co_funding_rate"]
    del document["plan"]["funding_programmes"]
    assert plan_document_import(data=document, dry_run=True).changes == []


def test_json_refuses_bad_funding_values(funded):
    document = plan_export_document(funded)
    line = document["plan"]["fields"][0]["measures"][0]["budget"][0]
    line.update(co_funding_rate="150", year_from=2013, year_to=2011, programme="nirgends")
    with pytest.raises(PlanDocumentError) as excinfo:
        plan_document_import(data=document, dry_run=True)
    paths = {path for path, _message in excinfo.value.errors}
    budget = "plan.fields[0].measures[0].budget[0]"
    assert {f"{budget}.co_funding_rate", f"{budget}.year_to", f"{budget}.programme"} <= paths


def test_workbook_round_trip_gives_no_changes(funded):
    content = wb.plan_workbook_xlsx(funded)
    sheet = load_workbook(io.BytesIO(content))["Budget"]
    headers = [c.value for c in sheet[1]]
    for label in ("Jahr von", "Jahr bis", "Kostenart", "Personentage", "Förderprogramm"):
        assert label in headers
    result = wb.plan_workbook_import(
        plan=funded, content=content, file_name="plan.xlsx", acting_user=None, dry_run=True
    )
    assert result.changes == []


NEW_COLUMNS = ("Jahr von", "Jahr bis", "Kostenart", "Personentage", "Förderprogramm")


def _old_workbook(plan) -> bytes:
    """The workbook as written before the funding columns existed."""
    book = load_workbook(io.BytesIO(wb.plan_workbook_xlsx(plan)))
    sheet = book["Budget"]
    for label in (*NEW_COLUMNS, "Förderquote (%)"):
        index = next(c.column for c in sheet[1] if c.value == label)
        sheet.delete_cols(index)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_old_workbook_without_the_new_columns_imports_unchanged(funded):
    content = _old_workbook(funded)
    before = list(ap.BudgetLine.objects.order_by("pk").values())

    result = wb.plan_workbook_import(
        plan=funded, content=content, file_name="alt.xlsx", acting_user=None, dry_run=False
    )

    assert result.changes == []
    assert list(ap.BudgetLine.objects.order_by("pk").values()) == before


def test_old_workbook_changes_amounts_and_keeps_the_funding(funded):
    book = load_workbook(io.BytesIO(_old_workbook(funded)))
    sheet = book["Budget"]
    planned = next(c.column for c in sheet[1] if c.value == "geplant (EUR)")
    sheet.cell(row=2, column=planned).value = "12.000,00"
    out = io.BytesIO()
    book.save(out)

    result = wb.plan_workbook_import(
        plan=funded, content=out.getvalue(), file_name="alt.xlsx", acting_user=None, dry_run=False
    )

    assert [(c.action, c.kind) for c in result.changes] == [("changed", "budget")]
    line = ap.BudgetLine.objects.get(measure__title="A1", position=1)
    assert (line.planned_amount, line.programme.key, line.year_from, line.kind) == (
        D("12000.00"),
        "efre-sachsen",
        2011,
        "investment",
    )


def test_api_carries_the_funding_fields(client, funded):
    measure = ap.Measure.objects.get(title="A1")
    data = client.get(reverse("api:measure-detail", args=[measure.pk])).json()
    first = data["budget_lines"][0]
    assert first["programme"]["key"] == "efre-sachsen"
    assert first["programme"]["level"] == "eu"
    assert (first["year_from"], first["year_to"], first["kind"]) == (2011, None, "investment")
    assert first["co_funding_rate"] == "80.00"
    assert first["own_share"] == "2000.00"
    assert data["budget_lines"][1]["person_days"] == "20.50"
    schema = client.get(reverse("api:schema") + "?format=json").json()["components"]["schemas"]
    properties = schema["BudgetLine"]["properties"]
    assert {"year_from", "kind", "programme", "co_funding_rate", "own_share"} <= set(properties)


def test_open_data_carry_the_funding_fields_of_public_lines_only(client, funded):
    kwargs = {"plan_slug": funded.slug}
    document = client.get(reverse("opendata:plan_json", kwargs=kwargs)).json()
    lines = [
        line
        for fld in document["plan"]["fields"]
        for measure in fld["measures"]
        for line in measure["budget"]
    ]
    assert len(lines) == 4  # not the draft measure's
    assert {p["key"] for p in document["plan"]["funding_programmes"]} == {
        "efre-sachsen",
        "leader",
    }
    archive = zipfile.ZipFile(
        io.BytesIO(client.get(reverse("opendata:plan_csv", kwargs=kwargs)).content)
    )
    budget = next(name for name in archive.namelist() if name.startswith("Budget"))
    text = archive.read(budget).decode("utf-8-sig")
    assert "Förderprogramm" in text.splitlines()[0]
    assert "EFRE Sachsen" in text and "100000" not in text.replace(".", "")


def test_changes_report_shows_a_changed_rate(funded):
    old = plan_export_document(funded, public_only=True)
    ap.BudgetLine.objects.filter(measure__title="A1", position=1).update(
        co_funding_rate=D("75"), year_to=2013
    )
    new = plan_export_document(funded, public_only=True)
    with translation.override("de"):
        report = compare(old, new)
    [change] = report.changes
    [text] = change.texts
    assert "Förderquote 80.00 %" in text.old and "Förderquote 75.00 %" in text.new
    assert "2011–2013" in text.new


def test_merging_programmes_moves_the_budget_lines(funded):
    from django.apps import apps

    duplicate = FundingProgramme.objects.create(name="EFRE (alt)", level="eu")
    ap.BudgetLine.objects.filter(measure__title="B1", position=2).update(programme=duplicate)
    keep = FundingProgramme.objects.get(key="efre-sachsen")

    assert vocabulary_merge(apps, duplicate, keep) == 1
    assert not FundingProgramme.objects.filter(pk=duplicate.pk).exists()
    assert ap.BudgetLine.objects.filter(programme=keep).count() == 3


def test_demo_plan_lines_belong_to_the_eu_programme_without_invented_figures():
    from django.conf import settings

    document = json.loads((settings.BASE_DIR / "fixtures" / "leipzig.json").read_text())
    plan = plan_document_import(data=document).plan
    lines = ap.BudgetLine.objects.filter(measure__field__plan=plan)
    programme = FundingProgramme.objects.get()
    assert (programme.level, programme.fund, programme.default_rate) == ("eu", "EFRE", None)
    assert lines.count() == lines.filter(programme=programme).count() == 15
    assert (
        lines.filter(kind="personnel").count()
        == lines.filter(category__name="Personalkosten").count()
    )
    assert not lines.exclude(planned_amount=None).exists()
    assert not lines.exclude(co_funding_rate=None).exists()

    # a demo plan loaded before lines had programmes gets them, once
    lines.update(programme=None, kind="")
    FundingProgramme.objects.all().delete()
    out = io.StringIO()
    call_command("load_demo_data", stdout=out)
    assert "15 budget lines" in out.getvalue()
    assert lines.filter(programme__key="central-europe-efre-2007-2013").count() == 15
    assert lines.filter(kind="personnel").count() == 9
    call_command("load_demo_data", stdout=out)
    assert "nothing changed" in out.getvalue()
