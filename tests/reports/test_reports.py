"""The status report (issue 20, item 4): generated from the Leipzig demo plan's two dated
versions and from the plan now, as PDF (read back with pdftotext) and Word (read back with
python-docx); sections from hand-built documents with the keys of the other issue-20 apps;
no draft content for readers without membership; who may generate and edit reports.

The demo data and the reports are built once for the module; PDFs are rendered twice."""

import copy
import datetime
import io
import re
import subprocess
from collections import Counter
from decimal import Decimal

import docx
import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from access import rules
from access.models import Membership
from actionplan.export import plan_export_document
from actionplan.models import FieldOfAction, Measure, Plan
from actionplan.selectors import document_quality_counts, quality_counts
from documents.rendering import StaticFilesURLFetcher
from reports.document import ReportDocumentRequest
from reports.models import FieldReportText, StatusReport
from reports.selectors import report_content
from reports.services import status_report_create
from tests.factories import UserFactory
from tests.requirements import require_poppler, require_weasyprint
from tests.shared_data import module_data
from versions.models import PlanVersion

pytestmark = pytest.mark.django_db

DRAFT_TITLE = "Geheime Entwurfsmaßnahme Werkstattbericht"
FIRST_LABEL, SECOND_LABEL = "Stand Mai 2011", "Fortschreibung Dezember 2012"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

#: what h-indicators, h-funding and h-records add to the plan document (contract-20.md)
INDICATORS = [
    {
        "key": "besucher-kreativwirtschaft",
        "name": "Besuche der Kommunikationsplattform",
        "description": "",
        "unit": "Besuche je Monat",
        "direction": "increase",
        "source": "Serverstatistik",
        "update_interval": "yearly",
        "baseline": {"value": "120", "date": "2011-05-01"},
        "targets": [
            {"date": "2011-12-31", "value": "150", "note": ""},
            {"date": "2013-12-31", "value": "400", "note": ""},
        ],
        "values": [
            {"date": "2012-06-30", "value": "210", "source": "", "note": ""},
            {"date": "2099-01-01", "value": "999", "source": "", "note": ""},
        ],
        "links": [{"field": "marketing", "measure": None, "kind": "measures"}],
        "is_example": False,
    }
]
PROGRAMMES = [
    {
        "key": "central-europe-efre",
        "name": "Central Europe (EFRE) 2007–2013",
        "level": "eu",
        "fund": "EFRE",
        "period": "2007–2013",
        "default_rate": "85.00",
    }
]
PAPER = {
    "reference": "DS-V/1234",
    "title": "Aktionsplan Kreativwirtschaft",
    "date": "2011-05-18",
    "body": "Stadtrat Leipzig",
    "url": "https://example.org/ds-v-1234",
    "consultations": [
        {"date": "2011-05-18", "committee": "Ratsversammlung", "result": "beschlossen"}
    ],
}


def with_contract_keys(document: dict) -> dict:
    """``document`` as the integrated export will write it: indicators, funding programmes
    with two priced budget lines, and a council paper on the plan and on marketing B."""
    document = copy.deepcopy(document)
    plan = document["plan"]
    plan["indicators"] = INDICATORS
    plan["funding_programmes"] = PROGRAMMES
    plan["council_papers"] = [PAPER]
    for fld in plan["fields"]:  # the demo's lines, without a programme from here on
        for measure in fld["measures"]:
            for line in measure["budget"]:
                line["programme"] = None
    marketing = next(f for f in plan["fields"] if f["slug"] == "marketing")
    first, second = marketing["measures"][0], marketing["measures"][1]
    first["budget"] = [
        {
            "category": "Personalkosten",
            "funding_source": None,
            "planned_amount": "1000.00",
            "actual_amount": "800.00",
            "note": "",
            "programme": "central-europe-efre",
            "co_funding_rate": "85.00",
        },
        {
            "category": "Auftragsvergabe",
            "funding_source": None,
            "planned_amount": "200.00",
            "actual_amount": None,
            "note": "",
            "programme": None,
            "co_funding_rate": None,
        },
    ]
    second["council_papers"] = [PAPER]
    return document


