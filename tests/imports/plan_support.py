"""Helpers for the whole-plan import tests: the Leipzig plan, workbooks to edit, DB snapshots."""

import io
import json
import zipfile

from django.apps import apps
from django.conf import settings
from openpyxl import load_workbook

from imports.plan_document import plan_document_import
from imports.plan_import import plan_fingerprint

LEIPZIG = settings.BASE_DIR / "fixtures" / "leipzig.json"


def leipzig_document() -> dict:
    return json.loads(LEIPZIG.read_text(encoding="utf-8"))


def load_leipzig():
    return plan_document_import(data=leipzig_document()).plan


def history_count(*, entries_only: bool = False) -> int:
    """Rows in every history table (all apps). ``entries_only``: one per recorded change,
    without the many-to-many snapshots simple-history keeps beside a measure's entry."""
    return sum(
        model.objects.count()
        for model in apps.get_models()
        if model.__name__.startswith("Historical") and not (entries_only and "_" in model.__name__)
    )


def snapshot(plan) -> tuple:
    """Everything an import could change: the plan's rows and all history tables."""
    from actionplan.models import Plan

    return plan_fingerprint(Plan.objects.get(pk=plan.pk)), history_count()


def open_xlsx(content: bytes):
    return load_workbook(io.BytesIO(content))


def save_xlsx(workbook) -> bytes:
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def column(sheet, label: str) -> int:
    """The 1-based index of the column with this header."""
    return next(c.column for c in sheet[1] if c.value == label)


def find_row(sheet, label: str, value) -> int:
    index = column(sheet, label)
    return next(row[0].row for row in sheet.iter_rows(min_row=2) if row[index - 1].value == value)


def zip_members(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def make_zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()
