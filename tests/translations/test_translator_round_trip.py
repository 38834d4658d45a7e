"""The round trip with a translation office: export of the texts to translate (XLIFF 2.0 and a
workbook), the file coming back with a preview and per-text problems, hostile files refused,
and who may use it."""

from xml.etree import ElementTree

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from access.models import Membership
from actionplan import models as ap
from contacts.models import Organisation
from imports.changes import ImportRefused
from tests.factories import UserFactory, build_plan
from tests.imports.plan_support import open_xlsx, save_xlsx
from tests.imports.support import coordinator_of, stored_uploads
from tests.test_admin_german import english_in, english_phrases
from translations import exchange, selectors
from translations.services import text_hash

pytestmark = pytest.mark.django_db

NS = {"x": exchange.XLIFF_NS}


@pytest.fixture
def plan():
    """One text of each status: current, missing, outdated, machine (and many missing)."""
    plan = build_plan(fields=1, measures_per_field=2, steps_per_measure=1, slug="kreativ")
    first, second = ap.Measure.objects.filter(field__plan=plan).order_by("position")
    first.title_en = "Measure one"  # current
    first.description = "Beschreibung eins"  # missing
    first.save()
    second.title_en = "Measure two"
    second.save()
    second.title = "Maßnahme zwei, neu"  # outdated
    second.save()
    step = ap.Step.objects.get(measure=first)
    step.text_en = "Machine step"
    step._machine_translated = {"text"}
    step.save()
    return plan


@pytest.fixture
def measures(plan):
    return list(ap.Measure.objects.filter(field__plan=plan).order_by("position"))


def _expected_ids(plan) -> set[str]:
    """Computed from the selectors, object by object (independently of the export)."""
    ids = set()
    for kind, (model, path, _order) in exchange.PLAN_KINDS.items():
        for obj in model.objects.filter(**{path: plan.pk}):
            ids |= {f"{kind}:{obj.pk}:{name}" for name in selectors.needs_translation(obj)}
    return ids


def _units(content: bytes) -> dict[str, ElementTree.Element]:
    root = ElementTree.fromstring(content)
    return {unit.get("id"): unit for unit in root.iterfind("x:file/x:unit", NS)}


def test_xliff_export_holds_exactly_the_missing_outdated_and_machine_texts(plan, measures):
    first, second = measures
    step = ap.Step.objects.get(measure=first)
    content = exchange.xliff_export(plan)
    root = ElementTree.fromstring(content)

    assert root.tag == "{urn:oasis:names:tc:xliff:document:2.0}xliff"
    assert (root.get("version"), root.get("srcLang"), root.get("trgLang")) == ("2.0", "de", "en")
    units = _units(content)
    assert set(units) == _expected_ids(plan)
    assert f"measure:{first.pk}:title" not in units  # current
    field = ap.FieldOfAction.objects.get(plan=plan)
    assert field.lead_note == "" and f"field:{field.pk}:lead_note" not in units  # no German

    def status(unit_id):
        return units[unit_id].find("x:notes/x:note[@category='status']", NS).text

    def segment(unit_id):
        seg = units[unit_id].find("x:segment", NS)
        target = seg.find("x:target", NS)
        return seg.find("x:source", NS).text, target.text if target is not None else None

    assert status(f"measure:{first.pk}:description") == "missing"
    assert segment(f"measure:{first.pk}:description") == ("Beschreibung eins", None)
    assert status(f"measure:{second.pk}:title") == "outdated"
    assert segment(f"measure:{second.pk}:title") == ("Maßnahme zwei, neu", "Measure two")
    assert status(f"step:{step.pk}:text") == "machine"
    assert segment(f"step:{step.pk}:text") == (step.text, "Machine step")
    assert len(units) > 10  # the fields, findings, schedule labels ... without English


def test_xlsx_export_has_id_german_english_status(plan, measures):
    book = open_xlsx(exchange.xlsx_export(plan))
    sheet = book["Übersetzung"]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]

    assert rows[0] == ["ID", "Deutsch", "Englisch", "Status"]
    by_id = {row[0]: row for row in rows[1:]}
    assert set(by_id) == _expected_ids(plan)
    assert by_id[f"measure:{measures[1].pk}:title"][1:] == [
        "Maßnahme zwei, neu",
        "Measure two",
        "möglicherweise veraltet",
    ]
    assert by_id[f"measure:{measures[0].pk}:description"][2:] == [None, "fehlt"]


