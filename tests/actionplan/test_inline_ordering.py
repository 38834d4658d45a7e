"""Ordered inline rows: the server assigns positions (actionplan/ordering.py).

Every ordered inline of the measure and field-of-action change forms is posted through the
admin change view with the rows swapped, rotated, a new row inserted in the middle, and a row
deleted and another added in its place in one save. Runs on SQLite and PostgreSQL
(scripts/with-postgres.sh).
"""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.urls import reverse

from actionplan import models as ap
from tests.actionplan.admin_support import add_inline_row, change_form_data, inline_prefix
from tests.factories import (
    BudgetCategoryFactory,
    FieldOfActionFactory,
    MeasureFactory,
    OrganisationFactory,
    PersonFactory,
)

pytestmark = pytest.mark.django_db


def change_url(obj):
    return reverse(f"admin:actionplan_{obj._meta.model_name}_change", args=[obj.pk])


@dataclass
class Case:
    model: type
    parent_kind: str  # "measure" or "field"
    create: Callable  # (parent, position, label) -> row
    new_values: Callable  # (label) -> POST values of a new row
    label: Callable  # row -> label


def _category():
    return BudgetCategoryFactory()


CASES = {
    "step": Case(
        ap.Step,
        "measure",
        lambda parent, pos, label: ap.Step.objects.create(measure=parent, position=pos, text=label),
        lambda label: {"text": label},
        lambda row: row.text,
    ),
    "schedule": Case(
        ap.ScheduleEntry,
        "measure",
        lambda parent, pos, label: ap.ScheduleEntry.objects.create(
            measure=parent, position=pos, label=label
        ),
        lambda label: {"label": label},
        lambda row: row.label,
    ),
    "responsibility": Case(
        ap.Responsibility,
        "measure",
        lambda parent, pos, label: ap.Responsibility.objects.create(
            measure=parent, position=pos, organisation=OrganisationFactory(), note=label
        ),
        lambda label: {
            "role": ap.Responsibility.Role.SUPPORT,
            "organisation": OrganisationFactory().pk,
            "note": label,
        },
        lambda row: row.note,
    ),
    "budget": Case(
        ap.BudgetLine,
        "measure",
        lambda parent, pos, label: ap.BudgetLine.objects.create(
            measure=parent, position=pos, category=_category(), note=label
        ),
        lambda label: {"category": _category().pk, "note": label},
        lambda row: row.note,
    ),
    "baseline": Case(
        ap.BaselineFinding,
        "field",
        lambda parent, pos, label: ap.BaselineFinding.objects.create(
            field=parent, position=pos, text=label
        ),
        lambda label: {"text": label, "swot": ap.BaselineFinding.Swot.STRENGTH},
        lambda row: row.text,
    ),
    "contact": Case(
        ap.FieldContact,
        "field",
        lambda parent, pos, label: ap.FieldContact.objects.create(
            field=parent, position=pos, person=PersonFactory(last_name=label)
        ),
        lambda label: {"person": PersonFactory(last_name=label).pk},
        lambda row: row.person.last_name,
    ),
}


def setup_rows(case: Case, labels=("A", "B", "C")):
    parent = MeasureFactory() if case.parent_kind == "measure" else FieldOfActionFactory()
    rows = [case.create(parent, pos, label) for pos, label in enumerate(labels, start=1)]
    return parent, rows


def rows_in_order(case: Case, parent):
    rows = case.model.objects.filter(**{case.parent_kind: parent}).order_by("position")
    return [(case.label(row), row.position) for row in rows]


def post_rows(client, case, parent, *, positions=None, delete=(), new=()):
    """Post the change form with the rows' positions as the script would send them.

    ``positions``: {label: position}; ``delete``: labels; ``new``: (label, position or None).
    """
    url = change_url(parent)
    response = client.get(url)
    assert response.status_code == 200
    data = change_form_data(response)
    prefix = inline_prefix(response, case.model)
    formset = next(
        f.formset
        for f in response.context["inline_admin_formsets"]
        if f.formset.model is case.model
    )
    for index, form in enumerate(formset.forms):
        label = case.label(form.instance)
        if positions and label in positions:
            data[f"{prefix}-{index}-position"] = str(positions[label])
        if label in delete:
            data[f"{prefix}-{index}-DELETE"] = "on"
    for label, position in new:
        values = case.new_values(label)
        if position is not None:
            values["position"] = position
        add_inline_row(data, prefix, **values)
    return client.post(url, data)


def history_count(case, label_rows):
    return {case.label(row): case.model.history.filter(id=row.pk).count() for row in label_rows}


