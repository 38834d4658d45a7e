"""Conditional GET, compression and the full-response cache of the public plan pages."""

import gzip

import pytest
from django.test import Client
from django.urls import reverse

from actionplan import models as ap
from actionplan.services import measure_set_state
from tests.actionplan.public_data import build_rich_plan
from tests.shared_data import module_data

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def plan_pk(django_db_setup, django_db_blocker):
    """Built once for the module (~0.5 s), rolled back at its end (tests/shared_data.py)."""
    with module_data(django_db_blocker):
        yield build_rich_plan(slug="leipzig").pk


@pytest.fixture
def plan(plan_pk, db):
    """Read again for each test: one test's changes to the instance never reach another."""
    return ap.Plan.objects.get(pk=plan_pk)


def _measure(plan):
    return ap.Measure.objects.filter(field__plan=plan).order_by("field__position", "position")[0]


def _pages(plan, measure) -> dict[str, str]:
    """Every public page that shows ``measure``."""
    listing = reverse("actionplan:measure_list", args=[plan.slug])
    return {
        "plan": plan.get_absolute_url(),
        "field": measure.field.get_absolute_url(),
        "measure": measure.get_absolute_url(),
        "timeline": reverse("actionplan:plan_timeline", args=[plan.slug]),
        "list": listing,
        "list (filtered)": f"{listing}?field={measure.field.slug}",
    }


def _etags(plan, measure) -> dict[str, str]:
    etags = {}
    for page, url in _pages(plan, measure).items():
        response = Client().get(url)
        assert response.status_code == 200, page
        etags[page] = response.headers["ETag"]
    return etags