def _translated_xliff(content: bytes, translate) -> bytes:
    """The file as a CAT tool returns it: each target filled in by ``translate(id, source)``."""
    ElementTree.register_namespace("", exchange.XLIFF_NS)
    root = ElementTree.fromstring(content)
    for unit in root.iterfind("x:file/x:unit", NS):
        segment = unit.find("x:segment", NS)
        target = segment.find("x:target", NS)
        if target is None:
            target = ElementTree.SubElement(segment, f"{{{exchange.XLIFF_NS}}}target")
        value = translate(unit.get("id"), segment.find("x:source", NS).text)
        if value is not None:
            target.text = value
    return ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)


def _apply(plan, user, content, name="plan.xlf"):
    returned = exchange.read_upload(content, name)
    preview = exchange.translation_preview(scope=plan, user=user, returned=returned)
    return exchange.translation_apply(
        scope=plan,
        acting_user=user,
        returned=returned,
        expected_fingerprint=preview.fingerprint(),
        reason="Übersetzung",
    )


def test_xliff_round_trip_saves_every_text_as_current(plan, measures):
    user = coordinator_of(plan)
    first, second = measures
    step = ap.Step.objects.get(measure=first)
    exported = exchange.xliff_export(plan)
    count = len(_units(exported))
    content = _translated_xliff(exported, lambda unit_id, source: f"EN {source}")

    preview = exchange.translation_preview(
        scope=plan, user=user, returned=exchange.read_upload(content, "plan.xlf")
    )
    assert len(preview.changes) == count and preview.problems == []
    item = next(i for i in preview.changes if i.id == f"measure:{second.pk}:title")
    assert (item.old, item.new) == ("Measure two", "EN Maßnahme zwei, neu")
    first.refresh_from_db()
    assert first.description_en == ""  # a preview writes nothing

    applied = _apply(plan, user, content)

    assert len(applied.changes) == count
    second.refresh_from_db()
    assert second.title_en == "EN Maßnahme zwei, neu"
    assert second.translation_state["title"]["de"] == text_hash("Maßnahme zwei, neu")
    step.refresh_from_db()
    assert step.text_en == f"EN {step.text}" and selectors.field_status(step, "text") == "current"
    assert exchange.scope_texts(plan) == []  # nothing left to translate
    assert second.history.first().history_user == user
    assert _units(exchange.xliff_export(plan)) == {}


def test_an_unchanged_english_text_is_confirmed_only_when_marked_as_checked(plan, measures):
    """Returned untouched, a machine or outdated text stays as it is; with the XLIFF segment
    state „final“ (or „reviewed“) the translator confirms it, and it becomes current."""
    user = coordinator_of(plan)
    step = ap.Step.objects.get(measure=measures[0])
    untouched = exchange.xliff_export(plan)
    preview = exchange.translation_preview(
        scope=plan, user=user, returned=exchange.read_upload(untouched, "plan.xlf")
    )
    assert preview.changes == []
    assert {i.id for i in preview.unchanged} == {
        f"step:{step.pk}:text",
        f"measure:{measures[1].pk}:title",
    }
    root = ElementTree.fromstring(untouched)
    ElementTree.register_namespace("", exchange.XLIFF_NS)
    for unit in root.iterfind("x:file/x:unit", NS):
        if unit.get("id") == f"step:{step.pk}:text":
            unit.find("x:segment", NS).set("state", "final")
    content = ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)

    preview = exchange.translation_preview(
        scope=plan, user=user, returned=exchange.read_upload(content, "plan.xlf")
    )
    (item,) = preview.changes
    assert (item.id, item.action) == (f"step:{step.pk}:text", "confirm")
    _apply(plan, user, content)
    step.refresh_from_db()
    assert step.text_en == "Machine step" and selectors.field_status(step, "text") == "current"


