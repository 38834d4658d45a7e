"""Impressum, privacy and accessibility statements: template texts until a superuser edits them,
escaped plain text, superusers only in the admin, linked from every footer; robots.txt."""

import pytest
from django.urls import reverse
from django.utils import translation

from actionplan.models import Measure
from legal.models import LegalPage
from tests.factories import StaffUserFactory, UserFactory, build_plan

pytestmark = pytest.mark.django_db

KINDS = ["impressum", "datenschutz", "barrierefreiheit"]
BANNER = {
    "de": "Vorlage – noch nicht vom Betreiber angepasst",
    "en": "Template – not yet adapted by the operator",
}
TITLES = {
    "impressum": ("Impressum", "Legal notice"),
    "datenschutz": ("Datenschutzerklärung", "Privacy statement"),
    "barrierefreiheit": ("Erklärung zur Barrierefreiheit", "Accessibility statement"),
}


def url(kind, language="de"):
    with translation.override(language):
        return reverse(f"legal:{kind}")


def test_migration_creates_exactly_three_unedited_pages():
    pages = list(LegalPage.objects.order_by("kind"))
    assert sorted(p.kind for p in pages) == sorted(KINDS)
    assert not any(p.edited for p in pages)
    datenschutz = LegalPage.objects.get(kind="datenschutz")
    for part in ("Art. 6", "Art. 15", "Art. 21", "Art. 77", "CSRF", "Logdateien"):
        assert part in datenschutz.body_de
    accessibility = LegalPage.objects.get(kind="barrierefreiheit")
    for part in ("teilweise", "BITV 2.0", "§ 16 BGG", "Feedback", "[Datum]"):
        assert part in accessibility.body_de
    impressum = LegalPage.objects.get(kind="impressum")
    for part in ("§ 5", "Vertretungsberechtigt", "§ 18 Abs. 2", "[Postleitzahl und Ort]"):
        assert part in impressum.body_de


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("language", ["de", "en"])
def test_page_answers_with_template_banner(client, kind, language):
    assert url(kind, language) == ("/en" if language == "en" else "") + f"/{kind}/"
    response = client.get(url(kind, language))
    assert response.status_code == 200
    html = response.content.decode()
    assert BANNER[language] in html
    assert html.count("<h1") == 1
    title = TITLES[kind][language == "en"]
    assert f"<h1>{title}</h1>" in html
    assert '<main id="main"' in html


def test_edit_removes_banner_and_shows_text_escaped(client):
    admin_client = client
    admin_client.force_login(StaffUserFactory(username="root"))
    page = LegalPage.objects.get(kind="impressum")
    change_url = reverse("admin:legal_legalpage_change", args=[page.pk])
    assert admin_client.get(change_url).status_code == 200
    response = admin_client.post(
        change_url,
        {
            "title_de": "Impressum der Stadt",
            "body_de": "Stadt Musterstadt\n\n<script>alert(1)</script>",
            "title_en": "Legal notice",
            "body_en": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    page.refresh_from_db()
    assert page.edited
    assert page.history.count() == 1  # the edit is in the change history
    admin_client.logout()

    html = client.get(url("impressum")).content.decode()
    assert BANNER["de"] not in html
    assert "<p>Stadt Musterstadt</p>" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)" not in html
    # English readers get the German text, marked as German
    html_en = client.get(url("impressum", "en")).content.decode()
    assert BANNER["en"] not in html_en
    assert "This text is available in German only." in html_en
    assert '<article class="legal-page" lang="de">' in html_en
    assert "Stadt Musterstadt" in html_en
    # the other pages are still templates
    assert BANNER["de"] in client.get(url("datenschutz")).content.decode()


def test_english_text_is_shown_when_present(client):
    html = client.get(url("datenschutz", "en")).content.decode()
    assert "Controller" in html
    assert "available in German only" not in html
    assert 'lang="de"' not in html.split("<main", 1)[1]


@pytest.mark.parametrize("superuser", [False, True])
def test_admin_is_for_superusers_only_without_add_or_delete(client, superuser):
    page = LegalPage.objects.get(kind="datenschutz")
    before = page.body_de
    if superuser:
        user = StaffUserFactory(username="root")
    else:
        # staff with a role in a plan: may use the admin, but not the legal pages
        from access.models import Membership

        user = UserFactory(username="coord", is_staff=True)
        Membership.objects.create(
            user=user, plan=build_plan(fields=1, measures_per_field=1), role="coordinator"
        )
    client.force_login(user)
    change_url = reverse("admin:legal_legalpage_change", args=[page.pk])
    expected = 200 if superuser else 403
    assert client.get(reverse("admin:legal_legalpage_changelist")).status_code == expected
    assert client.get(change_url).status_code == expected
    assert client.get(reverse("admin:legal_legalpage_add")).status_code == 403
    delete_url = reverse("admin:legal_legalpage_delete", args=[page.pk])
    assert client.get(delete_url).status_code == 403
    if not superuser:
        response = client.post(change_url, {"title_de": "X", "body_de": "gehackt"})
        assert response.status_code == 403
        page.refresh_from_db()
        assert page.body_de == before and not page.edited
    assert LegalPage.objects.count() == 3


def test_footer_links_on_home_plan_and_measure_pages(client):
    plan = build_plan(fields=1, measures_per_field=1)
    measure = Measure.objects.filter(field__plan=plan).first()
    for language, labels in (
        ("de", ("Impressum", "Datenschutz", "Barrierefreiheit")),
        ("en", ("Legal notice", "Privacy", "Accessibility")),
    ):
        with translation.override(language):
            pages = [reverse("actionplan:plan_list"), plan.get_absolute_url()]
            pages.append(measure.get_absolute_url())
        for page_url in pages:
            response = client.get(page_url)
            assert response.status_code == 200, page_url
            footer = response.content.decode().split('<footer class="site-footer">', 1)[1]
            for kind, label in zip(KINDS, labels, strict=True):
                assert f'<a href="{url(kind, language)}">{label}</a>' in footer, (page_url, kind)


def test_robots_txt_names_sitemap_and_private_paths(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert lines[0] == "User-agent: *"
    for line in ("Disallow: /admin/", "Disallow: /importe/", "Disallow: /en/admin/"):
        assert line in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    assert "Disallow: /" not in lines  # the public pages stay open


def test_edit_shows_at_once_for_anonymous_readers(client):
    """The legal pages are not in the public page cache: a second anonymous request after an
    edit sees the new text."""
    first = client.get(url("barrierefreiheit"))
    assert BANNER["de"] in first.content.decode()
    assert not first.has_header("ETag")
    page = LegalPage.objects.get(kind="barrierefreiheit")
    page.body_de = "Neuer Stand"
    page.edited = True
    page.save()
    html = client.get(url("barrierefreiheit")).content.decode()
    assert "Neuer Stand" in html and BANNER["de"] not in html
