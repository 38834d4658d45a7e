"""Erasure reaches every copy (issue 19, item 2): every page and document kind that names a
consenting person is fetched (and so cached) before the erasure and again after it; none names
the person any more — the dated version's PDF included, which is keyed by its version and used
to be served from the cache with the name and phone number."""

import datetime
import subprocess

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from access.models import Membership
from contacts import services
from documents.models import PdfExport
from tests.contacts.support import build_directory
from tests.factories import PlanFactory, UserFactory
from tests.requirements import require_poppler, require_weasyprint
from versions.services import plan_version_publish

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if body.startswith(b"%PDF"):
        return subprocess.run(
            ["pdftotext", "-", "-"], input=body, capture_output=True, check=True
        ).stdout.decode()
    return body.decode()


def test_every_cached_page_and_document_forgets_an_erased_person(
    django_capture_on_commit_callbacks,
):
    require_weasyprint()
    require_poppler()
    world = build_directory()
    person = world.named  # consented: named on pages and in documents
    coordinator = UserFactory(username="koordination", is_staff=True)
    Membership.objects.create(user=coordinator, plan=world.plan, role="coordinator")
    version = plan_version_publish(
        plan=world.plan,
        label="Stand Mai 2011",
        date=datetime.date(2011, 5, 1),
        acting_user=coordinator,
    )
    plan = world.plan
    field = world.field
    urls = {
        "plan page": plan.get_absolute_url(),
        "field page": field.get_absolute_url(),
        "measure page": world.measure.get_absolute_url(),
        "plan PDF": reverse("actionplan:plan_pdf", args=[plan.slug]),
        "field PDF": reverse("actionplan:field_pdf", args=[plan.slug, field.slug]),
        "measure PDF": reverse(
            "actionplan:measure_pdf", args=[plan.slug, field.slug, world.measure.slug]
        ),
        "version page": reverse("versions:version_detail", args=[plan.slug, version.slug]),
        "version PDF": reverse("versions:version_pdf", args=[plan.slug, version.slug]),
        "campaign page": world.campaign.get_absolute_url(),
        "campaign brief": reverse("campaigns:campaign_pdf", args=[world.campaign.slug]),
        "directory": reverse("contacts:directory"),
    }
    before = {name: _text(Client().get(url)) for name, url in urls.items()}
    missing = [name for name, text in before.items() if person.last_name not in text]
    assert not missing, f"the person is not named on {missing} before the erasure"
    stored = PdfExport.objects.create(plan=PlanFactory(slug="frueher"), cache_key="alt")
    stored.file.save("alt.pdf", ContentFile(b"%PDF rendered before"), save=True)

    with django_capture_on_commit_callbacks(execute=True):
        services.person_erase(person=person, acting_user=coordinator)

    after = {name: _text(Client().get(url)) for name, url in urls.items()}
    still = {
        name: secret
        for name, text in after.items()
        for secret in (person.last_name, "0341/123-4280", "juergen.mueller@leipzig.example")
        if secret in text
    }
    assert not still, f"named after the erasure: {still}"
    assert not PdfExport.objects.exists(), "stored documents rendered before the erasure go"
    assert not stored.file.storage.exists(stored.file.name)