def test_workbook_round_trip_with_the_column_englisch(plan, measures):
    user = coordinator_of(plan)
    book = open_xlsx(exchange.xlsx_export(plan))
    sheet = book["Übersetzung"]
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == f"measure:{measures[0].pk}:description":
            row[2].value = "Description one"
        else:
            row[2].value = None  # left empty: a problem, nothing written

    with translation.override("de"):
        preview = exchange.translation_preview(
            scope=plan, user=user, returned=exchange.read_upload(save_xlsx(book), "t.xlsx")
        )
    assert [i.id for i in preview.changes] == [f"measure:{measures[0].pk}:description"]
    assert {i.problem for i in preview.problems} == {"Keine englische Übersetzung angegeben."}
    _apply(plan, user, save_xlsx(book), "t.xlsx")
    measures[0].refresh_from_db()
    assert measures[0].description_en == "Description one"


def _xliff(units: list[tuple[str, str, str]]) -> bytes:
    body = "".join(
        f'<unit id="{uid}"><segment><source>{source}</source><target>{target}</target>'
        "</segment></unit>"
        for uid, source, target in units
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.0" srcLang="de" '
        f'trgLang="en"><file id="f">{body}</file></xliff>'
    ).encode()


def test_per_text_problems_are_listed_in_german_and_the_rest_is_applied(plan, measures):
    user = coordinator_of(plan)
    first, second = measures
    step = ap.Step.objects.get(measure=first)
    other = build_plan(fields=1, measures_per_field=1, steps_per_measure=0, slug="anders")
    foreign = ap.Measure.objects.get(field__plan=other)
    gone = ap.Measure.objects.create(field=first.field, position=9, title="Weg", slug="weg")
    gone_id = gone.pk
    gone.delete()
    second.title = "Maßnahme zwei, noch einmal geändert"  # after the export
    second.save()
    content = _xliff(
        [
            (f"measure:{first.pk}:description", "Beschreibung eins", "Description one"),
            (f"measure:{second.pk}:title", "Maßnahme zwei, neu", "Measure two, new"),
            (f"measure:{gone_id}:title", "Weg", "Gone"),
            ("measure:abc:title", "x", "y"),
            (f"measure:{first.pk}:slug", "x", "y"),
            (f"step:{step.pk}:text", step.text, ""),
            (
                f"schedule:{ap.ScheduleEntry.objects.get(measure=first).pk}:label",
                "II. Quartal 2011",
                "y" * 501,
            ),
            (f"measure:{foreign.pk}:title", foreign.title, "Foreign"),
            (f"measure:{first.pk}:description", "Beschreibung eins", "Twice"),
        ]
    )

    with translation.override("de"):
        preview = exchange.translation_preview(
            scope=plan, user=user, returned=exchange.read_upload(content, "t.xlf")
        )
        problems = {item.id: item.problem for item in preview.problems}

    assert [i.id for i in preview.changes] == [f"measure:{first.pk}:description"]
    assert problems[f"measure:{second.pk}:title"].startswith(
        "Der deutsche Text wurde seit dem Export geändert"
    )
    assert problems[f"measure:{gone_id}:title"] == (
        "Diesen Text gibt es nicht mehr: sein Objekt wurde gelöscht."
    )
    assert problems["measure:abc:title"] == "Unbekannte Kennung „measure:abc:title“."
    assert problems[f"measure:{first.pk}:slug"] == f"Unbekannte Kennung „measure:{first.pk}:slug“."
    assert problems[f"step:{step.pk}:text"] == "Keine englische Übersetzung angegeben."
    schedule = ap.ScheduleEntry.objects.get(measure=first)
    assert problems[f"schedule:{schedule.pk}:label"] == (
        "Zu lang für dieses Feld: höchstens 500 Zeichen, hier 501."
    )
    assert problems[f"measure:{foreign.pk}:title"] == "Sie dürfen diesen Text nicht ändern."
    twice = [i for i in preview.problems if i.id == f"measure:{first.pk}:description"]
    assert twice[0].problem == "Die Kennung kommt mehr als einmal vor (auch in Einheit 1)."

    _apply(plan, user, content, "t.xlf")

    first.refresh_from_db()
    second.refresh_from_db()
    foreign.refresh_from_db()
    assert first.description_en == "Description one"
    assert second.title_en == "Measure two" and foreign.title_en == ""
    assert selectors.field_status(second, "title") == "outdated"


