"""The demo ships dated versions (issue 18, item 10): “Stand Mai 2011”, one later change and
“Fortschreibung Dezember 2012”, so the version list and the changes report show something."""

import datetime
import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils.html import strip_tags

from actionplan.models import Measure, Plan
from versions.models import PlanVersion

pytestmark = pytest.mark.django_db


def load():
    call_command("load_demo_data", stdout=io.StringIO())
    out = io.StringIO()
    call_command("load_demo_versions", stdout=out)
    return out.getvalue()


def visible_text(html: str) -> str:
    """The page as a sighted reader sees it: without the screen-reader-only prefixes."""
    html = re.sub(r'<span class="visually-hidden">[^<]*</span>', "", html)
    return " ".join(strip_tags(html).split())


def test_demo_versions_are_dated_and_the_change_is_reported_then():
    load()
    plan = Plan.objects.get(slug="leipzig-2011")

    versions = list(PlanVersion.objects.filter(plan=plan).order_by("date"))
    measure = Measure.objects.get(field__plan=plan, field__slug="marketing", code="B")

    assert [(v.label, v.date) for v in versions] == [
        ("Stand Mai 2011", datetime.date(2011, 5, 31)),
        ("Fortschreibung Dezember 2012", datetime.date(2012, 12, 14)),
    ]
    assert measure.status == Measure.Status.COMPLETED
    assert measure.status_reported_at == datetime.date(2012, 12, 14)
    assert measure.history.latest().status == Measure.Status.COMPLETED
    statuses = [m["status"] for f in versions[0].snapshot["plan"]["fields"] for m in f["measures"]]
    assert set(statuses) == {"planned"}  # the first version is the plan as published


def test_a_second_run_changes_nothing_and_without_the_plan_it_says_so():
    with pytest.raises(CommandError, match="load_demo_data"):
        call_command("load_demo_versions", stdout=io.StringIO())
    load()
    out = io.StringIO()
    call_command("load_demo_versions", stdout=out)

    assert "nothing changed" in out.getvalue()
    assert PlanVersion.objects.count() == 2


def test_the_changes_report_shows_the_change_readably_with_a_link(client):
    load()
    plan = Plan.objects.get(slug="leipzig-2011")
    measure = Measure.objects.get(field__plan=plan, field__slug="marketing", code="B")
    url = reverse(
        "versions:version_changes",
        kwargs={"plan_slug": plan.slug, "version_slug": "stand-mai-2011"},
    )

    page = client.get(url).content.decode()
    between = client.get(url + "?bis=fortschreibung-dezember-2012").content.decode()
    since_last = client.get(
        reverse(
            "versions:version_changes",
            kwargs={"plan_slug": plan.slug, "version_slug": "fortschreibung-dezember-2012"},
        )
    ).content.decode()

    for html in (page, between):
        text = visible_text(html)
        assert "0 hinzugefügt, 0 entfernt, 1 geändert." in text
        assert "geplant abgeschlossen" in text  # words apart, not “geplantabgeschlossen”
        assert '<del><span class="visually-hidden">entfernt: </span>geplant</del>' in html
        assert '<ins><span class="visually-hidden">eingefügt: </span>abgeschlossen</ins>' in html
        assert "unterstrichen" in text  # the legend
    assert f'href="{measure.get_absolute_url()}"' in page  # today's page
    version_measure = reverse(
        "versions:version_measure",
        kwargs={
            "plan_slug": plan.slug,
            "version_slug": "fortschreibung-dezember-2012",
            "field_slug": "marketing",
            "measure_slug": measure.slug,
        },
    )
    assert f'href="{version_measure}"' in between
    assert client.get(version_measure).status_code == 200
    # nothing changed since the latest version: no legend, no counts
    assert "Nichts hat sich geändert." in since_last
    assert "unterstrichen" not in since_last


def test_a_removed_measure_links_to_the_older_version(client):
    load()
    plan = Plan.objects.get(slug="leipzig-2011")
    gone = Measure.objects.get(field__plan=plan, field__slug="marketing", code="C")
    gone.state = Measure.State.DRAFT  # no longer public: removed from today's plan
    gone.save()
    url = reverse(
        "versions:version_changes",
        kwargs={"plan_slug": plan.slug, "version_slug": "stand-mai-2011"},
    )

    page = client.get(url).content.decode()

    old_page = reverse(
        "versions:version_measure",
        kwargs={
            "plan_slug": plan.slug,
            "version_slug": "stand-mai-2011",
            "field_slug": "marketing",
            "measure_slug": gone.slug,
        },
    )
    assert f'href="{old_page}"' in page
    assert f'href="{gone.get_absolute_url()}"' not in page  # a draft now: never linked
