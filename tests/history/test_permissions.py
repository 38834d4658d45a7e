"""Who may see a comparison and who may revert: access.rules through the admin."""

import pytest

from actionplan import models as ap
from tests.history.conftest import admin_url, change_measure, client_for, compare_url, revert_url

pytestmark = pytest.mark.django_db

# role -> (comparison, revert page) status
EXPECTED = {
    "superuser": (200, 200),
    "coordinator": (200, 200),
    "editor": (200, 200),  # an organisation responsible for the measure
    "other_editor": (200, 403),  # an editor without rights on this measure
    "reader": (200, 403),
    "outsider": (404, 404),  # coordinator of another plan
}


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_compare_and_revert_follow_the_roles(users, measure, role):
    target = measure.history.latest()
    change_measure(measure)
    client = client_for(users[role])
    compare_status, revert_status = EXPECTED[role]

    assert client.get(compare_url(measure, target, measure.history.latest())).status_code == (
        compare_status
    )
    assert client.get(admin_url(measure, "history", measure.pk)).status_code == compare_status
    assert client.get(revert_url(measure, target)).status_code == revert_status
    title = ap.Measure.objects.get(pk=measure.pk).title
    response = client.post(revert_url(measure, target), {"_version": 999})
    if role == "editor":
        # the measure is published and its plan reviews changes: the editor's revert would
        # skip the review (reviews), so it is refused before the version is checked
        assert response.status_code == 403
    elif revert_status == 200:
        assert response.status_code == 409  # allowed, but the version is stale
    else:
        assert response.status_code == revert_status
    assert ap.Measure.objects.get(pk=measure.pk).title == title


def test_history_list_offers_revert_only_to_who_may_change(users, measure):
    change_measure(measure)
    url = admin_url(measure, "history", measure.pk)
    assert "Zurücksetzen auf diese Version" in client_for(users["editor"]).get(url).content.decode()
    page = client_for(users["reader"]).get(url).content.decode()
    assert "Zurücksetzen auf diese Version" not in page
    assert admin_url(measure, "history_compare", measure.pk) in page


def test_anonymous_is_sent_to_the_login(measure):
    client = client_for(None)
    target = measure.history.latest()
    for url in (
        admin_url(measure, "history_compare", measure.pk),
        revert_url(measure, target),
        admin_url(ap.Measure, "recoverlist"),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert "/admin/login/" in response.url
    assert client.post(revert_url(measure, target)).status_code == 302