def pdf_text(data: bytes) -> str:
    tools = require_poppler()
    out = subprocess.run(
        [tools["pdftotext"], "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()
    return " ".join(out.split())


def docx_read(data: bytes):
    return docx.Document(io.BytesIO(data))


def docx_text(document) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append(" | ".join(cell.text for cell in row.cells))
    return " ".join(" ".join(parts).split())


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The Leipzig demo plan with its two versions and campaigns; a report from each version;
    a draft measure added afterwards; a final report of the plan now, whose documents hold the
    keys of the other issue-20 apps; the two PDFs the tests read."""
    require_weasyprint()
    with module_data(django_db_blocker):
        for command in ("load_demo_data", "load_demo_versions", "load_campaign_demo_data"):
            call_command(command, stdout=io.StringIO())
        plan = Plan.objects.get(slug="leipzig-2011")
        coordinator = UserFactory(username="koordination", is_staff=True)
        Membership.objects.create(user=coordinator, plan=plan, role=Membership.Role.COORDINATOR)
        editor = UserFactory(username="redaktion", is_staff=True)
        Membership.objects.create(user=editor, plan=plan, role=Membership.Role.READER)
        first, second = PlanVersion.objects.filter(plan=plan).order_by("date")
        reports = [
            status_report_create(
                plan=plan,
                version=version,
                title=f"Sachstandsbericht – {version.label}",
                period_label=version.label,
                period_start=start,
                period_end=version.date,
                acting_user=coordinator,
            )
            for version, start in (
                (first, datetime.date(2011, 1, 1)),
                (second, datetime.date(2011, 6, 1)),
            )
        ]
        field = FieldOfAction.objects.get(plan=plan, slug="marketing")
        Measure.objects.create(field=field, title=DRAFT_TITLE, slug="geheim", position=99)
        now = status_report_create(
            plan=plan,
            title="Sachstandsbericht 2026",
            period_label="2026",
            period_start=datetime.date(2013, 1, 1),
            period_end=datetime.date(2026, 12, 31),
            acting_user=coordinator,
        )
        now.document = with_contract_keys(now.document)
        now.public_document = with_contract_keys(now.public_document)
        now.state = StatusReport.State.FINAL
        now.save()
        reports.append(now)
        fetcher = StaticFilesURLFetcher()
        second_pdf = ReportDocumentRequest.build(reports[1], internal=False).render(
            url_fetcher=fetcher
        )
        anonymous_pdf = Client().get(
            reverse("reports:report_pdf", kwargs={"plan_slug": plan.slug, "pk": now.pk})
        )
        yield {
            "plan": plan,
            "coordinator": coordinator,
            "reader": editor,
            "reports": reports,
            "versions": (first, second),
            "second_pdf": pdf_text(second_pdf),
            "fetched": (fetcher.requested, fetcher.refused),
            "anonymous_pdf": anonymous_pdf,
        }


def url(name, report):
    return reverse(name, kwargs={"plan_slug": report.plan.slug, "pk": report.pk})


# --- content -----------------------------------------------------------------------------------


def test_report_from_the_second_version_holds_its_figures(demo):
    first, second = demo["versions"]
    report = demo["reports"][1]
    content = report_content(report, internal=False)
    snapshot = second.snapshot["plan"]
    statuses = Counter(m["status"] for f in snapshot["fields"] for m in f["measures"])

    assert content.measure_count == sum(statuses.values()) == 10
    assert {c.label: c.count for c in content.by_status} == {
        str(Measure.Status(s).label): n for s, n in statuses.items()
    }
    assert statuses == {"planned": 9, "completed": 1}
    marketing_b = next(
        m for f in content.fields for m in f.measures if m.key.startswith("marketing/b-")
    )
    # completed: its two milestones ended by 14 December 2012 are reached; the 2012 one ends on
    # 31 December, and "beginnt 03/11" has no end (no milestone, as on the progress page)
    assert [m.label for m in marketing_b.reached] == [
        "Einspeisen von weiteren Datenquellen Mai 2011",
        "Klärung Betreibermodell Juli 2011 geplant",
    ]
    assert marketing_b.reported_on == datetime.date(2012, 12, 14)
    assert marketing_b.campaigns == ["Leipzig liebt Regionales"]
    networks_a = content.fields[0].measures[0]
    assert networks_a.status == "planned" and networks_a.reached == []
    assert [m.label for m in networks_a.missed][:2] == [
        "Januar 2011: Arbeitsaufnahme",
        "21. Februar 2011: öffentliche Vorstellung bei der Veranstaltung im Werk II",
    ]
    # the changes since the report from the first version: marketing B's status
    assert content.previous == demo["reports"][0]
    assert content.changes.counts == {"added": 0, "removed": 0, "changed": 1}
    assert "Internetplattform" in content.changes.changes[0].title
    # the version's indicators, programme and (no) council papers, as its snapshot holds them
    snapshot = content.report.version.snapshot["plan"]
    assert [row.name for row in content.indicators] == [
        entry["name"] for entry in snapshot["indicators"]
    ]
    assert content.council_papers == []
    (programme,) = content.budget.by_programme
    assert programme.label.startswith("CENTRAL EUROPE")
    assert (programme.lines, programme.planned, programme.own_share) == (15, None, None)


def test_first_report_has_no_previous_one(demo):
    content = report_content(demo["reports"][0], internal=False)
    assert content.previous is None and content.changes is None
    # in May 2011 marketing B was still planned: nothing reached
    assert content.reached_count == 0


def test_contract_sections_from_a_hand_built_document(demo):
    content = report_content(demo["reports"][2], internal=False)
    (indicator,) = content.indicators
    # the value of 2099 is after the period's end and the 2011 target is past
    assert (indicator.latest, indicator.latest_date) == (Decimal(210), datetime.date(2012, 6, 30))
    assert (indicator.target, indicator.target_date) == (Decimal(400), datetime.date(2013, 12, 31))
    assert indicator.baseline == Decimal(120)
    assert indicator.distance == Decimal(190)
    # on the line from 120 (May 2011) to 400 (end of 2013) it should be about 242 by mid-2012
    assert indicator.on_track is False
    programme, without = content.budget.by_programme
    assert (programme.planned, programme.actual, programme.own_share) == (
        Decimal(1000),
        Decimal(800),
        Decimal(150),  # 1000 × (100 − 85) / 100
    )
    # the line without a programme has no rate: its own share is not known, not 200
    assert (without.planned, without.own_share) == (Decimal(200), None)
    assert content.budget.total.own_share == Decimal(150)
    assert content.budget.total.lines_without_rate == 1
    assert content.council_papers[0]["reference"] == "DS-V/1234"
    assert content.council_papers[0]["results"][0]["result"] == "beschlossen"


def test_quality_counts_of_a_document_follow_the_one_rule(demo):
    plan = demo["plan"]
    day = datetime.date(2012, 12, 14)
    assert document_quality_counts(plan_export_document(plan), today=day) == quality_counts(
        plan, today=day
    )


# --- PDF ---------------------------------------------------------------------------------------


def test_pdf_holds_the_figures_and_the_changes(demo):
    text = demo["second_pdf"]
    assert "Sachstandsbericht – Fortschreibung Dezember 2012" in text
    assert re.search(r"Geplant 9 Abgeschlossen 1", text)
    assert re.search(r"Meilensteine erreicht 2 Meilensteine verpasst \d+", text)
    assert "Stand vom 14. Dezember 2012" in text
    assert "Januar 2011: Arbeitsaufnahme" in text
    assert "Leipzig liebt Regionales" in text
    assert (
        "Verglichen mit „Sachstandsbericht – Stand Mai 2011“: 0 hinzugefügt, 0 entfernt, "
        "1 geändert" in text
    )
    assert "Anhang: Änderungen seit dem letzten Bericht" in text
    assert "Geändert – Maßnahme" in text
    # the version's indicators (example values marked) and its programme; no council papers
    for entry in demo["versions"][1].snapshot["plan"]["indicators"]:
        assert entry["name"] in text
    assert "Beispielwerte" in text
    assert "Keine Indikatoren erfasst." not in text
    assert "CENTRAL EUROPE" in text
    assert "Keine Ratsbeschlüsse erfasst." in text


def test_pdf_fetches_only_the_document_static_files(demo):
    requested, refused = demo["fetched"]
    assert refused == []
    assert any(url.endswith("documents/pdf.css") for url in requested)


def test_pdf_for_a_reader_without_membership_has_no_draft_but_the_contract_sections(demo):
    response = demo["anonymous_pdf"]
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert DRAFT_TITLE not in text and "Entwurf" not in text
    assert "Besuche der Kommunikationsplattform" in text
    assert "Central Europe (EFRE) 2007–2013" in text and "150,00 €" in text
    assert "DS-V/1234" in text and "Ratsversammlung: beschlossen" in text


# --- Word --------------------------------------------------------------------------------------


def test_word_document_structure_and_figures(demo, client):
    client.force_login(demo["coordinator"])
    response = client.get(url("reports:report_docx", demo["reports"][1]))
    assert response.status_code == 200
    assert response["Content-Type"] == DOCX_TYPE
    assert response["Content-Disposition"].startswith("attachment;")
    document = docx_read(response.content)
    props = document.core_properties
    assert props.title == "Sachstandsbericht – Fortschreibung Dezember 2012"
    assert props.author == "Stadt Leipzig" and props.language == "de-DE"
    headings = [
        (p.style.name, p.text) for p in document.paragraphs if p.style.name.startswith("Heading")
    ]
    assert ("Heading 1", "Zusammenfassung") in headings
    assert ("Heading 1", "Handlungsfeld: Marketing") in headings
    assert ("Heading 1", "Anhang: Änderungen seit dem letzten Bericht") in headings
    assert any(style == "Heading 2" and "Internetplattform" in t for style, t in headings)
    rows = {tuple(c.text for c in row.cells) for t in document.tables for row in t.rows}
    assert ("Geplant", "9") in rows and ("Abgeschlossen", "1") in rows
    assert ("Meilensteine erreicht", "2") in rows
    assert ("Stand vom", "14. Dezember 2012") in rows
    text = docx_text(document)
    assert "0 hinzugefügt, 0 entfernt, 1 geändert" in text
    assert "Status: geplant → abgeschlossen" in text
    assert "PAGE" in document.sections[0].footer.paragraphs[0]._p.xml


def test_word_document_for_readers_without_and_with_membership(demo, client):
    report = demo["reports"][2]
    anonymous = docx_text(docx_read(client.get(url("reports:report_docx", report)).content))
    assert DRAFT_TITLE not in anonymous
    assert "Besuche der Kommunikationsplattform" in anonymous
    assert (
        "Central Europe (EFRE) 2007–2013 (EFRE, 2007–2013) | 1.000,00 € | 800,00 € | 150,00 €"
        in anonymous
    )
    assert "DS-V/1234" in anonymous
    client.force_login(demo["reader"])
    member = docx_text(docx_read(client.get(url("reports:report_docx", report)).content))
    assert DRAFT_TITLE in member


# --- permissions -------------------------------------------------------------------------------


def test_only_coordinators_generate_reports(demo):
    plan = demo["plan"]
    options = {
        "plan": plan,
        "title": "Bericht",
        "period_label": "2012",
        "period_start": datetime.date(2012, 1, 1),
        "period_end": datetime.date(2012, 12, 31),
    }
    for user in (demo["reader"], UserFactory(is_staff=True), None):
        with pytest.raises(PermissionDenied):
            status_report_create(**options, acting_user=user)
    assert rules.can_manage_status_reports(demo["coordinator"], plan)
    assert not rules.can_manage_status_reports(demo["reader"], plan)


def test_draft_report_only_for_members(demo, client):
    report = demo["reports"][1]
    assert report.state == StatusReport.State.DRAFT
    assert client.get(url("reports:report_docx", report)).status_code == 404
    client.force_login(UserFactory(is_staff=True))
    assert client.get(url("reports:report_docx", report)).status_code == 404
    client.force_login(demo["reader"])
    assert client.get(url("reports:report_docx", report)).status_code == 200


def test_admin_generate_report_as_coordinator_and_refused_to_reader(demo, client):
    plan = demo["plan"]
    add = reverse("admin:reports_statusreport_add")
    client.force_login(demo["reader"])
    assert client.get(add).status_code == 403
    client.force_login(demo["coordinator"])
    page = client.get(add)
    assert page.status_code == 200
    before = StatusReport.objects.count()
    response = client.post(
        add,
        {
            "plan": plan.pk,
            "version": demo["versions"][1].pk,
            "title": "Bericht 2012",
            "period_label": "2012",
            "period_start": "01.01.2012",
            "period_end": "31.12.2012",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert StatusReport.objects.count() == before + 1
    report = StatusReport.objects.get(title="Bericht 2012")
    assert report.version == demo["versions"][1] and report.created_by == demo["coordinator"]
    assert list(report.field_texts.values_list("field_slug", flat=True)) == [
        f["slug"] for f in demo["versions"][1].snapshot["plan"]["fields"]
    ]
    # a period ending before it starts is a form error, not a 500
    response = client.post(
        add,
        {
            "plan": plan.pk,
            "title": "Falsch",
            "period_label": "x",
            "period_start": "31.12.2012",
            "period_end": "01.01.2012",
        },
    )
    assert response.status_code == 200
    assert not StatusReport.objects.filter(title="Falsch").exists()


def _change_data(report, text):
    texts = list(report.field_texts.order_by("pk"))
    data = {
        "title": report.title,
        "period_label": report.period_label,
        "period_start": report.period_start.strftime("%d.%m.%Y"),
        "period_end": report.period_end.strftime("%d.%m.%Y"),
        "summary": "",
        "state": report.state,
        "field_texts-TOTAL_FORMS": len(texts),
        "field_texts-INITIAL_FORMS": len(texts),
        "field_texts-MIN_NUM_FORMS": 0,
        "field_texts-MAX_NUM_FORMS": 1000,
    }
    for i, item in enumerate(texts):
        data[f"field_texts-{i}-id"] = item.pk
        data[f"field_texts-{i}-report"] = report.pk
        data[f"field_texts-{i}-text"] = text if i == 0 else item.text
    return data


def test_field_text_written_in_the_admin_is_kept_with_history(demo, client):
    report = demo["reports"][1]
    change = reverse("admin:reports_statusreport_change", args=[report.pk])
    first = report.field_texts.order_by("pk").first()
    client.force_login(demo["reader"])
    assert client.post(change, _change_data(report, "Leser schreibt")).status_code == 403
    first.refresh_from_db()
    assert first.text == ""
    client.force_login(demo["coordinator"])
    response = client.post(change, _change_data(report, "Die Kontaktstelle arbeitet."))
    assert response.status_code == 302, response.content.decode()[:3000]
    first.refresh_from_db()
    assert first.text == "Die Kontaktstelle arbeitet."
    history = list(first.history.order_by("history_date"))
    assert [h.text for h in history] == ["", "Die Kontaktstelle arbeitet."]
    assert history[-1].history_user == demo["coordinator"]
    assert history[0].history_user == demo["coordinator"]
    # the text is printed in the field's section
    content = report_content(report, internal=True)
    assert content.fields[0].text == "Die Kontaktstelle arbeitet."
    word = docx_text(docx_read(client.get(url("reports:report_docx", report)).content))
    assert "Handlungsfeld: Netzwerke Die Kontaktstelle arbeitet." in word


def test_field_report_text_rules(demo):
    text = FieldReportText.objects.filter(report=demo["reports"][1]).first()
    assert rules.can_change(demo["coordinator"], text)
    assert not rules.can_change(demo["reader"], text)
    assert rules.can_view(demo["reader"], text)
    assert not rules.can_view(None, text)  # a draft report
    assert rules.can_view(None, demo["reports"][2])  # final, of a published plan


def test_erasing_a_person_scrubs_the_documents_stored_with_reports(demo):
    from contacts.models import Person
    from contacts.services import person_erase

    report = demo["reports"][2]
    key, spec = next((k, p) for k, p in report.document["persons"].items() if p.get("last_name"))
    person = Person.objects.get(last_name=spec["last_name"], first_name=spec["first_name"])
    person_erase(person=person, acting_user=demo["coordinator"])
    report.refresh_from_db()
    for document in (report.document, report.public_document):
        assert spec["last_name"] not in str(document)
    assert report.document["persons"][key]["last_name"] == "—"


@pytest.mark.parametrize(
    ("status", "reached", "missed"),
    [
        ("completed", ["Mai 2011", "bis Juni 2012"], []),
        ("postponed", [], ["Mai 2011", "bis Juni 2012"]),  # still open: late
        ("in_progress", [], ["Mai 2011", "bis Juni 2012"]),
        ("cancelled", [], []),  # called off: not late
    ],
)
def test_milestones_reached_and_missed(status, reached, missed):
    from reports.selectors import _milestones

    spec = {
        "status": status,
        # no end: no milestone; ends after the report's day: not yet due
        "schedule": ["ab März 2011", "Mai 2011", "bis Juni 2012", "Dezember 2012"],
    }
    got = _milestones(spec, on=datetime.date(2012, 6, 30))
    assert [[m.label for m in part] for part in got] == [reached, missed]


def test_a_withdrawn_version_leaves_its_reports_as_they_were(demo):
    from versions.services import plan_version_delete

    report = demo["reports"][0]
    plan_version_delete(version=demo["versions"][0], acting_user=demo["coordinator"])
    report.refresh_from_db()
    assert report.version is None
    assert report.source_text.startswith("Erstellt aus der Version „Stand Mai 2011“")
    assert report_content(report, internal=False).measure_count == 10
