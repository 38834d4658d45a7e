"""Sub-steps as a tree in the measure form: any row of the form, new rows included, can be a
parent; one level deep; cycles refused in German (actionplan/ordering.py StepFormSetMixin)."""

import pytest
from django.urls import reverse

from actionplan import models as ap
from tests.actionplan.admin_support import add_inline_row, change_form_data, inline_prefix
from tests.factories import MeasureFactory, StepFactory

pytestmark = pytest.mark.django_db


def change_url(measure):
    return reverse("admin:actionplan_measure_change", args=[measure.pk])


@pytest.fixture
def measure():
    measure = MeasureFactory()
    for position, text in enumerate(("A", "B", "C"), start=1):
        ap.Step.objects.create(measure=measure, position=position, text=text)
    return measure


def form_data(client, measure):
    response = client.get(change_url(measure))
    assert response.status_code == 200
    data = change_form_data(response)
    prefix = inline_prefix(response, ap.Step)
    formset = next(
        f.formset for f in response.context["inline_admin_formsets"] if f.formset.model is ap.Step
    )
    index = {form.instance.text: i for i, form in enumerate(formset.forms)}
    return data, prefix, index


def tree(measure):
    steps = measure.steps.select_related("parent")
    return {(s.parent.text if s.parent else None, s.position, s.text) for s in steps}


def errors_of(response):
    return " ".join(str(e) for e in response.context["errors"])


def test_step_tree_sub_step_of_a_new_step_in_one_save(staff_client, measure):
    data, prefix, _index = form_data(staff_client, measure)
    add_inline_row(data, prefix, text="Neu")
    parent_row = int(data[f"{prefix}-TOTAL_FORMS"]) - 1
    add_inline_row(data, prefix, text="Unter Neu", parent=f"new:{prefix}-{parent_row}")
    add_inline_row(data, prefix, text="Unter Neu 2", parent=f"new:{prefix}-{parent_row}")

    response = staff_client.post(change_url(measure), data)

    assert response.status_code == 302, errors_of(response)
    assert tree(measure) == set(
        [
            (None, 1, "A"),
            (None, 2, "B"),
            (None, 3, "C"),
            (None, 4, "Neu"),
            ("Neu", 1, "Unter Neu"),
            ("Neu", 2, "Unter Neu 2"),
        ]
    )


def test_step_tree_sub_step_of_a_saved_step_and_back(staff_client, measure):
    b = measure.steps.get(text="B")
    data, prefix, index = form_data(staff_client, measure)
    data[f"{prefix}-{index['C']}-parent"] = str(b.pk)

    response = staff_client.post(change_url(measure), data)

    assert response.status_code == 302, errors_of(response)
    assert tree(measure) == set([(None, 1, "A"), (None, 2, "B"), ("B", 1, "C")])

    data, prefix, index = form_data(staff_client, measure)
    data[f"{prefix}-{index['C']}-parent"] = ""
    response = staff_client.post(change_url(measure), data)
    assert response.status_code == 302, errors_of(response)
    assert tree(measure) == set([(None, 1, "A"), (None, 2, "B"), (None, 3, "C")])


def test_step_tree_swap_sub_steps_under_one_parent(staff_client, measure):
    a = measure.steps.get(text="A")
    ap.Step.objects.create(measure=measure, parent=a, position=1, text="A1")
    ap.Step.objects.create(measure=measure, parent=a, position=2, text="A2")
    data, prefix, index = form_data(staff_client, measure)
    data[f"{prefix}-{index['A1']}-position"] = "3"
    data[f"{prefix}-{index['A2']}-position"] = "2"

    response = staff_client.post(change_url(measure), data)

    assert response.status_code == 302, errors_of(response)
    assert ("A", 1, "A2") in tree(measure)
    assert ("A", 2, "A1") in tree(measure)


def test_step_tree_sub_steps_show_indented_under_their_parent(staff_client, measure):
    a = measure.steps.get(text="A")
    sub = ap.Step.objects.create(measure=measure, parent=a, position=1, text="Unter A")
    response = staff_client.get(change_url(measure))
    formset = next(
        f.formset for f in response.context["inline_admin_formsets"] if f.formset.model is ap.Step
    )
    assert [form.instance.text for form in formset.forms] == ["A", "Unter A", "B", "C"]
    content = response.content.decode()
    row = content.split(f'id="{formset.prefix}-1"')[0].rsplit("<tr", 1)[1]
    assert "ordering-child" in row
    first = content.split(f'id="{formset.prefix}-0"')[0].rsplit("<tr", 1)[1]
    assert "ordering-child" not in first
    # The parent choice is a plain select: no add/change/delete pop-up icons.
    assert f"id_{formset.prefix}-1-parent" in content
    assert f"add_id_{formset.prefix}-1-parent" not in content
    assert f"change_id_{formset.prefix}-1-parent" not in content
    assert f'<option value="{a.pk}" selected>' in content
    assert sub.pk


