"""Who may compare, approve, send back, withdraw and submit a pending change: every role.

The pending change belongs to organisation B's published measure (``team.measure``). Its
editors and the plan's coordinators see it; everyone else gets 404 (a pending change that does
not exist answers the same). Approving and sending back are the coordinators'; editors get
403 there. The global route matrix (tests/access/test_permission_matrix.py) pins the GETs.
"""

import pytest
from django.urls import reverse

from reviews import services, state
from reviews.models import PendingChange

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "staff",
    "reader",
    "editor_other_org",
    "editor",
    "other_coordinator",
    "coordinator",
    "superuser",
]
SEES = {"editor", "coordinator", "superuser"}
REVIEWS = {"coordinator", "superuser"}


def _pending(team, status=PendingChange.State.SUBMITTED):
    proposed = state.measure_state(team.measure)
    proposed["measure"]["description"] = "Vorgeschlagen."
    pending = services.pending_change_save(
        measure=team.measure,
        acting_user=team.users["editor"],
        base=state.measure_state(team.measure),
        base_version=team.measure.version,
        proposed=proposed,
        submit=status == PendingChange.State.SUBMITTED,
    )
    return pending


def _gate(role, allowed_status):
    if role in {"anonymous", "staff"}:
        return 302  # the admin's login
    if role not in SEES:
        return 404
    return allowed_status


@pytest.mark.parametrize("role", ROLES)
def test_matrix_compare(team, role):
    pending = _pending(team)
    response = team.client(role).get(reverse("reviews:compare", args=[pending.pk]))
    assert response.status_code == _gate(role, 200)
    if response.status_code == 200:
        assert "Vorgeschlagen." in response.content.decode()
        shows_buttons = 'action="' + reverse("reviews:approve", args=[pending.pk]) + '"'
        assert (shows_buttons in response.content.decode()) == (role in REVIEWS)


@pytest.mark.parametrize("role", ROLES)
def test_matrix_approve(team, role):
    pending = _pending(team)
    response = team.client(role).post(reverse("reviews:approve", args=[pending.pk]))
    expected = _gate(role, 302 if role in REVIEWS else 403)
    assert response.status_code == expected
    pending.refresh_from_db()
    team.measure.refresh_from_db()
    approved = role in REVIEWS
    assert (pending.state == PendingChange.State.APPROVED) == approved
    assert (team.measure.description == "Vorgeschlagen.") == approved


@pytest.mark.parametrize("role", ROLES)
def test_matrix_send_back(team, role):
    pending = _pending(team)
    response = team.client(role).post(
        reverse("reviews:send_back", args=[pending.pk]), {"comment": "Bitte ändern."}
    )
    assert response.status_code == _gate(role, 302 if role in REVIEWS else 403)
    pending.refresh_from_db()
    assert (pending.state == PendingChange.State.SENT_BACK) == (role in REVIEWS)


@pytest.mark.parametrize("role", ROLES)
def test_matrix_withdraw(team, role):
    pending = _pending(team)
    response = team.client(role).post(reverse("reviews:withdraw", args=[pending.pk]))
    assert response.status_code == _gate(role, 302)
    pending.refresh_from_db()
    assert (pending.state == PendingChange.State.WITHDRAWN) == (role in SEES)


@pytest.mark.parametrize("role", ROLES)
def test_matrix_submit(team, role):
    pending = _pending(team, status=PendingChange.State.OPEN)
    assert pending.state == PendingChange.State.OPEN
    response = team.client(role).post(reverse("reviews:submit", args=[pending.pk]))
    assert response.status_code == _gate(role, 302)
    pending.refresh_from_db()
    assert (pending.state == PendingChange.State.SUBMITTED) == (role in SEES)


@pytest.mark.parametrize("name", ["compare", "approve", "send_back", "withdraw", "submit"])
def test_matrix_unknown_pending_change_answers_404(team, name):
    client = team.client("coordinator")
    url = reverse(f"reviews:{name}", args=[999999])
    response = client.get(url) if name == "compare" else client.post(url)
    assert response.status_code == 404


def test_editors_edit_of_another_organisations_measure_is_refused(team):
    """The editor of organisation A cannot edit B's measure, so cannot make a pending change."""
    from tests.reviews.conftest import change_url

    response = team.client("editor_other_org").post(change_url(team.measure), {})
    assert response.status_code == 403
    assert not PendingChange.objects.exists()
