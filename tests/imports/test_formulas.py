"""Formula injection: exported text never starts a formula, and the import reverses exactly
what the export did."""

import csv
import io

import pytest
from django.contrib import admin

from actionplan import models as ap
from actionplan.resources import MeasureResource
from contacts.models import Person
from contacts.resources import PersonResource
from imports.formats import CSV, TSV, neutralise, restore
from tests.factories import PersonFactory, build_plan
from tests.imports.support import admin_url, confirm, coordinator_of, upload

pytestmark = pytest.mark.django_db


def export(client, model, resource_class):
    """The admin's CSV export of every column."""
    model_admin = admin.site._registry[model]
    index = next(i for i, f in enumerate(model_admin.get_export_formats()) if f is CSV)
    prefix = resource_class.__name__.lower()
    data = {"format": str(index), "resource": "0"}
    data.update({f"{prefix}_{n}": "on" for n in resource_class().get_export_order()})
    return client.post(admin_url(model, "export"), data)


TRICKY = ["=1+1", "@SUM(A1)", "+49 341 123", "-5 Grad", "\tTab", "'zitiert", '=HYPERLINK("x")']


@pytest.mark.parametrize("value", [*TRICKY, "Kontaktstelle", "", "a=b"])
def test_neutralise_and_restore_are_inverse(value):
    assert restore(neutralise(value)) == value
    assert not neutralise(value).startswith(("=", "+", "-", "@", "\t", "\r"))


@pytest.mark.parametrize("file_format", [CSV, TSV])
def test_export_cells_cannot_start_a_formula(file_format):
    plan = build_plan(fields=1, measures_per_field=len(TRICKY), steps_per_measure=0)
    for measure, title in zip(ap.Measure.objects.filter(field__plan=plan), TRICKY, strict=True):
        measure.title = title
        measure.save()
    dataset = MeasureResource().export()
    text = file_format().export_data(dataset)
    delimiter = "\t" if file_format is TSV else ","
    rows = list(csv.DictReader(io.StringIO(text), delimiter=delimiter))
    titles = [r[MeasureResource.fields["title"].column_name] for r in rows]
    assert sorted(titles) == sorted("'" + t for t in TRICKY)
    assert sorted(restore(t) for t in titles) == sorted(TRICKY)


def test_measure_export_through_the_admin_neutralises_formulas(client):
    plan = build_plan(fields=1, measures_per_field=2, steps_per_measure=0)
    first, second = ap.Measure.objects.filter(field__plan=plan).order_by("position")
    first.title, second.title = "=1+1", "@SUM(A1)"
    first.save()
    second.save()
    client.force_login(coordinator_of(plan))
    exported = export(client, ap.Measure, MeasureResource)
    assert exported.status_code == 200
    rows = list(csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert sorted(r["Titel"] for r in rows) == ["'=1+1", "'@SUM(A1)"]


def test_round_trip_through_the_admin_import_restores_the_text(staff_client):
    """The admin's row import (persons here; measures come in through the plan workbook,
    tests/imports/test_plan_workbook.py) reverses exactly what the export did."""
    PersonFactory(last_name="Rabenberg", function="=1+1")
    PersonFactory(last_name="Ostrowski", function="@SUM(A1)")
    exported = export(staff_client, Person, PersonResource)
    assert exported.status_code == 200
    content = exported.content.decode("utf-8-sig")
    assert "'=1+1" in content and "'@SUM(A1)" in content

    preview = upload(staff_client, Person, content)
    assert preview.status_code == 200 and "confirm_form" in preview.context
    assert confirm(staff_client, Person, preview).status_code == 302

    functions = dict(Person.objects.values_list("last_name", "function"))
    assert functions == {"Rabenberg": "=1+1", "Ostrowski": "@SUM(A1)"}


def test_xlsx_export_writes_formula_text_as_strings_and_reads_it_back():
    from io import BytesIO

    from openpyxl import load_workbook

    from imports.formats import XLSX

    plan = build_plan(fields=1, measures_per_field=2, steps_per_measure=0)
    first, second = ap.Measure.objects.filter(field__plan=plan).order_by("position")
    first.title, second.title = "=1+1", "@SUM(A1)"
    first.save()
    second.save()
    content = XLSX().export_data(MeasureResource().export())
    sheet = load_workbook(BytesIO(content)).active
    label = str(MeasureResource.fields["title"].column_name)
    index = next(c.column for c in sheet[1] if c.value == label)
    cells = [sheet.cell(row=r, column=index) for r in range(2, sheet.max_row + 1)]
    assert sorted((c.value, c.data_type) for c in cells) == [("'=1+1", "s"), ("'@SUM(A1)", "s")]
    dataset = XLSX().create_dataset(content)
    assert sorted(dataset[label]) == ["=1+1", "@SUM(A1)"]