def test_step_tree_refuses_own_parent(staff_client, measure):
    a = measure.steps.get(text="A")
    data, prefix, index = form_data(staff_client, measure)
    data[f"{prefix}-{index['A']}-parent"] = str(a.pk)

    response = staff_client.post(change_url(measure), data)

    assert response.status_code == 200
    assert "Ein Schritt kann nicht sein eigener übergeordneter Schritt sein." in errors_of(response)
    assert measure.steps.get(text="A").parent is None


def test_step_tree_refuses_a_cycle(staff_client, measure):
    a, b = measure.steps.get(text="A"), measure.steps.get(text="B")
    data, prefix, index = form_data(staff_client, measure)
    data[f"{prefix}-{index['A']}-parent"] = str(b.pk)
    data[f"{prefix}-{index['B']}-parent"] = str(a.pk)

    response = staff_client.post(change_url(measure), data)

    assert response.status_code == 200
    assert "gegenseitig" in errors_of(response)
    assert not measure.steps.filter(parent__isnull=False).exists()


def test_step_tree_refuses_a_cycle_of_new_rows(staff_client, measure):
    data, prefix, _index = form_data(staff_client, measure)
    first = int(data[f"{prefix}-TOTAL_FORMS"])
    add_inline_row(data, prefix, text="X", parent=f"new:{prefix}-{first + 1}")
    add_inline_row(data, prefix, text="Y", parent=f"new:{prefix}-{first}")

    response = staff_client.post(change_url(measure), data)

    assert response.status_code == 200
    assert "gegenseitig" in errors_of(response)
    assert measure.steps.count() == 3
    # Re-shown without losing the new rows: they stay offered as parents.
    content = response.content.decode()
    assert f'<option value="new:{prefix}-{first}"' in content


def test_step_tree_refuses_two_levels(staff_client, measure):
    a, b = measure.steps.get(text="A"), measure.steps.get(text="B")
    data, prefix, index = form_data(staff_client, measure)
    data[f"{prefix}-{index['B']}-parent"] = str(a.pk)
    data[f"{prefix}-{index['C']}-parent"] = str(b.pk)

    response = staff_client.post(change_url(measure), data)

    assert response.status_code == 200
    assert "Unterschritte dürfen nur eine Ebene tief sein." in errors_of(response)


def test_step_tree_refuses_a_parent_of_another_measure(staff_client, measure):
    foreign = StepFactory()
    data, prefix, _index = form_data(staff_client, measure)
    add_inline_row(data, prefix, text="Falsch", parent=foreign.pk)

    response = staff_client.post(change_url(measure), data)

    assert response.status_code == 200
    assert "Der übergeordnete Schritt gehört zu einer anderen Maßnahme." in errors_of(response)
    assert not ap.Step.objects.filter(text="Falsch").exists()


def test_step_tree_refuses_deleting_a_parent_but_keeping_its_sub_step(staff_client, measure):
    a = measure.steps.get(text="A")
    ap.Step.objects.create(measure=measure, parent=a, position=1, text="Unter A")
    data, prefix, index = form_data(staff_client, measure)
    data[f"{prefix}-{index['A']}-DELETE"] = "on"

    response = staff_client.post(change_url(measure), data)

    assert response.status_code == 200
    assert "wird gelöscht" in errors_of(response)
    assert measure.steps.filter(text="Unter A").exists()


def test_step_tree_deletes_a_parent_with_its_sub_steps(staff_client, measure):
    a = measure.steps.get(text="A")
    ap.Step.objects.create(measure=measure, parent=a, position=1, text="Unter A")
    data, prefix, index = form_data(staff_client, measure)
    data[f"{prefix}-{index['A']}-DELETE"] = "on"
    data[f"{prefix}-{index['Unter A']}-DELETE"] = "on"

    response = staff_client.post(change_url(measure), data)

    assert response.status_code == 302, errors_of(response)
    # The rest keep their numbers: nothing moved.
    assert tree(measure) == set([(None, 2, "B"), (None, 3, "C")])
    assert not ap.Step.objects.filter(text__in=["A", "Unter A"]).exists()
