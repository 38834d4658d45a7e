import pytest

from tests.factories import build_plan

pytestmark = pytest.mark.django_db


def test_build_plan_creates_structure():
    plan = build_plan(fields=2, measures_per_field=3, steps_per_measure=2)
    assert plan.fields.count() == 2
    from actionplan.models import Measure, Step

    assert Measure.objects.filter(field__plan=plan).count() == 6
    assert Step.objects.filter(measure__field__plan=plan).count() == 12
