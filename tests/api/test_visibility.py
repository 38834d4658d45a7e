"""Every API endpoint shows published content only, to anonymous clients, to accounts without a
role (session or token) and to tokens of members of other plans; a member's token reads their
drafts (the positive control that keeps the crawl able to fail)."""

import pytest
from django.urls import reverse

from access.models import Membership
from api.models import ApiToken
from tests.api.conftest import ENDPOINTS, MARKER, auth
from tests.factories import UserFactory, build_plan

pytestmark = pytest.mark.django_db


def crawl(client, **headers) -> tuple[list[str], str]:
    """Every list page (following ``next``) and every listed object's detail, plus the root
    and the schema; returns the URLs and all bodies."""
    urls = [reverse("api:api-root"), reverse("api:schema") + "?format=json"]
    bodies = []
    for name in ENDPOINTS:
        url = reverse(f"api:{name[:-1]}-list") + "?page_size=2"
        while url:
            response = client.get(url, **headers)
            assert response.status_code == 200, url
            bodies.append(response.content.decode())
            data = response.json()
            urls.append(url)
            for item in data["results"]:
                urls.append(reverse(f"api:{name[:-1]}-detail", args=[item["id"]]))
            url = data["next"]
    for url in urls:
        response = client.get(url, **headers)
        assert response.status_code == 200, url
        bodies.append(response.content.decode())
    return urls, "\n".join(bodies)


def hidden_urls(api_leak) -> list[str]:
    draft_plan = api_leak["draft_plan"]
    return [
        reverse("api:measure-detail", args=[api_leak["hidden"].pk]),
        reverse("api:plan-detail", args=[draft_plan.pk]),
        reverse("api:field-detail", args=[draft_plan.fields.get().pk]),
        reverse("api:campaign-detail", args=[api_leak["draft_campaign"].pk]),
        reverse("api:person-detail", args=[api_leak["shy"].pk]),
    ]


def assert_public_only(client, api_leak, shared=(), **headers):
    """``shared``: names a member of any plan sees anyway (organisations and persons are shared
    by all plans and managed by every coordinator, as in the admin)."""
    urls, text = crawl(client, **headers)
    assert len(urls) > 20
    for name in shared:
        assert name in text  # so the exemption is not vacuous
        text = text.replace(name, "")
    assert MARKER not in text
    assert "geheim-entwurf@example.org" not in text
    assert api_leak["shy"].last_name not in text  # no consent: never named
    for url in hidden_urls(api_leak):
        response = client.get(url, **headers)
        assert response.status_code == 404, url
        assert MARKER not in response.content.decode()


def test_api_anonymous_sees_no_draft_on_any_endpoint(client, api_leak):
    assert_public_only(client, api_leak)


def test_api_anonymous_in_english_sees_no_draft(client, api_leak):
    assert_public_only(client, api_leak, HTTP_ACCEPT_LANGUAGE="en")


def test_api_staff_session_without_role_sees_no_draft(client, api_leak):
    client.force_login(UserFactory(username="staff-ohne-rolle", is_staff=True))
    assert_public_only(client, api_leak)


def test_api_token_of_user_without_role_sees_no_draft(client, api_leak, make_token):
    _user, key = make_token("ohne-rolle")
    assert_public_only(client, api_leak, **auth(key))


def test_api_token_of_member_of_another_plan_sees_no_draft(client, api_leak, make_token):
    other = build_plan(fields=1, measures_per_field=1, steps_per_measure=0, slug="anders")
    _user, key = make_token("andere", plan=other, role=Membership.Role.COORDINATOR)
    shared = (f'"{MARKER}-AMT"', f'"{MARKER}-PERSON"')
    assert_public_only(client, api_leak, shared, **auth(key))


def test_api_token_of_reader_sees_their_drafts_only(client, api_leak, make_token):
    _user, key = make_token("lesend", plan=api_leak["draft_plan"])

    response = client.get(reverse("api:measure-list") + "?page_size=200", **auth(key))

    assert response.status_code == 200
    titles = {m["title"] for m in response.json()["results"]}
    assert {f"{MARKER}-2", f"{MARKER}-3"} <= titles  # the draft plan's measures
    assert f"{MARKER}-1" not in titles  # a draft of the published plan: not theirs
    plan = client.get(reverse("api:plan-detail", args=[api_leak["draft_plan"].pk]), **auth(key))
    assert plan.status_code == 200
    assert plan.json()["title"] == f"{MARKER}-PLAN"
    assert plan.json()["status"] == "draft"
    # and the draft campaign stays hidden: no campaign role
    campaign = reverse("api:campaign-detail", args=[api_leak["draft_campaign"].pk])
    assert client.get(campaign, **auth(key)).status_code == 404
    # the response is the member's: never stored by a shared cache
    assert "private" in response["Cache-Control"]


