"""The optional chapter „Stand der Umsetzung“ in the plan PDF."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

import documents
from access.models import Membership
from actionplan import models as ap
from documents import services
from documents.models import PdfExport
from tests.documents.pdf_factories import pdf_pages, requires_poppler, squash
from tests.factories import BudgetCategoryFactory, UserFactory

pytestmark = pytest.mark.django_db

BERLIN = datetime.timezone(datetime.timedelta(hours=2))
DAY = datetime.datetime(2011, 6, 1, 10, tzinfo=BERLIN)


def _chapter(pages: list[str]) -> str:
    """The text of the chapter: from its heading to the contacts chapter after it."""
    text = "\n".join(pages)
    start = text.index("Stand der Umsetzung", text.index("Stand der Umsetzung") + 1)
    return text[start : text.index("Ansprechpartner", start)]


@requires_poppler
def test_plan_pdf_with_the_chapter_prints_the_figures(leipzig):
    ap.BudgetLine.objects.filter(measure__field__plan=leipzig, position=1).update(
        planned_amount=Decimal("1000.00")
    )
    with time_machine.travel(DAY, tick=False):
        data = documents.render("plan", leipzig, internal=False, progress=True)
    pages = pdf_pages(data)
    text = "\n".join(pages)
    assert "Stand der Umsetzung" in pages[1]  # in the contents
    chapter = _chapter(pages)
    assert "Zahlen vom 1. Juni 2011" in chapter
    squashed = squash(chapter)
    # On 1 June 2011: 10 measures, none completed; overdue are the ends before 1 June
    # (Jan, 21 Feb, May 2011), due the three ends of June/July 2011 … (see test_leipzig_figures)
    for label in (
        "Januar 2011: Arbeitsaufnahme",
        "Einspeisen von weiteren Datenquellen Mai 2011",
        "Klärung Betreibermodell Juli 2011 geplant",
    ):
        assert squash(label) in squashed, label
    assert squash("Überfällige Meilensteine 3") in squash(chapter.split("Maßnahmen nach")[0])
    assert squash("Personalkosten 9 9") in squashed
    assert squash("Auftragsvergabe 5 5") in squashed
    # one 1,000 EUR line for each of the ten measures (position 1)
    assert squash("Creative Cities 15 10 10.000,00") in squashed
    assert "Entwurf" not in text


@requires_poppler
def test_plan_pdf_without_the_option_has_no_chapter(leipzig):
    pages = pdf_pages(documents.render("plan", leipzig, internal=False))
    assert not any("Stand der Umsetzung" in page for page in pages)


def test_chapter_figures_follow_the_document_audience(leipzig):
    field = leipzig.fields.get(slug="marketing")
    draft = ap.Measure.objects.create(
        field=field, position=99, title="Entwurf", state=ap.Measure.State.DRAFT
    )
    ap.BudgetLine.objects.create(
        measure=draft, position=1, category=BudgetCategoryFactory(name="GEHEIM-KATEGORIE")
    )
    public = documents.services.document_html("plan", leipzig, internal=False, progress=True)
    internal = documents.services.document_html("plan", leipzig, internal=True, progress=True)
    assert "GEHEIM-KATEGORIE" not in public
    assert "GEHEIM-KATEGORIE" in internal


def test_progress_option_only_for_the_plan_document(leipzig):
    field = leipzig.fields.first()
    with pytest.raises(ValueError):
        services.DocumentRequest.build(leipzig, field=field, progress=True)


def test_cache_key_separates_the_chapter_and_the_day(leipzig):
    plain = services.DocumentRequest.build(leipzig, internal=False)
    with time_machine.travel(DAY, tick=False):
        first = services.DocumentRequest.build(leipzig, internal=False, progress=True)
        key = first.cache_key
        assert first.filename == "leipzig-2011-stand.pdf"
    with time_machine.travel(DAY + datetime.timedelta(days=1), tick=False):
        assert first.cache_key != key
    assert key != plain.cache_key


def test_progress_pdf_url_serves_the_chapter_and_hides_drafts(client, leipzig, monkeypatch):
    rendered = []

    def fake_render(self, *, url_fetcher=None):
        rendered.append(self)
        return b"%PDF-1.7 fake"

    monkeypatch.setattr(services.DocumentRequest, "render", fake_render)
    url = reverse("actionplan:plan_progress_pdf", args=[leipzig.slug])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert rendered[-1].progress and not rendered[-1].draft
    assert "leipzig-2011-stand.pdf" in response["Content-Disposition"]
    leipzig.status = ap.Plan.Status.DRAFT
    leipzig.save()
    assert client.get(url).status_code == 404
    reader = UserFactory(username="leser", is_staff=True)
    Membership.objects.create(user=reader, plan=leipzig, role=Membership.Role.READER)
    client.force_login(reader)
    assert client.get(url).status_code == 200
    assert rendered[-1].progress and rendered[-1].draft


def test_large_plan_with_the_chapter_goes_to_the_worker_and_keeps_the_option(
    client, leipzig, settings, monkeypatch
):
    settings.PLANWERK_PDF_INLINE_MAX_MEASURES = 2
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    response = client.get(reverse("actionplan:plan_progress_pdf", args=[leipzig.slug]))
    assert response.status_code == 302
    export = PdfExport.objects.get()
    assert export.progress is True
    assert export.download_name == "leipzig-2011-stand.pdf"
    rendered = []
    monkeypatch.setattr(
        services.DocumentRequest,
        "render",
        lambda self, url_fetcher=None: rendered.append(self) or b"%PDF-1.7 fake",
    )
    from documents.tasks import build_pdf_export

    build_pdf_export.call(str(export.pk))
    assert rendered[0].progress is True


def test_export_command_takes_the_progress_option(leipzig, tmp_path, monkeypatch):
    monkeypatch.setattr(
        services.DocumentRequest, "render", lambda self, url_fetcher=None: b"%PDF-1.7 fake"
    )
    out = tmp_path / "plan.pdf"
    call_command("export_plan_pdf", leipzig.slug, "-o", str(out), "--progress", stdout=None)
    assert out.read_bytes().startswith(b"%PDF")