@pytest.mark.parametrize("kind", CASES)
def test_ordering_swap_two_rows(staff_client, kind):
    case = CASES[kind]
    parent, rows = setup_rows(case)
    before = history_count(case, rows)

    response = post_rows(staff_client, case, parent, positions={"A": 2, "B": 1})

    assert response.status_code == 302, response.context and response.context.get("errors")
    assert rows_in_order(case, parent) == [("B", 1), ("A", 2), ("C", 3)]
    after = history_count(case, rows)
    # A pure reorder: one history row for each moved row, none for the one that stayed.
    assert {label: after[label] - before[label] for label in after} == {"A": 1, "B": 1, "C": 0}


@pytest.mark.parametrize("kind", CASES)
def test_ordering_rotate_three_rows(staff_client, kind):
    case = CASES[kind]
    parent, _rows = setup_rows(case)

    response = post_rows(staff_client, case, parent, positions={"A": 3, "B": 1, "C": 2})

    assert response.status_code == 302
    assert rows_in_order(case, parent) == [("B", 1), ("C", 2), ("A", 3)]


@pytest.mark.parametrize("kind", CASES)
def test_ordering_insert_new_row_in_the_middle(staff_client, kind):
    case = CASES[kind]
    parent, _rows = setup_rows(case)

    response = post_rows(
        staff_client, case, parent, positions={"A": 1, "B": 3, "C": 4}, new=[("N", 2)]
    )

    assert response.status_code == 302
    assert rows_in_order(case, parent) == [("A", 1), ("N", 2), ("B", 3), ("C", 4)]


@pytest.mark.parametrize("kind", CASES)
def test_ordering_new_row_with_a_taken_number_goes_there(staff_client, kind):
    case = CASES[kind]
    parent, _rows = setup_rows(case)

    response = post_rows(staff_client, case, parent, new=[("N", 2)])

    assert response.status_code == 302
    assert rows_in_order(case, parent) == [("A", 1), ("N", 2), ("B", 3), ("C", 4)]


@pytest.mark.parametrize("kind", CASES)
def test_ordering_new_rows_without_position_go_to_the_end(staff_client, kind):
    case = CASES[kind]
    parent, _rows = setup_rows(case)

    response = post_rows(staff_client, case, parent, new=[("N", None), ("M", None)])

    assert response.status_code == 302
    assert rows_in_order(case, parent) == [("A", 1), ("B", 2), ("C", 3), ("N", 4), ("M", 5)]


@pytest.mark.parametrize("kind", CASES)
def test_ordering_delete_and_readd_the_same_position(staff_client, kind):
    case = CASES[kind]
    parent, _rows = setup_rows(case)

    response = post_rows(
        staff_client, case, parent, positions={"A": 1, "C": 3}, delete={"B"}, new=[("N", 2)]
    )

    assert response.status_code == 302
    assert rows_in_order(case, parent) == [("A", 1), ("N", 2), ("C", 3)]


@pytest.mark.parametrize("kind", CASES)
def test_ordering_save_without_changes_writes_no_history(staff_client, kind):
    case = CASES[kind]
    parent, rows = setup_rows(case)
    ap_rows = case.model.objects.filter(pk__in=[r.pk for r in rows])
    ap_rows.filter(position=3).update(position=7)  # a gap, as an import may leave
    before = history_count(case, rows)

    response = post_rows(staff_client, case, parent)

    assert response.status_code == 302
    assert rows_in_order(case, parent) == [("A", 1), ("B", 2), ("C", 7)]
    assert history_count(case, rows) == before


@pytest.mark.parametrize("kind", CASES)
def test_ordering_position_is_not_a_typed_field(staff_client, kind):
    case = CASES[kind]
    parent, _rows = setup_rows(case)
    response = staff_client.get(change_url(parent))
    prefix = inline_prefix(response, case.model)
    content = response.content.decode()
    assert f'type="hidden" name="{prefix}-0-position"' in content
    assert 'class="ordering-up"' in content
    assert "js/admin-ordering.js" in content
    assert "adminsortable2/js/adminsortable2" in content


def test_ordering_read_only_rows_offer_no_handles_or_buttons(client):
    from access.models import Membership
    from tests.factories import UserFactory

    parent, _rows = setup_rows(CASES["step"])
    reader = UserFactory(username="leser", is_staff=True)
    Membership.objects.create(user=reader, plan=parent.field.plan, role="reader")
    client.force_login(reader)

    response = client.get(change_url(parent))

    assert response.status_code == 200
    content = response.content.decode()
    group = content.split('id="steps-group"', 1)[1].split("</fieldset>", 1)[0]
    assert ">A</textarea>" not in group  # read-only text, no inputs
    assert 'class="ordering-up"' not in group
    fieldset_class = group.split('<fieldset class="', 1)[1].split('"', 1)[0]
    assert "ordering" in fieldset_class
    assert "sortable" not in fieldset_class