def test_a_preview_made_stale_by_another_change_applies_nothing(plan, measures):
    user = coordinator_of(plan)
    first = measures[0]
    content = _xliff([(f"measure:{first.pk}:description", "Beschreibung eins", "Description")])
    returned = exchange.read_upload(content, "t.xlf")
    fingerprint = exchange.translation_preview(
        scope=plan, user=user, returned=returned
    ).fingerprint()
    first.description_en = "Someone else's"
    first.save()

    with pytest.raises(exchange.StalePreview):
        exchange.translation_apply(
            scope=plan,
            acting_user=user,
            returned=returned,
            expected_fingerprint=fingerprint,
            reason="",
        )
    first.refresh_from_db()
    assert first.description_en == "Someone else's"


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.0" srcLang="de" trgLang="en">
<file id="f"><unit id="u"><segment><source>&lol2;</source></segment></unit></file></xliff>"""
XXE = b"""<?xml version="1.0"?>
<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.0" srcLang="de" trgLang="en">
<file id="f"><unit id="u"><segment><source>&xxe;</source></segment></unit></file></xliff>"""


@pytest.mark.parametrize("content", [BILLION_LAUGHS, XXE], ids=["billion-laughs", "xxe"])
def test_hostile_xliff_is_refused_with_a_german_message(content):
    with translation.override("de"), pytest.raises(ImportRefused) as refused:
        exchange.read_upload(content, "böse.xlf")
    (problem,) = refused.value.problems
    assert problem.message.startswith("„böse.xlf“ deklariert XML-Entitäten oder einen DOCTYPE")


def test_oversized_and_overlong_xliff_are_refused(settings):
    settings.PLANWERK_UPLOAD_MAX_BYTES = 1000
    with translation.override("de"), pytest.raises(ImportRefused) as refused:
        exchange.read_upload(b"<xliff>" + b" " * 2000 + b"</xliff>", "gross.xlf")
    assert refused.value.problems[0].message.startswith("Die Datei ist zu groß")

    settings.PLANWERK_UPLOAD_MAX_BYTES = 10**6
    settings.PLANWERK_IMPORT_MAX_ROWS = 2
    with translation.override("de"), pytest.raises(ImportRefused):
        exchange.read_upload(_xliff([(f"measure:{i}:title", "a", "b") for i in range(3)]), "x")
    with translation.override("de"), pytest.raises(ImportRefused) as refused:
        exchange.read_upload(b"kein xml", "x.xlf")
    assert "weder eine XLIFF-2.0-Datei noch eine XLSX-Arbeitsmappe" in str(refused.value)


# --- the pages ----------------------------------------------------------------------------------


def page_url(plan) -> str:
    return reverse("translations:plan_translation", kwargs={"plan_slug": plan.slug})


def export_url(plan, file_format) -> str:
    return reverse(
        "translations:plan_translation_export",
        kwargs={"plan_slug": plan.slug, "file_format": file_format},
    )


def test_coordinator_exports_uploads_previews_and_confirms(client, plan, measures):
    client.force_login(coordinator_of(plan))
    first = measures[0]

    page = client.get(page_url(plan))
    assert page.status_code == 200
    html = page.content.decode()
    assert export_url(plan, "xlf") in html
    # German throughout: ours translated, none of Django's admin phrases left in English
    assert "Zu übersetzende Texte" in html and "Texts to translate" not in html
    assert english_in(html, english_phrases()) == []
    exported = client.get(export_url(plan, "xlf"))
    assert exported["Content-Type"] == "application/xliff+xml"
    assert set(_units(exported.content)) == _expected_ids(plan)
    assert client.get(export_url(plan, "xlsx")).content.startswith(b"PK")

    content = _xliff([(f"measure:{first.pk}:description", "Beschreibung eins", "Description")])
    preview = client.post(page_url(plan), {"import_file": SimpleUploadedFile("t.xlf", content)})
    html = preview.content.decode()
    assert "Vorschau" in html and "Description" in html
    first.refresh_from_db()
    assert first.description_en == ""
    assert len(stored_uploads()) == 1

    confirmed = client.post(
        page_url(plan),
        {
            "confirm": "1",
            "stored_name": preview.context["stored_name"],
            "file_name": "t.xlf",
            "fingerprint": preview.context["fingerprint"],
        },
    )
    assert confirmed.status_code == 302
    first.refresh_from_db()
    assert first.description_en == "Description" and stored_uploads() == []


def test_hostile_upload_shows_the_refusal_and_keeps_nothing(client, plan):
    client.force_login(coordinator_of(plan))
    response = client.post(
        page_url(plan), {"import_file": SimpleUploadedFile("t.xlf", BILLION_LAUGHS)}
    )
    assert response.status_code == 200
    assert "deklariert XML-Entitäten" in response.content.decode()
    assert stored_uploads() == []


def test_editor_of_another_organisation_and_anonymous_are_refused(client, plan, measures):
    user = UserFactory(username="redaktion", is_staff=True)
    Membership.objects.create(
        user=user,
        plan=plan,
        role=Membership.Role.EDITOR,
        organisation=Organisation.objects.first(),
    )
    content = _xliff([(f"measure:{measures[0].pk}:description", "Beschreibung eins", "x")])
    client.force_login(user)
    assert client.get(page_url(plan)).status_code == 403
    assert client.get(export_url(plan, "xlf")).status_code == 403
    assert (
        client.post(page_url(plan), {"import_file": SimpleUploadedFile("t.xlf", content)})
    ).status_code == 403

    other = build_plan(fields=1, measures_per_field=1, steps_per_measure=0, slug="anders")
    client.force_login(coordinator_of(other, "andere"))
    assert client.get(page_url(plan)).status_code == 404
    client.logout()
    assert client.get(page_url(plan)).status_code == 302
    assert client.get(export_url(plan, "xlsx")).status_code == 302
    measures[0].refresh_from_db()
    assert measures[0].description_en == "" and stored_uploads() == []


def test_empty_file_is_refused():
    with translation.override("de"), pytest.raises(ImportRefused) as refused:
        exchange.read_upload(b"", "leer.xlf")
    assert str(refused.value) == "Die Datei ist leer."


# --- a campaign ----------------------------------------------------------------------------------


def test_campaign_round_trip_through_its_page(client):
    from campaigns import models as cp

    campaign = cp.Campaign.objects.create(
        title="Altmark erleben", slug="altmark", region="Altmark", motto="Weite genießen"
    )
    channel = cp.Channel.objects.create(campaign=campaign, name="Messestand")
    user = UserFactory(username="kampagnenleitung", is_staff=True)
    Membership.objects.create(user=user, campaign=campaign, role=Membership.Role.COORDINATOR)
    client.force_login(user)
    page = reverse("translations:campaign_translation", kwargs={"slug": campaign.slug})
    xlf = reverse(
        "translations:campaign_translation_export",
        kwargs={"slug": campaign.slug, "file_format": "xlf"},
    )

    assert xlf in client.get(page).content.decode()
    units = _units(client.get(xlf).content)
    assert {f"campaign:{campaign.pk}:title", f"channel:{channel.pk}:name"} <= set(units)
    assert all(unit_id.split(":")[0] in exchange.CAMPAIGN_KINDS for unit_id in units)

    content = _xliff([(f"channel:{channel.pk}:name", "Messestand", "Trade fair stand")])
    preview = client.post(page, {"import_file": SimpleUploadedFile("k.xlf", content)})
    assert "Trade fair stand" in preview.content.decode()
    client.post(
        page,
        {
            "confirm": "1",
            "stored_name": preview.context["stored_name"],
            "file_name": "k.xlf",
            "fingerprint": preview.context["fingerprint"],
        },
    )
    channel.refresh_from_db()
    assert channel.name_en == "Trade fair stand"
    assert selectors.field_status(channel, "name") == "current"

    plan = build_plan(fields=1, measures_per_field=1, steps_per_measure=0, slug="fremd")
    measure = ap.Measure.objects.get(field__plan=plan)
    returned = exchange.read_upload(_xliff([(f"measure:{measure.pk}:title", "x", "y")]), "k")
    with translation.override("de"):
        (item,) = exchange.translation_preview(scope=campaign, user=user, returned=returned).items
    assert item.problem == "Sie dürfen diesen Text nicht ändern."
