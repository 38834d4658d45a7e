"""Link previews, JSON-LD and embeds in Chromium: the JSON-LD breaks no Content-Security-Policy,
the icons and manifest are served, and an embed shows inside another site's page only when
``PLANWERK_EMBED_FRAME_ANCESTORS`` names that site."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.urls import reverse

from tests.browser.support import screenshot
from tests.campaigns.factories import CampaignEventFactory, CampaignFactory
from tests.factories import OrganisationFactory, build_plan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


COLLECT_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI || "inline"}`);
});
"""


@pytest.fixture
def site(db):
    plan = build_plan(fields=1, measures_per_field=2, steps_per_measure=1, slug="offen")
    plan.author_organisation = OrganisationFactory(name="Stadt Offen", kind="city")
    plan.save()
    campaign = CampaignFactory(title="Offene Kampagne", slug="offen")
    CampaignEventFactory(campaign=campaign, title="Netzwerktreffen", place="Leipzig")
    measure = plan.fields.get().measures.order_by("position").first()
    return {"plan": plan, "measure": measure, "campaign": campaign}


def test_public_pages_with_json_ld_under_the_policy(browser_page, live_url, site):
    page = browser_page
    console = []
    page.on("console", lambda m: console.append(m.text) if m.type in ("error", "warning") else None)
    page.add_init_script(COLLECT_VIOLATIONS)
    urls = [
        site["plan"].get_absolute_url(),
        site["measure"].get_absolute_url(),
        site["campaign"].get_absolute_url(),
        reverse("search:results") + "?q=Ma%C3%9Fnahme",
    ]
    for url in urls:
        response = page.goto(live_url(url))
        assert response.status == 200, url
        page.wait_for_load_state("networkidle")
        data = page.evaluate(
            """() => [...document.querySelectorAll('script[type="application/ld+json"]')]
                .map((s) => s.textContent)"""
        )
        assert len(data) == 1, url
        assert json.loads(data[0])["@graph"], url
        assert page.evaluate("() => window.__cspViolations") == [], url
    assert not [m for m in console if "Content Security Policy" in m or "Refused" in m]


def test_icons_and_manifest_are_served(browser_page, live_url, site):
    page = browser_page
    page.goto(live_url(site["plan"].get_absolute_url()))
    hrefs = page.evaluate(
        "() => [...document.querySelectorAll("
        '\'link[rel~="icon"], link[rel="apple-touch-icon"], link[rel="manifest"]\''
        ")].map((l) => l.href)"
    )
    assert len(hrefs) == 4
    for href in hrefs:
        response = page.request.get(href)
        assert response.status == 200, href
    manifest = page.request.get(next(h for h in hrefs if h.endswith(".webmanifest"))).json()
    for icon in manifest["icons"]:
        response = page.request.get(live_url("/static/" + icon["src"]))
        assert response.status == 200, icon["src"]
        assert response.headers["content-type"] == "image/png"
    image = page.evaluate("""() => document.querySelector('meta[property="og:image"]').content""")
    # og:image names the public address (PLANWERK_BASE_URL); the file is the static one
    path = "/static/" + image.split("/static/", 1)[1]
    assert page.request.get(live_url(path)).status == 200


@pytest.fixture
def city():
    """The city's own website: another origin on this machine (Chromium lets no public page
    frame a local server) that serves one page with an embed: ``city.open(page, embed_url)``."""
    pages = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the http.server API
            body = pages.get("page", "").encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    class City:
        origin = f"http://127.0.0.1:{server.server_address[1]}"

        def open(self, page, embed_url: str):
            pages["page"] = (
                '<!DOCTYPE html><html lang="de"><head><title>Stadt</title></head><body>'
                "<h1>Kreativwirtschaft in der Stadt</h1>"
                f'<iframe src="{embed_url}" title="Planwerk" width="100%" height="360"></iframe>'
                "</body></html>"
            )
            page.goto(self.origin + "/")
            page.wait_for_load_state("networkidle")

    yield City()
    server.shutdown()
    server.server_close()


def test_embed_shows_on_an_allowed_site(browser_page, live_url, site, settings, city):
    settings.PLANWERK_EMBED_FRAME_ANCESTORS = [city.origin]
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    city.open(page, live_url(reverse("embeds:plan", kwargs={"plan_slug": "offen"})))
    frame = page.frame_locator("iframe")
    heading = frame.locator("h1")
    heading.wait_for()
    assert heading.inner_text() == site["plan"].title
    assert "von 2 Maßnahmen abgeschlossen" in frame.locator("main").inner_text()
    screenshot(page, "embed-plan-390")


def test_embed_is_refused_by_default(browser_page, live_url, site, city):
    page = browser_page
    refused = []
    page.on("console", lambda m: refused.append(m.text) if "frame-ancestors" in m.text else None)
    city.open(page, live_url(reverse("embeds:plan", kwargs={"plan_slug": "offen"})))
    page.wait_for_timeout(300)
    assert refused, "Chromium did not refuse to frame the embed"
    frame = page.frames[1]
    assert frame.url.startswith("chrome-error://")
    assert site["plan"].title not in frame.evaluate("() => document.body.innerText")
