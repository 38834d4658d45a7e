"""The start page's reads: the review queue of a coordinator, an editor's own changes."""

import pytest

from access.models import Membership
from actionplan import models as ap
from reviews import selectors, services, state
from reviews.models import PendingChange
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _pending(measure, user, *, submit=True, description="Neu."):
    proposed = state.measure_state(measure)
    proposed["measure"]["description"] = description
    return services.pending_change_save(
        measure=measure,
        acting_user=user,
        base=state.measure_state(measure),
        base_version=measure.version,
        proposed=proposed,
        submit=submit,
    )


@pytest.fixture
def many(team):
    """Ten more published measures of organisation B, each with a pending change; two
    measures in review."""
    field = team.measure.field
    org_b = team.measure.responsibilities.get().organisation
    changes = [_pending(team.measure, team.users["editor"])]
    for i in range(10):
        measure = ap.Measure.objects.create(
            field=field, position=100 + i, title=f"Weitere {i}", state="published"
        )
        ap.Responsibility.objects.create(measure=measure, organisation=org_b, position=1)
        measure = ap.Measure.objects.select_related("field__plan").get(pk=measure.pk)
        changes.append(_pending(measure, team.users["editor"], submit=i % 2 == 0))
    for i in range(2):
        ap.Measure.objects.create(
            field=field, position=200 + i, title=f"In Prüfung {i}", state="review"
        )
    return changes


def test_pending_for_review_lists_submitted_changes_and_measures_in_review(team, many):
    queue = selectors.pending_for_review(team.users["coordinator"])

    submitted = {p.pk for p in many if p.state == PendingChange.State.SUBMITTED}
    assert {p.pk for p in queue.changes} == submitted
    assert {m.title for m in queue.measures} == {"In Prüfung 0", "In Prüfung 1"}
    assert len(queue) == len(submitted) + 2


@pytest.mark.parametrize("role", ["editor", "reader", "other_coordinator", "anonymous"])
def test_pending_for_review_is_empty_for_non_coordinators(team, many, role):
    queue = selectors.pending_for_review(team.users[role])
    assert len(queue) == 0


def test_pending_for_review_query_count_is_pinned(team, many, django_assert_num_queries):
    user = team.users["coordinator"]
    selectors.pending_for_review(user)  # roles are cached on the user after the first call
    with django_assert_num_queries(2):
        queue = selectors.pending_for_review(user)
        for pending in queue.changes:
            str(pending.measure.field.plan), str(pending.author)
        for measure in queue.measures:
            str(measure.field.plan)


def test_pending_of_groups_an_editors_changes_with_the_comment(team, many):
    coordinator = team.users["coordinator"]
    services.pending_change_send_back(
        pending=many[0], acting_user=coordinator, comment="Bitte Quellen nennen."
    )

    mine = selectors.pending_of(team.users["editor"])

    assert set(mine) == {"open", "submitted", "sent_back"}
    assert [p.pk for p in mine["sent_back"]] == [many[0].pk]
    assert mine["sent_back"][0].comment == "Bitte Quellen nennen."
    assert len(mine["open"]) == 5
    assert len(mine["submitted"]) == 5
    # nobody else's: the other organisation's editor and the coordinator see none here
    assert not any(selectors.pending_of(team.users["editor_other_org"]).values())
    assert not any(selectors.pending_of(coordinator).values())


def test_pending_of_query_count_is_pinned(team, many, django_assert_num_queries):
    user = team.users["editor"]
    selectors.pending_of(user)
    with django_assert_num_queries(1):
        mine = selectors.pending_of(user)
        for changes in mine.values():
            for pending in changes:
                str(pending.measure.field.plan), str(pending.author)


def test_decided_changes_leave_the_lists(team, many):
    services.pending_change_approve(pending=many[0], acting_user=team.users["coordinator"])
    services.pending_change_withdraw(pending=many[1], acting_user=team.users["editor"])

    mine = selectors.pending_of(team.users["editor"])
    listed = {p.pk for changes in mine.values() for p in changes}
    assert many[0].pk not in listed and many[1].pk not in listed
    queue = selectors.pending_for_review(team.users["coordinator"])
    assert many[0].pk not in {p.pk for p in queue.changes}


def test_a_second_editor_of_the_organisation_continues_the_same_change(team):
    org_b = team.measure.responsibilities.get().organisation
    colleague = UserFactory(username="kollegin", is_staff=True)
    Membership.objects.create(
        user=colleague, plan=team.plan, role=Membership.Role.EDITOR, organisation=org_b
    )
    first = _pending(team.measure, team.users["editor"], submit=False)
    second = _pending(team.measure, colleague, submit=False, description="Weiter.")
    assert first.pk == second.pk
    assert PendingChange.objects.active().count() == 1
    second.refresh_from_db()
    assert second.proposed["measure"]["description"] == "Weiter."
    assert second.author == team.users["editor"]  # who started it
