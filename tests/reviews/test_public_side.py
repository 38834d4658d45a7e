"""A pending change is invisible on every public path until a coordinator approves it:
pages, PDFs, feeds, API, open data, search, sitemap and plan versions."""

import datetime
import io
import zipfile

import pytest
from django.urls import reverse

from actionplan import models as ap
from reviews.models import PendingChange
from tests.access.test_draft_leak import pdf_urls, public_urls, text_of
from tests.actionplan.admin_support import inline_prefix
from tests.reviews.conftest import change_url, open_form
from versions.services import plan_version_publish

pytestmark = pytest.mark.django_db

MARKER = "GEHEIM-AENDERUNG"


def _edit_everything(team):
    """The editor changes the title, the description, a step, adds a schedule entry and a
    budget note: each carries the marker."""
    client = team.client("editor")
    data, response = open_form(client, team.measure)
    data["title"] = f"Radwege {MARKER}-TITEL"
    data["description"] = f"Neu: {MARKER}-TEXT"
    steps = inline_prefix(response, ap.Step)
    data[f"{steps}-0-text"] = f"{MARKER}-SCHRITT"
    schedule = inline_prefix(response, ap.ScheduleEntry)
    index = int(data[f"{schedule}-TOTAL_FORMS"])
    data[f"{schedule}-TOTAL_FORMS"] = str(index + 1)
    data[f"{schedule}-{index}-label"] = f"III. Quartal 2027: {MARKER}-TERMIN"
    data[f"{schedule}-{index}-position"] = "5"
    data[f"{schedule}-{index}-measure"] = str(team.measure.pk)
    budget = inline_prefix(response, ap.BudgetLine)
    data[f"{budget}-0-note"] = f"{MARKER}-BUDGET"
    data["_submit_pending"] = "1"
    response = client.post(change_url(team.measure), data)
    assert response.status_code == 302
    pending = PendingChange.objects.get(measure=team.measure)
    assert pending.state == PendingChange.State.SUBMITTED
    assert MARKER in str(pending.proposed)
    return pending


def every_public_url(client, team) -> list[str]:
    plan = team.plan
    slug = {"plan_slug": plan.slug}
    measures = [team.measure, team.other_measure]
    urls = public_urls(client, plan, measures) + pdf_urls(plan, measures)
    urls += [
        reverse("actionplan:plan_progress_pdf", kwargs=slug),
        reverse("progress:plan_dashboard", kwargs=slug),
        reverse("feeds:plan_ical", kwargs=slug),
        reverse("feeds:plan_atom", kwargs=slug),
        reverse("opendata:plan_csv", kwargs=slug),
        reverse("opendata:plan_json", kwargs=slug),
        reverse("opendata:plan_metadata", kwargs=slug),
        reverse("search:results") + "?q=GEHEIM",  # a prefix: the page echoes the query
        reverse("search:results") + "?q=Radwege",
        reverse("api:measure-list"),
        reverse("api:measure-detail", args=[team.measure.pk]),
        reverse("api:plan-detail", args=[plan.pk]),
    ]
    for version in plan.versions.all():
        version_slug = {**slug, "version_slug": version.slug}
        field = plan.fields.get()
        urls += [
            reverse("versions:version_detail", kwargs=version_slug),
            reverse("versions:version_changes", kwargs=version_slug),
            reverse("versions:version_pdf", kwargs=version_slug),
            reverse(
                "versions:version_measure",
                kwargs={
                    **version_slug,
                    "field_slug": field.slug,
                    "measure_slug": team.measure.slug,
                },
            ),
        ]
    return urls


def body(response) -> str:
    if response["Content-Type"].startswith("application/zip"):
        archive = zipfile.ZipFile(io.BytesIO(response.content))
        return "\n".join(archive.read(name).decode("utf-8-sig") for name in archive.namelist())
    return text_of(response)


def crawl(client, team) -> dict[str, str]:
    texts = {}
    for url in every_public_url(client, team):
        response = client.get(url)
        assert response.status_code == 200, url
        texts[url] = body(response)
    return texts


@pytest.mark.parametrize("role", ["anonymous", "editor"])
def test_pending_change_is_on_no_public_path_until_approved(team, role):
    pending = _edit_everything(team)
    # a plan version published while the change waits holds the published state
    plan_version_publish(
        plan=team.plan,
        label="Stand Juni 2027",
        date=datetime.date(2027, 6, 1),
        acting_user=team.users["coordinator"],
    )
    assert MARKER not in str(team.plan.versions.get().snapshot)
    client = team.client(role)

    before = crawl(client, team)

    assert len(before) > 20
    for url, text in before.items():
        assert MARKER not in text, url
    assert "Radwege" in before[reverse("api:measure-detail", args=[team.measure.pk])]

    response = team.client("coordinator").post(
        reverse("reviews:approve", args=[pending.pk]), {"revision": pending.revision}
    )
    assert response.status_code == 302

    after = crawl(client, team)
    # the positive control: once approved, the change is public
    for url in (
        reverse("api:measure-detail", args=[team.measure.pk]),
        reverse("opendata:plan_json", kwargs={"plan_slug": team.plan.slug}),
        reverse("opendata:plan_csv", kwargs={"plan_slug": team.plan.slug}),
        reverse("feeds:plan_ical", kwargs={"plan_slug": team.plan.slug}),
    ):
        assert MARKER in after[url], url
    live = {u: text for u, text in after.items() if "/versionen/" not in u}
    detail = [u for u in live if u.endswith(f"/{team.measure.slug}/")]
    assert detail and all(f"{MARKER}-SCHRITT" in live[u] for u in detail)
    pdf = [u for u in live if team.measure.slug in u and u.endswith("pdf/")]
    assert pdf and all(f"{MARKER}-TEXT" in live[u] for u in pdf)
    # the version published before the approval keeps the state it recorded
    frozen = [u for u in after if "/versionen/" in u and "/aenderungen/" not in u]
    assert frozen and all(MARKER not in after[u] for u in frozen), [
        u for u in frozen if MARKER in after[u]
    ]