def test_api_related_measures_list_only_visible_ones(client, api_leak, make_token):
    public = api_leak["public"][0]
    url = reverse("api:measure-detail", args=[public.pk])
    hidden_ids = {
        api_leak["hidden"].pk,
        *api_leak["draft_plan"].fields.get().measures.values_list("pk", flat=True),
    }

    anonymous = set(client.get(url).json()["related_measures"])
    _user, key = make_token("koordination", plan=api_leak["plan"], role=Membership.Role.COORDINATOR)
    member = set(client.get(url, **auth(key)).json()["related_measures"])

    assert not anonymous & hidden_ids
    assert api_leak["hidden"].pk in member  # the coordinator sees the draft of their plan


def test_api_campaign_related_measures_only_visible(client, api_leak):
    data = client.get(reverse("api:campaign-detail", args=[api_leak["campaign"].pk])).json()
    assert data["related_measures"] == [api_leak["public"][0].pk]


def test_api_person_without_consent_is_not_named_and_shows_the_organisations_contact(
    client, api_leak
):
    shy = api_leak["shy"]
    response = client.get(reverse("api:measure-detail", args=[api_leak["public"][0].pk]))

    entry = next(r for r in response.json()["responsibilities"] if r["position"] == 9)

    assert entry["person"]["name"] is None
    assert entry["person"]["salutation"] == ""
    assert entry["person"]["display_name"] == shy.public_name
    assert entry["person"]["function"] == shy.function
    assert entry["person"]["phone"] == shy.organisation.phone
    assert entry["person"]["email"] == shy.organisation.email
    assert entry["person"]["api_url"] is None
    body = response.content.decode()
    for secret in (shy.last_name, shy.phone, shy.email):
        assert secret not in body
    listed = client.get(reverse("api:person-list") + "?page_size=200").json()["results"]
    assert shy.pk not in {p["id"] for p in listed}
    assert listed  # consenting persons of public content are listed


def test_api_organisation_named_only_by_a_draft_is_not_listed(client, api_leak, make_token):
    url = reverse("api:organisation-list") + "?page_size=200"

    public = {o["name"] for o in client.get(url).json()["results"]}
    _user, key = make_token("lesend", plan=api_leak["draft_plan"])
    member = {o["name"] for o in client.get(url, **auth(key)).json()["results"]}

    assert f"{MARKER}-AMT" not in public
    assert f"{MARKER}-AMT" in member
    assert public  # the published plan's organisations are


def test_api_revoked_expired_and_unknown_tokens_answer_401(client, api_leak, make_token):
    user, key = make_token("lesend", plan=api_leak["draft_plan"])
    url = reverse("api:plan-list")
    assert client.get(url, **auth(key)).status_code == 200

    ApiToken.objects.filter(user=user).update(revoked_at="2020-01-01T00:00:00Z")
    revoked = client.get(url, **auth(key))

    assert revoked.status_code == 401
    assert revoked["WWW-Authenticate"].startswith("Token")
    assert MARKER not in revoked.content.decode()
    ApiToken.objects.filter(user=user).update(revoked_at=None, expires_at="2020-01-01T00:00:00Z")
    assert client.get(url, **auth(key)).status_code == 401
    for header in ("Token pw_falsch", "Token", "Token a b", "Bearer pw_falsch"):
        assert client.get(url, HTTP_AUTHORIZATION=header).status_code == 401, header
    user.is_active = False
    user.save()
    ApiToken.objects.filter(user=user).update(expires_at=None)
    assert client.get(url, **auth(key)).status_code == 401


def test_api_bearer_keyword_works_like_token(client, api_leak, make_token):
    _user, key = make_token("lesend", plan=api_leak["draft_plan"])
    url = reverse("api:plan-detail", args=[api_leak["draft_plan"].pk])
    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200


def test_api_is_read_only(client, api_leak, make_token):
    _user, key = make_token("koordination", plan=api_leak["plan"], role=Membership.Role.COORDINATOR)
    url = reverse("api:measure-detail", args=[api_leak["public"][0].pk])
    for method in ("post", "put", "patch", "delete"):
        response = getattr(client, method)(
            url, data={}, content_type="application/json", **auth(key)
        )
        assert response.status_code == 405, method
