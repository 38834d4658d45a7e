"""Personal API tokens: created in the admin by a member for themselves, the key shown once and
stored only as a hash, listed and revoked by their owner (and superusers)."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from access.models import Membership
from api.models import ApiToken, hash_key
from api.services import api_token_create, api_token_revoke
from tests.api.conftest import auth
from tests.factories import StaffUserFactory, UserFactory, build_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(db):
    plan = build_plan(fields=1, measures_per_field=1, steps_per_measure=0, status="draft")
    user = UserFactory(username="redaktion", is_staff=True)
    Membership.objects.create(user=user, plan=plan, role=Membership.Role.READER)
    return user, plan


def test_token_created_in_admin_shows_key_once_and_stores_only_its_hash(client, member):
    user, plan = member
    client.force_login(user)

    response = client.post(
        reverse("admin:api_apitoken_add"), {"name": "Open-Data-Portal", "expires_at_0": ""}
    )

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    key = re.search(r'value="(pw_[A-Za-z0-9_-]+)"', html).group(1)
    token = ApiToken.objects.get()
    assert token.user == user and token.name == "Open-Data-Portal"
    assert token.key_hash == hash_key(key)
    assert key not in {token.key_start, token.key_hash, token.name}
    assert key.startswith(token.key_start)
    # the change page and the list never show the key again
    assert (
        key
        not in client.get(reverse("admin:api_apitoken_change", args=[token.pk])).content.decode()
    )
    assert key not in client.get(reverse("admin:api_apitoken_changelist")).content.decode()
    # and it works: the member reads the draft plan through the API
    client.logout()
    api = client.get(reverse("api:plan-detail", args=[plan.pk]), **auth(key))
    assert api.status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_token_admin_page_is_german_and_explains_the_header(client, member):
    client.force_login(member[0])
    html = client.post(reverse("admin:api_apitoken_add"), {"name": "x"}).content.decode()
    assert "Authorization: Token pw_" in html
    assert "nur einmal" in html


def test_token_admin_lists_only_ones_own_tokens(client, member):
    user, plan = member
    other = UserFactory(username="andere", is_staff=True)
    Membership.objects.create(user=other, plan=plan, role=Membership.Role.READER)
    mine, _ = api_token_create(acting_user=user, name="Meiner")
    theirs, _ = api_token_create(acting_user=other, name="Fremder")
    client.force_login(user)

    listed = client.get(reverse("admin:api_apitoken_changelist")).context["cl"].result_list

    assert list(listed) == [mine]
    assert client.get(reverse("admin:api_apitoken_change", args=[theirs.pk])).status_code == 404
    assert (
        client.post(
            reverse("admin:api_apitoken_delete", args=[theirs.pk]), {"post": "yes"}
        ).status_code
        == 404
    )
    assert ApiToken.objects.filter(pk=theirs.pk).exists()
    client.force_login(StaffUserFactory(username="root"))
    everyone = client.get(reverse("admin:api_apitoken_changelist")).context["cl"].result_list
    assert set(everyone) == {mine, theirs}


def test_token_revoke_action_makes_the_token_answer_401(client, member):
    user, plan = member
    token, key = api_token_create(acting_user=user, name="Skript")
    url = reverse("api:plan-detail", args=[plan.pk])
    assert client.get(url, **auth(key)).status_code == 200
    client.force_login(user)

    response = client.post(
        reverse("admin:api_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [token.pk]},
        follow=True,
    )

    assert response.status_code == 200
    token.refresh_from_db()
    assert token.revoked_at is not None
    client.logout()
    assert client.get(url, **auth(key)).status_code == 401


def test_token_revoke_refuses_someone_elses_token(member):
    user, _plan = member
    token, _key = api_token_create(acting_user=user, name="Skript")
    stranger = UserFactory(username="fremd")

    with pytest.raises(PermissionError):
        api_token_revoke(acting_user=stranger, token=token)
    token.refresh_from_db()
    assert token.revoked_at is None
    assert api_token_revoke(acting_user=user, token=token) is True
    assert api_token_revoke(acting_user=user, token=token) is False  # already revoked


def test_token_admin_not_for_staff_without_role(client):
    client.force_login(UserFactory(username="ohne-rolle", is_staff=True))
    response = client.get(reverse("admin:api_apitoken_add"))
    assert response.status_code == 302  # the admin site admits members only
    assert not ApiToken.objects.exists()


def test_token_expiry_in_the_past_is_refused_by_the_api(client, member):
    user, plan = member
    token, key = api_token_create(
        acting_user=user, name="kurz", expires_at=timezone.now() + timezone.timedelta(hours=1)
    )
    url = reverse("api:plan-detail", args=[plan.pk])
    assert client.get(url, **auth(key)).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(
        expires_at=timezone.now() - timezone.timedelta(seconds=1)
    )
    assert client.get(url, **auth(key)).status_code == 401


def test_token_of_a_user_who_lost_the_role_sees_public_content_only(client, member):
    user, plan = member
    _token, key = api_token_create(acting_user=user, name="Skript")
    url = reverse("api:plan-detail", args=[plan.pk])
    assert client.get(url, **auth(key)).status_code == 200

    Membership.objects.filter(user=user).delete()

    assert client.get(url, **auth(key)).status_code == 404


def test_token_with_an_expiry_in_the_past_is_refused_with_a_message(client, member):
    client.force_login(member[0])

    response = client.post(
        reverse("admin:api_apitoken_add"),
        {"name": "alt", "expires_at_0": "01.01.2020", "expires_at_1": "12:00:00"},
    )

    assert response.status_code == 200
    assert "Das Ablaufdatum muss in der Zukunft liegen." in response.content.decode()
    assert not ApiToken.objects.exists()
