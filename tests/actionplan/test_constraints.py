"""Database constraints reject bad data, readably in full_clean() and hard in the database."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import translation

from actionplan import models as ap
from tests import factories as f

pytestmark = pytest.mark.django_db

ALL = "__all__"


def _messages(obj, language):
    with translation.override(language):
        with pytest.raises(ValidationError) as excinfo:
            obj.full_clean()
        return excinfo.value.message_dict


def _assert_db_rejects(excinfo, constraint, columns):
    """The IntegrityError comes from this constraint, not from some other column."""
    message = str(excinfo.value)
    if connection.vendor == "postgresql":
        assert constraint in message, message
    elif constraint.endswith(("_position", "_slug", "_code")):
        assert "UNIQUE constraint failed" in message, message
        for column in columns:
            assert column in message, message
    else:
        assert constraint in message, message


# Duplicates: each case saves one row and returns an unsaved duplicate of it.


def _measure():
    measure = f.MeasureFactory(position=1)
    return ap.Measure(field=measure.field, position=1, title="Zweite Maßnahme", slug="zweite")


def _step():
    step = f.StepFactory(position=1)
    return ap.Step(measure=step.measure, position=1, text="Zweiter Schritt")


def _substep():
    parent = f.StepFactory(position=1)
    f.StepFactory(measure=parent.measure, parent=parent, position=1)
    return ap.Step(measure=parent.measure, parent=parent, position=1, text="Zweiter Unterschritt")


def _baseline():
    finding = f.BaselineFindingFactory(position=1)
    return ap.BaselineFinding(field=finding.field, position=1, text="Zweiter Befund")


def _schedule():
    entry = f.ScheduleEntryFactory(position=1)
    return ap.ScheduleEntry(measure=entry.measure, position=1, label="Mai 2011")


def _responsibility():
    responsibility = f.ResponsibilityFactory(position=1)
    return ap.Responsibility(
        measure=responsibility.measure, position=1, organisation=f.OrganisationFactory()
    )


def _budget_line():
    line = f.BudgetLineFactory(position=1)
    return ap.BudgetLine(measure=line.measure, position=1, category=line.category)


def _field():
    field = f.FieldOfActionFactory(position=1)
    return ap.FieldOfAction(plan=field.plan, position=1, title="Zweites Feld", slug="zweites")


def _measure_slug():
    measure = f.MeasureFactory(position=1, slug="mapping")
    return ap.Measure(field=measure.field, position=2, title="Mapping", slug="mapping")


def _measure_code():
    measure = f.MeasureFactory(position=1, code="A")
    return ap.Measure(field=measure.field, position=2, code="A", title="Zweite A", slug="a2")


DUPLICATES = [
    (
        _measure,
        "actionplan_measure_unique_position",
        ["field_id", "position"],
        "Measure with this Field of action and Position already exists.",
        "Maßnahme mit diesem Wert für das Feld Handlungsfeld und Position existiert bereits.",
    ),
    (
        _baseline,
        "actionplan_baseline_unique_position",
        ["field_id", "position"],
        "Baseline finding with this Field of action and Position already exists.",
        "Befund der Ausgangslage mit diesem Wert für das Feld Handlungsfeld und Position "
        "existiert bereits.",
    ),
    (
        _schedule,
        "actionplan_schedule_unique_position",
        ["measure_id", "position"],
        "Schedule entry with this Measure and Position already exists.",
        "Zeitplan-Eintrag mit diesem Wert für das Feld Maßnahme und Position existiert bereits.",
    ),
    (
        _responsibility,
        "actionplan_responsibility_unique_position",
        ["measure_id", "position"],
        "Responsibility with this Measure and Position already exists.",
        "Verantwortung mit diesem Wert für das Feld Maßnahme und Position existiert bereits.",
    ),
    (
        _budget_line,
        "actionplan_budgetline_unique_position",
        ["measure_id", "position"],
        "Budget line with this Measure and Position already exists.",
        "Budgetzeile mit diesem Wert für das Feld Maßnahme und Position existiert bereits.",
    ),
    (
        _field,
        "actionplan_field_unique_position",
        ["plan_id", "position"],
        "Field of action with this Plan and Position already exists.",
        "Handlungsfeld mit diesem Wert für das Feld Plan und Position existiert bereits.",
    ),
    (
        _measure_slug,
        "actionplan_measure_unique_slug",
        ["field_id", "slug"],
        "Measure with this Field of action and Slug already exists.",
        "Maßnahme mit diesem Wert für das Feld Handlungsfeld und Kurzname (URL) existiert bereits.",
    ),
]
# Conditional unique constraints carry no violation_error_message yet, so full_clean() says
# "Constraint “actionplan_step_unique_position” is violated." See the report to the lead.
CONDITIONAL_DUPLICATES = [
    (
        _step,
        "actionplan_step_unique_position",
        ["measure_id", "position"],
        "A step with this position already exists in this measure.",
        "In dieser Maßnahme gibt es schon einen Schritt an dieser Position.",
    ),
    (
        _substep,
        "actionplan_substep_unique_position",
        ["parent_id", "position"],
        "A sub-step with this position already exists under this step.",
        "Unter diesem Schritt gibt es schon einen Unterschritt an dieser Position.",
    ),
    (
        _measure_code,
        "actionplan_measure_unique_code",
        ["field_id", "code"],
        "A measure with this code already exists in this field of action.",
        "In diesem Handlungsfeld gibt es schon eine Maßnahme mit dieser Kennung.",
    ),
]
ALL_DUPLICATES = DUPLICATES + CONDITIONAL_DUPLICATES


def _ids(cases):
    return [case[1] for case in cases]


@pytest.mark.parametrize(
    "make, constraint, columns, english, german", DUPLICATES, ids=_ids(DUPLICATES)
)
def test_full_clean_rejects_duplicate_with_readable_message(
    make, constraint, columns, english, german
):
    duplicate = make()

    assert _messages(duplicate, "en") == {ALL: [english]}
    assert _messages(duplicate, "de") == {ALL: [german]}


@pytest.mark.parametrize(
    "make, constraint, columns, english, german",
    CONDITIONAL_DUPLICATES,
    ids=_ids(CONDITIONAL_DUPLICATES),
)
def test_full_clean_rejects_conditional_duplicate(make, constraint, columns, english, german):
    duplicate = make()

    with pytest.raises(ValidationError) as excinfo:
        duplicate.full_clean()
    assert list(excinfo.value.message_dict) == [ALL]


@pytest.mark.parametrize(
    "make, constraint, columns, english, german",
    CONDITIONAL_DUPLICATES,
    ids=_ids(CONDITIONAL_DUPLICATES),
)
def test_full_clean_rejects_conditional_duplicate_with_readable_message(
    make, constraint, columns, english, german
):
    duplicate = make()

    assert _messages(duplicate, "en") == {ALL: [english]}
    assert _messages(duplicate, "de") == {ALL: [german]}


@pytest.mark.parametrize(
    "make, constraint, columns, english, german", ALL_DUPLICATES, ids=_ids(ALL_DUPLICATES)
)
def test_database_rejects_duplicate_on_save(make, constraint, columns, english, german):
    duplicate = make()
    model = type(duplicate)
    before = model.objects.count()

    with pytest.raises(IntegrityError) as excinfo, transaction.atomic():
        duplicate.save()

    _assert_db_rejects(excinfo, constraint, columns)
    assert model.objects.count() == before


@pytest.mark.parametrize(
    "make, constraint, columns, english, german", ALL_DUPLICATES, ids=_ids(ALL_DUPLICATES)
)
def test_database_rejects_duplicate_in_bulk_create(make, constraint, columns, english, german):
    duplicate = make()
    model = type(duplicate)
    before = model.objects.count()

    with pytest.raises(IntegrityError) as excinfo, transaction.atomic():
        model.objects.bulk_create([duplicate])

    _assert_db_rejects(excinfo, constraint, columns)
    assert model.objects.count() == before


def test_positions_are_unique_only_within_their_parent():
    measure = f.MeasureFactory(position=1)
    other_measure = f.MeasureFactory(field=measure.field, position=2)
    step = f.StepFactory(measure=measure, position=1)
    other_step = f.StepFactory(measure=measure, position=2)
    candidates = [
        ap.Measure(field=f.FieldOfActionFactory(), position=1, title="Andere", slug="andere"),
        ap.Step(measure=other_measure, position=1, text="gleiche Position, andere Maßnahme"),
        ap.Step(measure=measure, parent=step, position=1, text="Unterschritt an Position 1"),
        ap.ScheduleEntry(measure=other_measure, position=1, label="Mai 2011"),
        ap.Responsibility(measure=other_measure, position=1, organisation=f.OrganisationFactory()),
    ]
    for candidate in candidates:
        candidate.full_clean()
        candidate.save()
    substep = ap.Step(measure=measure, parent=other_step, position=1, text="unter Schritt 2")
    substep.full_clean()
    substep.save()

    assert measure.steps.filter(position=1).count() == 3
    assert other_step.substeps.get().position == 1


def test_measure_code_may_repeat_when_blank():
    measure = f.MeasureFactory(position=1, code="")
    second = ap.Measure(field=measure.field, position=2, code="", title="Ohne Kennung", slug="oh")

    second.full_clean()
    second.save()

    assert measure.field.measures.filter(code="").count() == 2


# Plan slug


def test_full_clean_rejects_duplicate_plan_slug():
    f.PlanFactory(slug="leipzig-2011")
    duplicate = ap.Plan(title="Kopie", slug="leipzig-2011", region="Leipzig")

    assert _messages(duplicate, "en") == {"slug": ["Action plan with this Slug already exists."]}
    assert _messages(duplicate, "de") == {
        "slug": ["Maßnahmenplan mit diesem Wert für das Feld Kurzname (URL) existiert bereits."]
    }


def test_database_rejects_duplicate_plan_slug():
    f.PlanFactory(slug="leipzig-2011")

    with pytest.raises(IntegrityError) as excinfo, transaction.atomic():
        ap.Plan.objects.bulk_create([ap.Plan(title="Kopie", slug="leipzig-2011", region="L")])

    message = str(excinfo.value)
    assert "slug" in message, message
    assert ap.Plan.objects.filter(slug="leipzig-2011").count() == 1


# Check constraints


def _negative_planned():
    line = f.BudgetLineFactory(position=1)
    return ap.BudgetLine(
        measure=line.measure, position=2, category=line.category, planned_amount=Decimal("-0.01")
    )


def _negative_actual():
    line = f.BudgetLineFactory(position=1)
    return ap.BudgetLine(
        measure=line.measure, position=2, category=line.category, actual_amount=Decimal("-5")
    )


def _schedule_end_before_start():
    return ap.ScheduleEntry(
        measure=f.MeasureFactory(),
        position=1,
        label="ohne Datum",
        start_date=datetime.date(2012, 12, 1),
        end_date=datetime.date(2011, 3, 31),
    )


def _responsibility_without_party():
    return ap.Responsibility(measure=f.MeasureFactory(), position=1)


CHECKS = [
    (
        _negative_planned,
        "actionplan_budgetline_planned_not_negative",
        "Amounts must not be negative.",
        "Beträge dürfen nicht negativ sein.",
    ),
    (
        _negative_actual,
        "actionplan_budgetline_actual_not_negative",
        "Amounts must not be negative.",
        "Beträge dürfen nicht negativ sein.",
    ),
    (
        _schedule_end_before_start,
        "actionplan_schedule_start_before_end",
        "The start must not lie after the end.",
        "Der Beginn darf nicht nach dem Ende liegen.",
    ),
    (
        _responsibility_without_party,
        "actionplan_responsibility_has_party",
        "Please give an organisation or a person.",
        "Bitte eine Organisation oder eine Person angeben.",
    ),
]


@pytest.mark.parametrize("make, constraint, english, german", CHECKS, ids=[c[1] for c in CHECKS])
def test_full_clean_rejects_check_violation_with_model_message(make, constraint, english, german):
    bad = make()

    assert _messages(bad, "en") == {ALL: [english]}
    assert _messages(bad, "de") == {ALL: [german]}


@pytest.mark.parametrize("make, constraint, english, german", CHECKS, ids=[c[1] for c in CHECKS])
def test_database_rejects_check_violation_on_save(make, constraint, english, german):
    bad = make()
    model = type(bad)
    before = model.objects.count()

    with pytest.raises(IntegrityError) as excinfo, transaction.atomic():
        bad.save()

    _assert_db_rejects(excinfo, constraint, [])
    assert model.objects.count() == before


@pytest.mark.parametrize("make, constraint, english, german", CHECKS, ids=[c[1] for c in CHECKS])
def test_database_rejects_check_violation_in_bulk_create(make, constraint, english, german):
    bad = make()
    model = type(bad)
    before = model.objects.count()

    with pytest.raises(IntegrityError) as excinfo, transaction.atomic():
        model.objects.bulk_create([bad])

    _assert_db_rejects(excinfo, constraint, [])
    assert model.objects.count() == before


def test_database_rejects_check_violation_on_update():
    line = f.BudgetLineFactory(planned_amount=Decimal("100"))

    with pytest.raises(IntegrityError) as excinfo, transaction.atomic():
        ap.BudgetLine.objects.filter(pk=line.pk).update(planned_amount=Decimal("-1"))

    _assert_db_rejects(excinfo, "actionplan_budgetline_planned_not_negative", [])
    line.refresh_from_db()
    assert line.planned_amount == Decimal("100")


def test_check_constraints_accept_their_boundaries():
    measure = f.MeasureFactory()
    category = f.BudgetCategoryFactory()
    day = datetime.date(2011, 2, 21)
    valid = [
        ap.BudgetLine(
            measure=measure,
            position=1,
            category=category,
            planned_amount=Decimal("0"),
            actual_amount=Decimal("0"),
        ),
        ap.BudgetLine(measure=measure, position=2, category=category),
        ap.ScheduleEntry(measure=measure, position=1, label="x", start_date=day, end_date=day),
        ap.ScheduleEntry(measure=measure, position=2, label="x", start_date=day),
        ap.ScheduleEntry(measure=measure, position=3, label="x", end_date=day),
        ap.Responsibility(measure=measure, position=1, person=f.PersonFactory()),
        ap.Responsibility(measure=measure, position=2, organisation=f.OrganisationFactory()),
    ]
    for obj in valid:
        obj.full_clean()
        obj.save()

    assert measure.budget_lines.count() == 2
    assert measure.schedule.count() == 3
    assert measure.responsibilities.count() == 2


def test_database_rejects_step_as_its_own_parent():
    step = f.StepFactory()

    with pytest.raises(IntegrityError) as excinfo, transaction.atomic():
        ap.Step.objects.filter(pk=step.pk).update(parent=step)

    _assert_db_rejects(excinfo, "actionplan_step_not_own_parent", [])


# Step.clean()


def test_step_clean_rejects_substep_of_substep():
    top = f.StepFactory(position=1)
    sub = f.StepFactory(measure=top.measure, parent=top, position=1)
    subsub = ap.Step(measure=top.measure, parent=sub, position=1, text="zu tief")

    assert _messages(subsub, "en") == {"parent": ["Sub-steps may only be one level deep."]}
    assert _messages(subsub, "de") == {"parent": ["Unterschritte dürfen nur eine Ebene tief sein."]}


def test_step_clean_rejects_parent_from_another_measure():
    parent = f.StepFactory(position=1)
    stranger = ap.Step(measure=f.MeasureFactory(), parent=parent, position=1, text="fremd")

    assert _messages(stranger, "en") == {"parent": ["The parent step belongs to another measure."]}
    assert _messages(stranger, "de") == {
        "parent": ["Der übergeordnete Schritt gehört zu einer anderen Maßnahme."]
    }


def test_step_clean_accepts_substep_of_top_level_step():
    parent = f.StepFactory(position=1)
    sub = ap.Step(measure=parent.measure, parent=parent, position=1, text="Unterschritt")

    sub.full_clean()
    sub.save()

    assert list(parent.substeps.all()) == [sub]
