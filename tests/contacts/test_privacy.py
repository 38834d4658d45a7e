"""A person who did not consent is never named, nor their phone or e-mail shown, to an
anonymous visitor: every public page, PDF, vCard and the sitemap is crawled."""

import re
from collections import deque
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tests.contacts.support import SHY, build_directory
from tests.documents.pdf_factories import pdf_pages, requires_poppler

pytestmark = pytest.mark.django_db

SECRETS = [SHY["first_name"], SHY["last_name"], SHY["phone"], SHY["email"], "0341/999-4712"]
SKIPPED = ("/admin/", "/static/", "/i18n/", "/importe/", "/en/admin/", "/en/importe/")
MAX_PAGES = 400


def _readable(response) -> str:
    """What a visitor gets: HTML with and without tags (an address split by <wbr> is still
    the address), a PDF's text, a vCard as it is."""
    if response["Content-Type"].startswith("application/pdf"):
        return "\n".join(pdf_pages(response.content))
    body = response.content.decode("utf-8", errors="replace")
    return body + "\n" + re.sub(r"<[^>]+>", "", body)


def _links(body: str) -> list[str]:
    found = re.findall(r"""(?:href|src)=["']([^"'#]+)""", body)
    found += re.findall(r"<(?:loc)>([^<]+)</loc>", body)
    found += re.findall(r'hreflang="[^"]+" href="([^"]+)"', body)
    return found


def crawl(client, start: list[str]) -> dict[str, str]:
    """Every same-site URL reachable from ``start`` → its readable content."""
    seen, queue, pages = set(start), deque(start), {}
    while queue and len(pages) < MAX_PAGES:
        url = queue.popleft()
        response = client.get(url)
        if response.status_code in (301, 302):
            target = urlsplit(response["Location"])
            location = target.path + (f"?{target.query}" if target.query else "")
            if location not in seen:
                seen.add(location)
                queue.append(location)
            continue
        assert response.status_code in (200, 404), (url, response.status_code)
        if response.status_code != 200:
            continue
        pages[url] = _readable(response)
        if response["Content-Type"].startswith(("text/html", "application/xml")):
            for link in _links(response.content.decode()):
                parts = urlsplit(link)
                if parts.netloc not in ("", "testserver"):
                    continue
                path = parts.path + (f"?{parts.query}" if parts.query else "")
                if path.startswith(SKIPPED) or path in seen or not path.startswith("/"):
                    continue
                seen.add(path)
                queue.append(path)
    return pages


@requires_poppler
def test_no_anonymous_response_names_a_person_without_consent():
    world = build_directory()
    client = Client()
    with translation.override("en"):
        english = [reverse("contacts:directory"), reverse("actionplan:plan_list")]
    start = [
        "/",
        "/sitemap.xml",
        reverse("contacts:directory"),
        *english,
        reverse("actionplan:plan_pdf", kwargs={"plan_slug": world.plan.slug}),
    ]
    pages = crawl(client, start)
    # the crawl reached what it must have reached
    must = [
        world.plan.get_absolute_url(),
        world.measure.get_absolute_url(),
        world.field.get_absolute_url(),
        world.named.get_absolute_url(),
        world.office.get_absolute_url(),
        reverse("contacts:person_vcard", kwargs={"pk": world.named.pk}),
        reverse("contacts:organisation_vcard", kwargs={"pk": world.office.pk}),
        reverse("actionplan:plan_pdf", kwargs={"plan_slug": world.plan.slug}),
        reverse(
            "actionplan:measure_pdf",
            kwargs={
                "plan_slug": world.plan.slug,
                "field_slug": world.field.slug,
                "measure_slug": world.measure.slug,
            },
        ),
        "/sitemap.xml",
    ]
    assert not [url for url in must if url not in pages]
    leaks = [(url, s) for url, content in pages.items() for s in SECRETS if s in content]
    assert leaks == []
    # the shy person is there, by function and organisation
    assert any("Sachbearbeiterin" in content for content in pages.values())
    plan_pdf = pages[reverse("actionplan:plan_pdf", kwargs={"plan_slug": world.plan.slug})]
    assert "Jürgen Müller" in plan_pdf and "0341/123-4000" in plan_pdf  # the office's phone


def test_sitemap_lists_directory_organisations_and_consenting_people_only(client):
    world = build_directory()
    body = client.get("/sitemap.xml").content.decode()
    assert "http://testserver" + reverse("contacts:directory") in body
    assert world.named.get_absolute_url() in body
    assert world.office.get_absolute_url() in body
    assert world.shy.get_absolute_url() not in body
    assert world.hidden.get_absolute_url() not in body
