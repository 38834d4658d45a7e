"""Embeds (embeds/): a plan's progress and a measure's status for a city's own website, framed
only by the sites ``PLANWERK_EMBED_FRAME_ANCESTORS`` names, never showing a draft."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils import translation
from django.utils.text import capfirst

from access.models import Membership
from actionplan import models as ap
from tests.factories import ScheduleEntryFactory, StaffUserFactory, build_plan
from tests.test_settings import load_settings  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db

ALLOWED = ["https://www.leipzig.de", "https://*.leipzig.de"]
TODAY = datetime.datetime(2011, 9, 1, 12, tzinfo=datetime.UTC)


@pytest.fixture
def site(db):
    """A published plan (10 measures, two of each status, one of them a draft) with a period,
    a draft plan, and a measure with a past, a next and a later milestone."""
    plan = build_plan(fields=2, measures_per_field=5, steps_per_measure=1, slug="offen")
    plan.period_label = "2011 bis 2012"
    plan.save()
    hidden = ap.Measure.objects.get(field__plan=plan, field__position=2, position=5)
    hidden.title = "GEHEIMER Entwurf"
    hidden.state = ap.Measure.State.DRAFT
    hidden.save()
    measure = ap.Measure.objects.get(field__plan=plan, field__position=1, position=2)
    assert measure.status == ap.Measure.Status.IN_PROGRESS
    measure.schedule.all().delete()
    ScheduleEntryFactory(measure=measure, position=1, label="Juni 2011: Auftakt")
    ScheduleEntryFactory(measure=measure, position=2, label="Oktober 2011: Workshop")
    ScheduleEntryFactory(measure=measure, position=3, label="März 2012: Bericht")
    ap.Measure.objects.filter(pk=measure.pk).update(status_reported_at=datetime.date(2011, 8, 15))
    draft_plan = build_plan(
        fields=1, measures_per_field=1, steps_per_measure=1, slug="entwurf", status="draft"
    )
    draft_plan.title = "GEHEIMER Plan"
    draft_plan.save()
    return {"plan": plan, "measure": measure, "hidden": hidden, "draft_plan": draft_plan}


def plan_embed_url(plan) -> str:
    return reverse("embeds:plan", kwargs={"plan_slug": plan.slug})


def measure_embed_url(measure) -> str:
    return reverse(
        "embeds:measure",
        kwargs={
            "plan_slug": measure.field.plan.slug,
            "field_slug": measure.field.slug,
            "measure_slug": measure.slug,
        },
    )


def frame_ancestors(response) -> str:
    directives = [d.strip() for d in response["Content-Security-Policy"].split(";")]
    (directive,) = [d for d in directives if d.startswith("frame-ancestors")]
    return directive.removeprefix("frame-ancestors").strip()


@time_machine.travel(TODAY, tick=False)
def test_plan_embed_shows_progress_at_a_glance(client, site):
    response = client.get(plan_embed_url(site["plan"]))
    assert response.status_code == 200
    text = response.content.decode()
    # nine published measures: build_plan gives the statuses in turn, the draft is cancelled
    assert "2 von 9 Maßnahmen abgeschlossen" in text
    assert "Läuft vom 1. Januar 2011 bis zum 31. Dezember 2012." in text
    assert "GEHEIM" not in text
    assert site["plan"].title in text
    # no header, navigation or footer of the site
    assert "site-header" not in text and "site-footer" not in text
    assert '<meta name="robots" content="noindex">' in text
    assert 'target="_blank"' in text


def test_plan_embed_counts_published_measures_by_status(client, site):
    text = client.get(plan_embed_url(site["plan"])).content.decode()
    published = ap.Measure.objects.filter(
        field__plan=site["plan"], state=ap.Measure.State.PUBLISHED
    )
    for status, label in ap.Measure.Status.choices:
        count = published.filter(status=status).count()
        assert f"{capfirst(label)}: <strong>{count}</strong>" in text
    assert sum(published.filter(status=s).count() for s in ap.Measure.Status.values) == 9


@time_machine.travel(datetime.datetime(2014, 1, 1, 12, tzinfo=datetime.UTC), tick=False)
def test_plan_embed_of_an_ended_plan_says_so(client, site):
    text = client.get(plan_embed_url(site["plan"])).content.decode()
    assert "Lief vom 1. Januar 2011 bis zum 31. Dezember 2012" in text
    assert "Endstand" in text


@time_machine.travel(TODAY, tick=False)
def test_measure_embed_shows_status_and_next_milestone(client, site):
    response = client.get(measure_embed_url(site["measure"]))
    assert response.status_code == 200
    text = response.content.decode()
    assert site["measure"].title in text
    assert "status--in_progress" in text
    assert "Stand vom 15. August 2011" in text
    assert "Nächster Meilenstein:" in text
    assert "Oktober 2011: Workshop" in text
    assert "Juni 2011" not in text and "März 2012" not in text


@time_machine.travel(TODAY, tick=False)
def test_measure_embed_in_english(client, site):
    with translation.override("en"):
        url = measure_embed_url(site["measure"])
    assert url.startswith("/en/")
    text = client.get(url).content.decode()
    assert "Next milestone:" in text
    assert 'lang="de"' in text  # the plan's content is German


def test_embeds_deny_framing_by_default(client, site):
    for url in (plan_embed_url(site["plan"]), measure_embed_url(site["measure"])):
        response = client.get(url)
        assert frame_ancestors(response) == "'none'"
        assert response["X-Frame-Options"] == "DENY"


def test_embeds_take_frame_ancestors_from_the_setting(client, site, settings):
    settings.PLANWERK_EMBED_FRAME_ANCESTORS = ALLOWED
    for url in (plan_embed_url(site["plan"]), measure_embed_url(site["measure"])):
        for _ in range(2):  # the second answer comes from the public-page cache
            response = client.get(url)
            assert response.status_code == 200
            assert frame_ancestors(response) == " ".join(ALLOWED)
            assert not response.has_header("X-Frame-Options")
            # the rest of the policy stays as strict as everywhere
            assert "script-src 'self'" in response["Content-Security-Policy"]
        etag = response["ETag"]
        not_modified = client.get(url, HTTP_IF_NONE_MATCH=etag)
        assert not_modified.status_code == 304
        assert frame_ancestors(not_modified) == " ".join(ALLOWED)


def test_a_changed_setting_is_not_replayed_from_the_cache(client, site, settings):
    url = plan_embed_url(site["plan"])
    settings.PLANWERK_EMBED_FRAME_ANCESTORS = ALLOWED
    client.get(url)
    settings.PLANWERK_EMBED_FRAME_ANCESTORS = []
    assert frame_ancestors(client.get(url)) == "'none'"


def test_other_pages_keep_denying_framing(client, site, settings):
    settings.PLANWERK_EMBED_FRAME_ANCESTORS = ALLOWED
    for url in (
        site["plan"].get_absolute_url(),
        site["measure"].get_absolute_url(),
        reverse("progress:plan_dashboard", kwargs={"plan_slug": site["plan"].slug}),
    ):
        response = client.get(url)
        assert frame_ancestors(response) == "'none'", url
        assert response["X-Frame-Options"] == "DENY"


def _member(plan):
    user = StaffUserFactory(username=f"m-{plan.slug}", is_superuser=False)
    Membership.objects.create(user=user, plan=plan, role=Membership.Role.COORDINATOR)
    return user


@pytest.mark.parametrize("who", ["anonymous", "member"])
def test_embeds_of_drafts_are_not_found(client, site, who):
    if who == "member":
        member = _member(site["draft_plan"])
        Membership.objects.create(user=member, plan=site["plan"], role=Membership.Role.COORDINATOR)
        client.force_login(member)
    draft_measure = site["draft_plan"].fields.get().measures.get()
    for url in (
        plan_embed_url(site["draft_plan"]),
        measure_embed_url(draft_measure),
        measure_embed_url(site["hidden"]),
        reverse("embeds:plan", kwargs={"plan_slug": "gibt-es-nicht"}),
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "GEHEIM" not in response.content.decode()


def test_member_gets_published_figures_only(client, site):
    """Members see drafts on the plan pages, never in an embed (it is for the public)."""
    client.force_login(_member(site["plan"]))
    text = client.get(plan_embed_url(site["plan"])).content.decode()
    assert "von 9 Maßnahmen" in text


def test_embed_views_accept_reads_only(client, site):
    assert client.post(plan_embed_url(site["plan"])).status_code == 405


def test_plan_embed_query_count(client, site, django_assert_num_queries):
    """The plan, the status counts and the period (from the schedule when the label gives no
    dates): the same for any size of plan."""
    site["plan"].period_label = ""
    site["plan"].save()
    client.force_login(_member(site["plan"]))  # past the public-page cache
    url = plan_embed_url(site["plan"])
    client.get(url)
    # session, user, plan, counts, period span, and the request's savepoint pair
    with django_assert_num_queries(7):
        assert client.get(url).status_code == 200
    field = site["plan"].fields.get(position=1)
    for position in range(10, 40):
        ap.Measure.objects.create(field=field, position=position, title=f"M {position}")
    with django_assert_num_queries(7):
        assert client.get(url).status_code == 200


@time_machine.travel(TODAY, tick=False)
def test_measure_embed_query_count(client, site, django_assert_num_queries):
    client.force_login(_member(site["plan"]))
    url = measure_embed_url(site["measure"])
    client.get(url)
    # session, user, plan, measure with its field, next milestone, the savepoint pair
    with django_assert_num_queries(7):
        assert client.get(url).status_code == 200


def test_anonymous_repeat_is_served_from_the_cache(client, site, django_assert_num_queries):
    url = plan_embed_url(site["plan"])
    client.get(url)
    with django_assert_num_queries(2):  # the request's savepoint pair, no SELECT
        assert client.get(url).status_code == 200


def test_snippet_shown_only_when_framing_is_allowed(client, site, settings, private_cache):
    plan, measure = site["plan"], site["measure"]
    assert "embed-snippet" not in client.get(plan.get_absolute_url()).content.decode()

    # a deploy with the setting: a new process, a new page fingerprint, no cached page
    settings.PLANWERK_EMBED_FRAME_ANCESTORS = ALLOWED
    settings.PLANWERK_BASE_URL = "https://planwerk.example.org"
    private_cache.clear()
    text = client.get(plan.get_absolute_url()).content.decode()
    assert "<summary>Einbetten</summary>" in text
    assert "&lt;iframe src=&quot;https://planwerk.example.org/plaene/offen/einbetten/&quot;" in text
    text = client.get(measure.get_absolute_url()).content.decode()
    assert "https://planwerk.example.org" + measure_embed_url(measure) in text


def test_no_snippet_on_a_members_draft_pages(client, site, settings):
    settings.PLANWERK_EMBED_FRAME_ANCESTORS = ALLOWED
    client.force_login(_member(site["plan"]))
    text = client.get(site["hidden"].get_absolute_url()).content.decode()
    assert "embed-snippet" not in text


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", []),
        ("https://www.leipzig.de, https://*.leipzig.de", ALLOWED),
        ("https://a.example:8443 'self'", ["https://a.example:8443", "'self'"]),
    ],
)
def test_setting_reads_the_environment(load_settings, monkeypatch, value, expected):  # noqa: F811
    monkeypatch.delenv("PLANWERK_EMBED_FRAME_ANCESTORS", raising=False)
    loaded = load_settings(PLANWERK_EMBED_FRAME_ANCESTORS=value)
    assert loaded["PLANWERK_EMBED_FRAME_ANCESTORS"] == expected


@pytest.mark.parametrize(
    "value", ["'none'; script-src *", "https://a.example/'", "'unsafe-inline'"]
)
def test_setting_refuses_what_is_not_a_host(load_settings, monkeypatch, value):  # noqa: F811
    monkeypatch.delenv("PLANWERK_EMBED_FRAME_ANCESTORS", raising=False)
    with pytest.raises(ImproperlyConfigured):
        load_settings(PLANWERK_EMBED_FRAME_ANCESTORS=value)