def test_public_page_answers_304_to_a_matching_if_none_match(plan):
    url = plan.get_absolute_url()
    first = Client().get(url)
    etag = first.headers["ETag"]
    assert first.status_code == 200 and etag.startswith('"')
    assert first.headers["Last-Modified"]
    assert "no-cache" in first.headers["Cache-Control"]

    again = Client().get(url, headers={"if-none-match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert Client().get(url, headers={"if-none-match": '"other"'}).status_code == 200


def test_public_page_answers_304_to_if_modified_since(plan):
    url = plan.get_absolute_url()
    last_modified = Client().get(url).headers["Last-Modified"]

    assert Client().get(url, headers={"if-modified-since": last_modified}).status_code == 304
    earlier = "Mon, 01 Jan 2001 00:00:00 GMT"
    assert Client().get(url, headers={"if-modified-since": earlier}).status_code == 200


def test_etag_differs_per_language(plan):
    url = plan.get_absolute_url()
    german, english = Client().get(url), Client().get("/en" + url)
    assert german.headers["ETag"] != english.headers["ETag"]
    response = Client().get("/en" + url, headers={"if-none-match": german.headers["ETag"]})
    assert response.status_code == 200


def test_saving_a_measure_changes_the_etag_of_every_page_that_shows_it(plan):
    measure = _measure(plan)
    before = _etags(plan, measure)

    measure.title = "Neuer Titel"
    measure.save()

    after = _etags(plan, measure)
    assert all(after[page] != before[page] for page in before), (before, after)
    assert "Neuer Titel" in Client().get(_pages(plan, measure)["plan"]).content.decode()


def test_publication_state_change_changes_the_etag_of_every_page_that_shows_it(plan, staff_user):
    measure = _measure(plan)
    other = ap.Measure.objects.filter(field=measure.field).exclude(pk=measure.pk).first()
    pages = _pages(plan, other)  # the unpublished measure's own page answers 404, not an ETag
    pages.pop("measure")
    before = {page: Client().get(url).headers["ETag"] for page, url in pages.items()}
    plan_stamp = ap.Plan.objects.get(pk=plan.pk).content_changed_at

    # measure_set_state saves with update_fields=["state", ...]: the stamp must move anyway
    measure_set_state(measure=measure, state=ap.Measure.State.DRAFT, acting_user=staff_user)

    assert ap.Plan.objects.get(pk=plan.pk).content_changed_at > plan_stamp
    after = {page: Client().get(url).headers["ETag"] for page, url in pages.items()}
    assert all(after[page] != before[page] for page in before), (before, after)
    assert Client().get(measure.get_absolute_url()).status_code == 404
    assert measure.title not in Client().get(pages["plan"]).content.decode()


def test_cache_hit_serves_the_stored_page_without_a_query(plan, django_assert_num_queries):
    url = plan.get_absolute_url()
    first = Client().get(url)
    # PublicPageMiddleware answers: the plan's stamp is remembered, the view does not run
    with django_assert_num_queries(0):
        second = Client().get(url)
    assert second.status_code == 200
    assert second.content == first.content
    assert second.headers["ETag"] == first.headers["ETag"]


def test_members_neither_get_nor_fill_the_public_cache(plan, staff_user, staff_client):
    measure = _measure(plan)
    measure_set_state(measure=measure, state=ap.Measure.State.DRAFT, acting_user=staff_user)
    url = plan.get_absolute_url()

    # a member first: sees the draft; nothing stored for the public
    member_page = staff_client.get(url)
    assert measure.title in member_page.content.decode()
    assert "ETag" not in member_page.headers
    assert "private" in member_page.headers["Cache-Control"]
    public_page = Client().get(url)
    assert measure.title not in public_page.content.decode()

    # the public copy is now cached; the member still gets a fresh page with the draft
    assert Client().get(url).content == public_page.content
    member_again = staff_client.get(url, headers={"if-none-match": public_page.headers["ETag"]})
    assert member_again.status_code == 200
    assert measure.title in member_again.content.decode()
    assert "Plan bearbeiten" in member_again.content.decode()
    assert measure.title not in Client().get(url).content.decode()


def test_stale_session_cookie_bypasses_the_cache(plan):
    url = plan.get_absolute_url()
    Client().get(url)
    client = Client()
    client.cookies["sessionid"] = "no-such-session"
    response = client.get(url)
    assert response.status_code == 200
    assert "ETag" not in response.headers


def test_unpublished_plan_is_neither_cached_nor_tagged(client, staff_client):
    draft = build_rich_plan(slug="entwurf", status=ap.Plan.Status.DRAFT)
    assert staff_client.get(draft.get_absolute_url()).status_code == 200
    response = Client().get(draft.get_absolute_url())
    assert response.status_code == 404
    assert "ETag" not in response.headers


def test_anonymous_pages_are_compressed(plan):
    response = Client().get(plan.get_absolute_url(), headers={"accept-encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert "accept-encoding" in response.headers["Vary"].lower()
    assert b"<html" in gzip.decompress(response.content)
    # a compressed answer carries a weak ETag that still matches
    etag = response.headers["ETag"]
    assert etag.startswith('W/"')
    again = Client().get(
        plan.get_absolute_url(), headers={"accept-encoding": "gzip", "if-none-match": etag}
    )
    assert again.status_code == 304


def test_responses_with_secrets_are_not_compressed(plan, staff_client):
    staff_page = staff_client.get(plan.get_absolute_url(), headers={"accept-encoding": "gzip"})
    assert staff_page.status_code == 200
    assert "Content-Encoding" not in staff_page.headers
    # the login form carries a CSRF token (BREACH)
    login = Client().get(reverse("admin:login"), headers={"accept-encoding": "gzip"})
    assert login.status_code == 200
    assert "csrfmiddlewaretoken" in login.content.decode()
    assert "Content-Encoding" not in login.headers


def test_a_withdrawn_plan_answers_404_at_once_although_its_stamp_was_remembered(plan):
    url = plan.get_absolute_url()
    assert Client().get(url).status_code == 200  # stamp and page now cached

    plan.status = ap.Plan.Status.DRAFT
    plan.save()

    assert Client().get(url).status_code == 404


def test_a_deleted_plan_answers_404_at_once(plan):
    url = plan.get_absolute_url()
    assert Client().get(url).status_code == 200
    plan.delete()
    assert Client().get(url).status_code == 404


def test_remembered_stamps_are_forgotten_when_the_change_commits(
    plan, django_capture_on_commit_callbacks
):
    """A request that read the old stamp while the change was not yet committed stored it under
    the generation of that moment; the commit moves the generation. Before the commit, the
    writing connection sees its own change."""
    from django.core.cache import cache

    from actionplan.public_cache import STAMP_GENERATION_KEY

    Client().get(plan.get_absolute_url())
    before = cache.get(STAMP_GENERATION_KEY, 0)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        measure = _measure(plan)
        measure.title = "Geändert vor dem Commit"
        measure.save()
        assert cache.get(STAMP_GENERATION_KEY, 0) == before, "not moved before the commit"
        assert "Geändert vor dem Commit" in Client().get(plan.get_absolute_url()).content.decode()
    assert callbacks, "no on_commit callback registered"
    assert cache.get(STAMP_GENERATION_KEY) == before + 1


def test_a_cache_hit_serves_the_page_compressed_once_and_plain_to_who_cannot_unzip(
    plan, monkeypatch
):
    url = plan.get_absolute_url()
    plain = Client().get(url)
    assert "Content-Encoding" not in plain.headers
    assert "accept-encoding" in plain.headers["Vary"].lower()

    # the hit must not compress again: the stored gzip body is served as it is
    import django.middleware.gzip

    def fail(*args, **kwargs):
        raise AssertionError("compressed again on a cache hit")

    monkeypatch.setattr(django.middleware.gzip, "compress_string", fail)
    zipped = Client().get(url, headers={"accept-encoding": "gzip, br"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.content) == plain.content
    assert zipped.headers["ETag"] == "W/" + plain.headers["ETag"]


def test_a_repeated_request_is_answered_below_whitenoise_with_every_header_of_the_first(
    plan, monkeypatch
):
    url = plan.get_absolute_url()
    first = Client().get(url, headers={"accept-encoding": "gzip"})

    from actionplan import views

    def fail(*args, **kwargs):
        raise AssertionError("the view ran for a stored answer")

    monkeypatch.setattr(views.selectors, "fields_for_plan_page", fail)
    monkeypatch.setattr(views.selectors, "plans_for_detail", fail)
    again = Client().get(url, headers={"accept-encoding": "gzip"})
    assert again.content == first.content
    for header in ("ETag", "Last-Modified", "Content-Language", "X-Frame-Options", "Vary"):
        assert again.headers[header] == first.headers[header], header
    # the security middleware above still runs on the stored answer
    assert again.headers["Content-Security-Policy"] == first.headers["Content-Security-Policy"]
    assert "Set-Cookie" not in again.headers

    not_modified = Client().get(
        url, headers={"accept-encoding": "gzip", "if-none-match": first.headers["ETag"]}
    )
    assert not_modified.status_code == 304
    assert not_modified.content == b""


def test_a_stored_answer_is_not_used_once_the_plan_changed(plan):
    measure = _measure(plan)
    url = plan.get_absolute_url()
    Client().get(url)
    Client().get(url)
    measure.title = "Ganz neuer Titel"
    measure.save()
    assert "Ganz neuer Titel" in Client().get(url).content.decode()


def test_signed_in_members_are_never_answered_from_a_stored_public_answer(plan, staff_user):
    measure = _measure(plan)
    measure_set_state(measure=measure, state=ap.Measure.State.DRAFT, acting_user=staff_user)
    url = plan.get_absolute_url()
    Client().get(url)
    Client().get(url)  # stored for the public now
    member = Client()
    member.force_login(staff_user)
    assert measure.title in member.get(url).content.decode()


def test_many_writes_in_one_transaction_move_the_generation_once_at_commit(
    plan, django_capture_on_commit_callbacks
):
    """An import writes thousands of rows in one transaction: other processes' page caches
    must not be sent to the database thousands of times before anything is committed."""
    from django.core.cache import cache

    from actionplan.public_cache import STAMP_GENERATION_KEY

    Client().get(plan.get_absolute_url())
    before = cache.get(STAMP_GENERATION_KEY, 0)
    with django_capture_on_commit_callbacks(execute=True):
        for measure in ap.Measure.objects.filter(field__plan=plan):
            for step in measure.steps.all():
                step.text = f"{step.text} (geprüft)"
                step.save()
            measure.title = f"{measure.title} (geprüft)"
            measure.save()
        assert cache.get(STAMP_GENERATION_KEY, 0) == before
    assert cache.get(STAMP_GENERATION_KEY) == before + 1, "moved once, at the commit"
