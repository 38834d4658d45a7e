"""Spreadsheet formats that neutralise formula injection, losslessly.

A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is evaluated
by spreadsheet programs (``=HYPERLINK(…)``). On export such a cell — and one that starts with
an apostrophe, so that the rule can be reversed exactly — gets a leading apostrophe, which makes
it text; on import one leading apostrophe is removed again. Export → import is therefore the
identity. XLSX cells get the same escaping (imports/plan_workbook.py does so for the whole-plan
workbook). JSON is not opened by spreadsheet programs and stays as it is.
"""

import tablib
from import_export.formats import base_formats

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ESCAPE = "'"


def neutralise(value):
    if isinstance(value, str) and value.startswith((*FORMULA_STARTS, ESCAPE)):
        return ESCAPE + value
    return value


def restore(value):
    if isinstance(value, str) and value.startswith(ESCAPE):
        return value[len(ESCAPE) :]
    return value


def _mapped(dataset: tablib.Dataset, func) -> tablib.Dataset:
    result = tablib.Dataset(headers=dataset.headers, title=dataset.title)
    for row in dataset:
        result.append([func(cell) for cell in row])
    return result


class FormulaSafeMixin:
    def export_data(self, dataset, **kwargs):
        return super().export_data(_mapped(dataset, neutralise), **kwargs)

    def create_dataset(self, in_stream, **kwargs):
        return _mapped(super().create_dataset(in_stream, **kwargs), restore)


class CSV(FormulaSafeMixin, base_formats.CSV):
    pass


class TSV(FormulaSafeMixin, base_formats.TSV):
    pass


class XLSX(FormulaSafeMixin, base_formats.XLSX):
    """Text cells get the same apostrophe, so openpyxl writes them as strings, never formulas.

    Reading takes a formula cell's cached value (``data_only``); nothing is evaluated.
    """


FORMATS = [CSV, TSV, XLSX, base_formats.JSON]
