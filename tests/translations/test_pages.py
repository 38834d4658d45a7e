"""Issue 21 on the public pages: an English reader (/en/...) gets the English text of every
translated field where it exists, else the German text marked ``lang="de"`` with “(in German)”;
the German pages do not change; English costs no query; feeds and iCalendar follow suit."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from tests.translations.world import NAMES, PAGE_OF, build_world, english, german, urls

pytestmark = pytest.mark.django_db

NOTE = '<span class="in-german"'


def _get(client, url: str) -> str:
    cache.clear()  # the plan's cached parts are per plan state; the state is not under test
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def _pages(w, prefix: str = "") -> dict[str, str]:
    client = Client()
    with translation.override("de"):  # a request leaves its language active: URLs in German
        paths = urls(w)
    return {page: _get(client, prefix + url) for page, url in paths.items()}


def _marked_german(html: str, text: str) -> bool:
    """``text`` inside an element marked ``lang="de"`` and followed by the “(in German)” note."""
    for match in re.finditer(re.escape(text), html):
        before = html[max(0, match.start() - 400) : match.start()]
        after = html[match.end() : match.end() + 400]
        opened = before.rfind('lang="de"')
        if opened == -1 or before.rfind("</", opened) != -1 and "<br>" not in before[opened:]:
            # the nearest lang="de" must still be open: no closing tag between it and the text
            if opened == -1 or re.search(r"</(?!br)", before[opened:]):
                continue
        if "(in German)" in after:
            return True
    return False


def test_english_pages_show_every_stored_english_text():
    w = build_world()
    w.set_english(True)
    pages = _pages(w, "/en")
    missing = [
        (key, name, PAGE_OF[key])
        for key, _obj, name in w.texts()
        if english(key, name) not in pages[PAGE_OF[key]]
    ]
    assert missing == []
    # and the German text is not shown in its place, nor marked as a fallback
    main = {page: html.split("<main", 1)[1] for page, html in pages.items()}
    german_left = [
        (key, name)
        for key, _obj, name in w.texts()
        if german(key, name) in main[PAGE_OF[key]] and (key, name) not in NAMES
    ]
    assert german_left == []
    assert all("(in German)" not in html for html in main.values())


def test_english_pages_fall_back_to_german_marked_as_such():
    w = build_world()
    pages = _pages(w, "/en")
    unmarked = []
    for key, _obj, name in w.texts():
        html = pages[PAGE_OF[key]]
        text = german(key, name)
        assert text in html, (key, name)
        if (key, name) in NAMES:
            continue  # names stay as written
        if not _marked_german(html, text):
            unmarked.append((key, name))
    assert unmarked == []


def test_english_note_shown_on_english_pages_only():
    w = build_world()
    w.plan.english_note = "Translated by the partners; the German text is authoritative."
    w.plan.save()
    w.campaign.english_note = "Campaign translated by the agency."
    w.campaign.save()
    w.set_english(True)
    english_pages = _pages(w, "/en")
    for page in ("plan", "field", "measure"):
        assert (
            '<div class="english-note" role="note"><p>Translated by the partners'
            in (english_pages[page])
        ), page
    assert (
        '<div class="english-note" role="note"><p>Campaign translated'
        in (english_pages["campaign"])
    )
    german_pages = _pages(w)
    assert all("english-note" not in html for html in german_pages.values())
    # a translated plan is not announced as German content any more
    assert "Content in German" not in english_pages["plan"]


def test_german_pages_do_not_change_with_english_texts():
    w = build_world()
    before = _pages(w)
    w.set_english(True)
    after = _pages(w)
    for page, html in before.items():
        assert after[page] == html, page
        assert "English" not in html.split("<main", 1)[1], page
        assert "(in German)" not in html and "auf Deutsch" not in html, page


def _queries(client, url) -> int:
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("page", ["plan", "field", "measure"])
def test_english_pages_make_no_more_queries_than_german(page, django_assert_num_queries):
    w = build_world()
    w.set_english(True)
    client = Client()
    url = urls(w)[page]
    german_count = _queries(client, url)
    with django_assert_num_queries(german_count):
        cache.clear()
        assert client.get("/en" + url).status_code == 200
    w.set_english(False)  # with fallbacks
    with django_assert_num_queries(german_count):
        cache.clear()
        assert client.get("/en" + url).status_code == 200


def test_measure_list_and_timeline_in_english():
    w = build_world()
    client = Client()
    listing = reverse("actionplan:measure_list", args=[w.plan.slug])
    timeline = reverse("actionplan:plan_timeline", args=[w.plan.slug])
    html = _get(client, "/en" + listing)
    assert _marked_german(html, german("measure", "title"))
    assert _marked_german(html, german("group", "name"))
    w.set_english(True)
    html = _get(client, "/en" + listing)
    assert english("measure", "title") in html and english("group", "name") in html
    html = _get(client, "/en" + timeline)
    assert english("measure", "title") in html and english("schedule", "label") in html
    assert german("measure", "title") not in html


def test_plan_feed_in_english():
    w = build_world()
    client = Client()
    atom = reverse("feeds:plan_atom", kwargs={"plan_slug": w.plan.slug})
    body = _get(client, "/en" + atom)
    assert f"{german('plan', 'title')} (in German)" in body
    assert f"{german('measure', 'title')} (in German)" in body
    w.set_english(True)
    body = _get(client, "/en" + atom)
    assert english("plan", "title") in body and english("measure", "title") in body
    assert english("measure", "description") in body
    assert "(in German)" not in body
    german_body = _get(client, atom)
    assert german("plan", "title") in german_body and "English" not in german_body


def _unfold(ical: str) -> str:
    return ical.replace("\r\n ", "").replace("\\n", "\n").replace("\\,", ",")


def test_plan_and_campaign_calendars_in_english():
    w = build_world()
    w.measure.schedule.update(start_date="2011-03-01", end_date="2011-03-31")
    type(w.objects["event"]).objects.filter(pk=w.objects["event"].pk).update(date="2024-01-15")
    client = Client()
    plan_ics = reverse("feeds:plan_ical", kwargs={"plan_slug": w.plan.slug})
    campaign_ics = reverse("feeds:campaign_ical", kwargs={"campaign_slug": w.campaign.slug})
    body = _unfold(_get(client, "/en" + plan_ics))
    assert f"{german('measure', 'title')} (in German)" in body
    campaign_body = _unfold(_get(client, "/en" + campaign_ics))
    assert f"SUMMARY:{german('event', 'title')} (in German)" in campaign_body
    w.set_english(True)
    body = _unfold(_get(client, "/en" + plan_ics))
    assert english("measure", "title") in body and english("schedule", "label") in body
    assert english("field", "title") in body and "(in German)" not in body
    campaign_body = _unfold(_get(client, "/en" + campaign_ics))
    for name in ("title", "description", "topics", "methods"):
        assert english("event", name) in campaign_body, name
    assert "(in German)" not in campaign_body
    german_body = _unfold(_get(client, plan_ics))
    assert german("measure", "title") in german_body and "English" not in german_body


def test_hreflang_and_sitemap_point_at_both_languages():
    w = build_world()
    w.set_english(True)
    client = Client()
    with translation.override("de"):
        path = w.measure.get_absolute_url()
    for html in (_get(client, path), _get(client, "/en" + path)):
        assert re.search(rf'hreflang="de" href="https?://[^/"]+{re.escape(path)}"', html)
        assert re.search(rf'hreflang="en" href="https?://[^/"]+/en{re.escape(path)}"', html)
    sitemap = _get(client, "/sitemap.xml")
    assert re.search(rf"<loc>https?://[^/<]+{re.escape(path)}</loc>", sitemap)
    assert re.search(rf"<loc>https?://[^/<]+/en{re.escape(path)}</loc>", sitemap)
    assert 'hreflang="en"' in sitemap and 'hreflang="x-default"' in sitemap
