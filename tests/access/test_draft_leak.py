"""Draft leak: no public response names a draft, whichever page, filter, language or document.

Every draft object carries the marker ``GEHEIM-ENTWURF`` in its title or text; published
measures are related to draft measures in both directions. Anonymous visitors and staff
accounts without a membership crawl every public URL; the marker must never appear. A reader of
the draft plan does see it (the positive control that keeps the test able to fail).
"""

import pytest
from django.urls import reverse
from django.utils import translation

from access.models import Membership
from actionplan import models as ap
from actionplan.resources import MeasureResource
from tests.actionplan.test_admin import export_csv
from tests.documents.pdf_factories import pdf_pages
from tests.factories import (
    OrganisationFactory,
    ResponsibilityFactory,
    UserFactory,
    build_plan,
)

pytestmark = pytest.mark.django_db

MARKER = "GEHEIM-ENTWURF"
MEASURE_FILTERS = ("field", "target_group", "organisation", "role", "status", "year")


@pytest.fixture
def leak(db):
    """A published plan with a draft measure; a draft plan whose measures relate to published
    ones both ways."""
    plan = build_plan(fields=2, measures_per_field=2, steps_per_measure=1, slug="offen")
    public = list(ap.Measure.objects.filter(field__plan=plan).order_by("field__position", "pk"))
    hidden = public.pop()
    ap.Measure.objects.filter(pk=hidden.pk).update(
        title=f"{MARKER}-1", description=f"{MARKER}-TEXT", state=ap.Measure.State.DRAFT
    )
    hidden.steps.update(text=f"{MARKER}-SCHRITT")

    draft_plan = build_plan(
        fields=1, measures_per_field=2, steps_per_measure=1, status="draft", slug="entwurf"
    )
    ap.Plan.objects.filter(pk=draft_plan.pk).update(title=f"{MARKER}-PLAN")
    ap.FieldOfAction.objects.filter(plan=draft_plan).update(title=f"{MARKER}-FELD")
    draft_measures = list(ap.Measure.objects.filter(field__plan=draft_plan).order_by("pk"))
    for i, measure in enumerate(draft_measures, start=2):
        ap.Measure.objects.filter(pk=measure.pk).update(title=f"{MARKER}-{i}")
    # a responsibility of an organisation only draft content names, for the filter choices
    ResponsibilityFactory(
        measure=draft_measures[0],
        organisation=OrganisationFactory(name=f"{MARKER}-AMT"),
        position=2,
    )
    public[0].related_measures.add(draft_measures[0], hidden)
    draft_measures[1].related_measures.add(public[1])
    hidden.related_measures.add(public[2])
    return {"plan": plan, "public": public, "hidden": hidden, "draft_plan": draft_plan}


def public_urls(client, plan, measures) -> list[str]:
    """Every public URL of the plan in the active language, with the measure list searched for
    the marker and filtered by every choice its form offers."""
    slug = {"plan_slug": plan.slug}
    urls = [
        reverse("actionplan:plan_list"),
        reverse("actionplan:plan_detail", kwargs=slug),
        reverse("actionplan:plan_timeline", kwargs=slug),
        reverse("actionplan:measure_list", kwargs=slug),
        reverse("django.contrib.sitemaps.views.sitemap"),
    ]
    measure_list = urls[3]
    # a prefix of the marker: the page echoes the query, but must find no draft
    urls.append(f"{measure_list}?q=GEHEIM")
    urls.append(f"{measure_list}?q=Schritt")
    form = client.get(measure_list).context["form"]
    for name in MEASURE_FILTERS:
        for value, _label in form.fields[name].choices:
            value = getattr(value, "value", value)
            if value not in ("", None):
                urls.append(f"{measure_list}?{name}={value}")
    return urls + content_urls(plan, measures, "field_detail", "measure_detail")


def pdf_urls(plan, measures) -> list[str]:
    urls = [reverse("actionplan:plan_pdf", kwargs={"plan_slug": plan.slug})]
    return urls + content_urls(plan, measures, "field_pdf", "measure_pdf")


def content_urls(plan, measures, field_view, measure_view) -> list[str]:
    """The pages (or PDFs) of every field of the plan and of the given measures."""
    urls = [
        reverse(f"actionplan:{field_view}", kwargs={"plan_slug": plan.slug, "field_slug": f.slug})
        for f in plan.fields.all()
    ]
    return urls + [measure_url(measure_view, plan, m) for m in measures]


def measure_url(view, plan, measure) -> str:
    kwargs = {"plan_slug": plan.slug, "field_slug": measure.field.slug}
    kwargs["measure_slug"] = measure.slug
    return reverse(f"actionplan:{view}", kwargs=kwargs)


def text_of(response) -> str:
    if response["Content-Type"].startswith("application/pdf"):
        return "\n".join(pdf_pages(response.content))
    return response.content.decode()


def assert_no_marker(client, urls):
    assert urls
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert MARKER not in text_of(response), url


def crawl(client, leak, language):
    with translation.override(language):
        plan = leak["plan"]
        assert_no_marker(client, public_urls(client, plan, leak["public"]))
        assert_no_marker(client, pdf_urls(plan, leak["public"]))
        # the drafts' own addresses answer 404 and name nothing either
        hidden = leak["hidden"]
        draft_plan = leak["draft_plan"]
        for url in [
            *pdf_urls(plan, [hidden])[-1:],
            measure_url("measure_detail", plan, hidden),
            reverse("actionplan:plan_detail", kwargs={"plan_slug": draft_plan.slug}),
            reverse("actionplan:plan_pdf", kwargs={"plan_slug": draft_plan.slug}),
        ]:
            response = client.get(url)
            assert response.status_code == 404, url
            assert MARKER not in response.content.decode(), url


@pytest.mark.parametrize("language", ["de", "en"])
def test_draft_leak_anonymous_sees_no_draft_anywhere(client, leak, language):
    crawl(client, leak, language)


def test_draft_leak_staff_without_membership_sees_no_draft_anywhere(client, leak):
    client.force_login(UserFactory(username="staff-ohne-rolle", is_staff=True))
    crawl(client, leak, "de")


def test_draft_leak_export_of_a_coordinator_holds_only_their_plan(client, leak):
    user = UserFactory(username="koordination", is_staff=True)
    Membership.objects.create(user=user, plan=leak["plan"], role=Membership.Role.COORDINATOR)
    client.force_login(user)

    response = export_csv(client, ap.Measure, MeasureResource)

    assert response.status_code == 200
    content = response.content.decode("utf-8-sig")
    # the draft measure of their own plan is theirs to export; the draft plan is not
    assert f"{MARKER}-1" in content
    for name in (f"{MARKER}-2", f"{MARKER}-3", f"{MARKER}-PLAN", f"{MARKER}-FELD"):
        assert name not in content


def test_draft_leak_positive_control_reader_of_the_draft_plan_sees_the_marker(client, leak):
    user = UserFactory(username="lesend", is_staff=True)
    Membership.objects.create(user=user, plan=leak["draft_plan"], role=Membership.Role.READER)
    client.force_login(user)
    measure = ap.Measure.objects.get(title=f"{MARKER}-2")
    url = measure_url("measure_detail", leak["draft_plan"], measure)

    response = client.get(url)

    assert response.status_code == 200
    assert f"{MARKER}-2" in response.content.decode()
    # and the related published measure lists it back to a member only
    back = measure_url("measure_detail", leak["plan"], leak["public"][1])
    assert f"{MARKER}-3" in client.get(back).content.decode()
    client.logout()
    assert f"{MARKER}-3" not in client.get(back).content.decode()
