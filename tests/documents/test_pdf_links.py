"""The public plan, field and measure pages link to their PDF; drafts only for staff."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from actionplan.models import Plan
from tests.documents.pdf_factories import pdf_cache, pdf_pages, requires_poppler  # noqa: F401
from tests.factories import build_plan

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("pdf_cache"), requires_poppler]

LINK_TEXT = {
    "plan": "Plan als PDF herunterladen",
    "field": "Handlungsfeld als PDF herunterladen",
    "measure": "Maßnahme als PDF herunterladen",
}


def _pages(plan):
    """(kind, page URL, PDF URL) for the plan, its first field and that field's first measure."""
    field = plan.fields.order_by("position").first()
    measure = field.measures.order_by("position").first()
    return [
        ("plan", plan.get_absolute_url(), reverse("actionplan:plan_pdf", args=[plan.slug])),
        (
            "field",
            field.get_absolute_url(),
            reverse("actionplan:field_pdf", args=[plan.slug, field.slug]),
        ),
        (
            "measure",
            measure.get_absolute_url(),
            reverse("actionplan:measure_pdf", args=[plan.slug, field.slug, measure.slug]),
        ),
    ]


def _pdf_links(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<a class="button" href="([^"]+/pdf/)">([^<]+)</a>', html)


def test_published_pages_link_to_a_working_pdf_for_anonymous_visitors(client):
    plan = build_plan(fields=2, measures_per_field=2)
    for kind, page_url, pdf_url in _pages(plan):
        page = client.get(page_url)
        assert page.status_code == 200
        html = page.content.decode()
        assert _pdf_links(html) == [(pdf_url, LINK_TEXT[kind])]
        assert "Entwurf" not in html
        response = client.get(pdf_url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF-")
        assert not any("ENTWURF" in p for p in pdf_pages(response.content))


def test_draft_pages_and_pdfs_stay_hidden_from_anonymous_visitors(client):
    plan = build_plan(fields=1, measures_per_field=1, status=Plan.Status.DRAFT)
    for _, page_url, pdf_url in _pages(plan):
        assert client.get(page_url).status_code == 404
        assert client.get(pdf_url).status_code == 404


def test_staff_see_the_draft_link_with_its_marking(staff_client):
    plan = build_plan(fields=1, measures_per_field=1, status=Plan.Status.DRAFT)
    for kind, page_url, pdf_url in _pages(plan):
        html = staff_client.get(page_url).content.decode()
        assert _pdf_links(html) == [(pdf_url, LINK_TEXT[kind])]
        assert "(Entwurf: jede Seite ist entsprechend gekennzeichnet)" in html
    response = staff_client.get(_pages(plan)[2][2])
    assert response.status_code == 200
    assert all("ENTWURF" in p for p in pdf_pages(response.content))


def test_pdf_link_is_english_on_english_pages(client):
    plan = build_plan(fields=1, measures_per_field=1)
    # The locale middleware leaves the request's language active; keep it to this test.
    with translation.override("de"):
        html = client.get("/en" + plan.get_absolute_url()).content.decode()
    assert [text for _, text in _pdf_links(html)] == ["Download the plan as PDF"]
