"""The campaign document in the admin changelist: upload → preview → confirm, and the export."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext

from access.models import AuditEvent, Membership
from campaigns.models import Campaign, Channel, KeyFigure
from contacts.models import Organisation
from tests.campaigns.factories import CampaignFactory, ChannelFactory
from tests.factories import UserFactory
from tests.imports.plan_support import history_count
from tests.imports.support import messages_of, stored_uploads

pytestmark = pytest.mark.django_db

IMPORT_URL = "admin:campaigns_campaign_document_import"
EXPORT_URL = "admin:campaigns_campaign_document_export"
CHANGELIST = "admin:campaigns_campaign_changelist"


def de(msgid: str, **values) -> str:
    """The German admin's text (the msgid until the translation is filled in)."""
    with translation.override("de"):
        text = gettext(msgid)
    return text % values if values else text


def summary(new: int, changed: int, deleted: int) -> str:
    return de(
        "%(new)d new, %(changed)d changed, %(deleted)d deleted",
        new=new,
        changed=changed,
        deleted=deleted,
    )


@pytest.fixture
def superuser_client(client):
    client.force_login(UserFactory(username="admin", is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def campaign():
    campaign = CampaignFactory(slug="flyer-kampagne", title="Flyer-Kampagne", region="Erfurt")
    ChannelFactory(campaign=campaign, position=1, name="Imageflyer", reach=1000)
    return campaign


def coordinator_client(client, *campaigns):
    user = UserFactory(username="koordination", is_staff=True)
    for campaign in campaigns:
        Membership.objects.create(user=user, campaign=campaign, role=Membership.Role.COORDINATOR)
    client.force_login(user)
    return client


def state() -> tuple:
    """Everything an import could change, and the history tables."""
    rows = tuple(
        sorted(map(repr, model.objects.values_list()))
        for model in (Campaign, Channel, KeyFigure, Organisation)
    )
    return rows, history_count()


def stale() -> str:
    return de(
        "Since the preview, someone else has changed records that this file would change. "
        "Nothing was imported. Please upload the file again to see a new preview."
    )


def export(client, **params) -> dict:
    response = client.get(reverse(EXPORT_URL), params)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="kampagnen-')
    return json.loads(response.content)


def upload(client, document, name="kampagnen.json"):
    content = document if isinstance(document, bytes) else json.dumps(document).encode()
    file = SimpleUploadedFile(name, content, content_type="application/json")
    return client.post(reverse(IMPORT_URL), {"import_file": file})


def confirm(client, preview, **changed):
    data = {
        name: preview.context[name]
        for name in ("stored_name", "file_name", "fingerprint", "changes_digest")
    }
    return client.post(reverse(IMPORT_URL), {**data, **changed, "confirm": "1"})


def test_changelist_offers_import_and_export_to_a_coordinator(client, campaign):
    html = coordinator_client(client, campaign).get(reverse(CHANGELIST)).content.decode()
    assert reverse(IMPORT_URL) in html and reverse(EXPORT_URL) in html
    assert "/admin/campaigns/campaign/import/" not in html  # no row-by-row import any more


def test_upload_previews_the_changes_and_confirm_applies_them(superuser_client, campaign):
    document = export(superuser_client)
    item = document["campaigns"][0]
    item["title"] = "Flyer-Kampagne 2025"
    item["channels"][0]["reach"] = 2500
    item["channels"].append({"kind": "website", "name": "Website"})
    before = history_count(entries_only=True)

    preview = upload(superuser_client, document)

    html = preview.content.decode()
    assert f"{summary(1, 2, 0)}. " in html
    assert "<del>Flyer-Kampagne</del>" in html and "<ins>Flyer-Kampagne 2025</ins>" in html
    assert "<del>1000</del>" in html and "<ins>2500</ins>" in html
    assert "Website" in html
    assert de("Confirm import") in html
    campaign.refresh_from_db()
    assert campaign.title == "Flyer-Kampagne" and campaign.channels.count() == 1
    assert history_count(entries_only=True) == before
    assert len(stored_uploads()) == 1

    response = confirm(superuser_client, preview)

    assert response.status_code == 302 and response["Location"] == reverse(CHANGELIST)
    assert messages_of(response) == [
        de(
            "The campaign document “%(name)s” has been imported: %(summary)s.",
            name="kampagnen.json",
            summary=summary(1, 2, 0),
        )
    ]
    campaign.refresh_from_db()
    assert campaign.title == "Flyer-Kampagne 2025"
    assert [(c.name, c.reach) for c in campaign.channels.order_by("position")] == [
        ("Imageflyer", 2500),
        ("Website", None),
    ]
    assert history_count(entries_only=True) == before + 3
    latest = campaign.history.latest("history_date")
    assert latest.history_change_reason == "Import des Kampagnendokuments „kampagnen.json“"
    assert latest.history_user.username == "admin"
    assert AuditEvent.objects.filter(action=AuditEvent.Action.IMPORTED, campaign=campaign).exists()
    assert stored_uploads() == []


def test_deleted_rows_are_listed_before_they_go(superuser_client, campaign):
    document = export(superuser_client)
    document["campaigns"][0]["channels"] = []
    html = upload(superuser_client, document).content.decode()
    assert summary(0, 0, 1) in html
    assert Channel.objects.filter(campaign=campaign).count() == 1


def test_export_then_import_is_no_change_and_no_history(superuser_client, campaign):
    CampaignFactory(slug="zweite", title="Zweite Kampagne")
    document = export(superuser_client)
    assert [c["slug"] for c in document["campaigns"]] == ["flyer-kampagne", "zweite"]
    before = state()

    preview = upload(superuser_client, document)

    html = preview.content.decode()
    assert summary(0, 0, 0) in html and de("Confirm import") not in html
    assert de("The file matches the campaigns as stored: there is nothing to import.") in html
    assert state() == before and stored_uploads() == []


@pytest.mark.parametrize(
    ("edit", "path", "message"),
    [
        (
            lambda c: c["channels"][0].update(reach="viele"),
            "campaigns[0].channels[0].reach",
            lambda: escape(de("expected a whole number, got %(value)r", value="viele")),
        ),
        (
            lambda c: c["channels"][0].update(reach=-40000),
            "campaigns[0].channels[0].reach",
            "The reach must not be negative.",  # the model's validation, translated
        ),
        (
            lambda c: c.update(budget={"amount": "zehn Euro"}),
            "campaigns[0].budget.amount",
            lambda: escape(de("not a number: %(value)r", value="zehn Euro")),
        ),
        (
            lambda c: c.update(Titel="Neu"),
            "campaigns[0]",
            lambda: de("unknown key(s): %(keys)s", keys="Titel"),
        ),
        (
            lambda c: c["channels"][0].update(period={"start": "im Mai"}),
            "campaigns[0].channels[0].period.start",
            lambda: escape(de("expected a date as YYYY-MM-DD, got %(value)r", value="im Mai")),
        ),
    ],
)
def test_bad_document_names_the_place_and_changes_nothing(
    superuser_client, campaign, edit, path, message
):
    document = export(superuser_client)
    document["campaigns"][0]["title"] = "Wird nicht gespeichert"
    edit(document["campaigns"][0])
    before = state()

    html = upload(superuser_client, document).content.decode()

    assert de("The file cannot be imported") in html
    text = message() if callable(message) else de(message)
    assert f"<td><code>{path}</code></td><td>{text}</td>" in html
    assert de("Confirm import") not in html
    assert state() == before and stored_uploads() == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", lambda: de("The submitted file is empty.")),
        (
            b"%PDF-1.4 \xe4\xf6",
            lambda: de(
                "The file is not UTF-8 text (line %(line)s, column %(column)s). "
                "Please save it as UTF-8 JSON.",
                line=1,
                column=10,
            ),
        ),
        (
            b'{"campaigns": [',
            lambda: de(
                "The file is not a JSON document (line %(line)s, column %(column)s: %(error)s).",
                line=1,
                column=16,
                error="Expecting value",
            ),
        ),
        (
            b'{"format": "planwerk-plan", "campaigns": []}',
            lambda: (
                "<td><code>document.format</code></td><td>"
                + de("expected “%(format)s”", format="planwerk-campaigns")
                + "</td>"
            ),
        ),
    ],
)
def test_a_file_that_is_no_campaign_document_is_refused(superuser_client, content, message):
    before = state()
    html = upload(superuser_client, content).content.decode()
    assert message() in html and de("Confirm import") not in html
    assert state() == before and stored_uploads() == []


def test_preview_is_refused_when_the_campaign_changed_since(superuser_client, campaign):
    document = export(superuser_client)
    document["campaigns"][0]["title"] = "Aus der Datei"
    preview = upload(superuser_client, document)
    Campaign.objects.filter(pk=campaign.pk).update(region="Gotha")  # someone else, meanwhile
    before = state()

    response = confirm(superuser_client, preview)

    assert response["Location"] == reverse(IMPORT_URL)
    assert messages_of(response) == [stale(), de("Nothing was imported.")]
    assert state() == before and stored_uploads() == []


def test_confirm_applies_only_what_the_preview_showed(superuser_client, campaign):
    """A list of changes other than the previewed one rolls the whole import back."""
    document = export(superuser_client)
    document["campaigns"][0]["title"] = "Aus der Datei"
    preview = upload(superuser_client, document)
    before = state()

    response = confirm(superuser_client, preview, changes_digest="0" * 64)

    assert messages_of(response) == [stale(), de("Nothing was imported.")]
    assert state() == before
    assert Campaign.objects.get(pk=campaign.pk).title == "Flyer-Kampagne"


def test_coordinator_imports_only_into_own_campaigns(client, campaign):
    theirs = CampaignFactory(slug="fremde", title="Fremde Kampagne")
    client = coordinator_client(client, campaign)
    own = export(client)
    assert [c["slug"] for c in own["campaigns"]] == ["flyer-kampagne"]  # export: own only
    own["campaigns"][0]["title"] = "Meine Kampagne (neu)"
    own["campaigns"].append({"slug": "fremde", "title": "Übernommen", "region": "Erfurt"})
    own["campaigns"].append({"slug": "ganz-neu", "title": "Neue Kampagne", "region": "Erfurt"})
    before = state()

    html = upload(client, own).content.decode()  # in German, the admin's first language

    assert "Sie dürfen nicht in die Kampagne „Fremde Kampagne“ importieren." in html
    assert de("You may not create the campaign “%(slug)s”.", slug="ganz-neu") in html
    assert de("Confirm import") not in html
    assert state() == before and stored_uploads() == []
    assert theirs.title == Campaign.objects.get(pk=theirs.pk).title

    own["campaigns"] = own["campaigns"][:1]
    preview = upload(client, own)
    assert confirm(client, preview).status_code == 302
    assert Campaign.objects.get(pk=campaign.pk).title == "Meine Kampagne (neu)"


def test_coordinator_may_change_the_status_of_own_campaign(client, campaign):
    """A coordinator publishes in the form too (``rules.can_publish``); the file may as well."""
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.DRAFT)
    client = coordinator_client(client, campaign)
    document = export(client)
    document["campaigns"][0]["status"] = "published"
    confirm(client, upload(client, document))
    assert Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.PUBLISHED


def test_user_without_campaign_role_gets_no_import_and_no_export(client, campaign):
    user = UserFactory(username="redaktion", is_staff=True)
    Membership.objects.create(user=user, campaign=campaign, role=Membership.Role.EDITOR)
    client.force_login(user)
    assert client.get(reverse(IMPORT_URL)).status_code == 403
    assert client.get(reverse(EXPORT_URL)).status_code == 403
    html = client.get(reverse(CHANGELIST)).content.decode()
    assert reverse(IMPORT_URL) not in html and reverse(EXPORT_URL) not in html
    document = {"format": "planwerk-campaigns", "campaigns": [{"slug": campaign.slug}]}
    before = state()
    assert upload(client, document).status_code == 403
    assert state() == before and stored_uploads() == []


def test_rights_are_checked_again_on_confirm(client, campaign):
    second = CampaignFactory(slug="zweite")
    client = coordinator_client(client, campaign, second)
    document = export(client)
    assert len(document["campaigns"]) == 2
    document["campaigns"][0]["title"] = "Neu"
    preview = upload(client, document)
    Membership.objects.filter(campaign=campaign).update(role=Membership.Role.EDITOR)
    before = state()

    response = confirm(client, preview)

    assert messages_of(response) == [
        "Sie dürfen nicht in die Kampagne „Flyer-Kampagne“ importieren.",
        de("Nothing was imported."),
    ]
    assert state() == before and stored_uploads() == []


def test_file_over_the_limit_is_refused(superuser_client, campaign, settings):
    settings.PLANWERK_UPLOAD_MAX_BYTES = 1024
    document = export(superuser_client)
    document["campaigns"][0]["description"] = "x" * 4096
    before = state()
    html = upload(superuser_client, document).content.decode()
    assert "Die Datei ist zu groß" in html
    assert de("Confirm import") not in html
    assert state() == before and stored_uploads() == []


def test_cancel_deletes_the_upload(superuser_client, campaign):
    document = export(superuser_client)
    document["campaigns"][0]["title"] = "Abgebrochen"
    preview = upload(superuser_client, document)
    assert len(stored_uploads()) == 1
    superuser_client.post(
        reverse(IMPORT_URL), {"stored_name": preview.context["stored_name"], "cancel": "1"}
    )
    assert stored_uploads() == []
    assert confirm(superuser_client, preview).status_code == 302
    assert Campaign.objects.get(pk=campaign.pk).title == "Flyer-Kampagne"


def test_list_action_exports_the_selected_permitted_campaigns(client, campaign):
    other = CampaignFactory(slug="andere")
    client = coordinator_client(client, campaign)
    response = client.post(
        reverse(CHANGELIST),
        {"action": "export_campaign_document", "_selected_action": [campaign.pk, other.pk]},
    )
    assert response.status_code == 200
    document = json.loads(response.content)
    assert document["format"] == "planwerk-campaigns"
    assert [c["slug"] for c in document["campaigns"]] == ["flyer-kampagne"]
    assert document["campaigns"][0]["channels"][0] == {
        "kind": "print",
        "name": "Imageflyer",
        "reach": 1000,
        "status": "planned",
    }


def test_formula_text_goes_through_the_document_unchanged(superuser_client, campaign):
    document = export(superuser_client)
    document["campaigns"][0]["title"] = "=1+1"
    document["campaigns"][0]["channels"][0]["name"] = "@SUM(A1)"
    confirm(superuser_client, upload(superuser_client, document))
    campaign.refresh_from_db()
    assert campaign.title == "=1+1"
    assert campaign.channels.get().name == "@SUM(A1)"
    assert export(superuser_client) == document
    assert summary(0, 0, 0) in upload(superuser_client, document).content.decode()


def test_row_import_of_campaigns_and_channels_is_gone():
    for model in ("campaign", "channel"):
        with pytest.raises(NoReverseMatch):
            reverse(f"admin:campaigns_{model}_import")
        assert reverse(f"admin:campaigns_{model}_export")


def test_export_queries_do_not_grow_with_the_campaigns(client, django_assert_max_num_queries):
    user = UserFactory(username="koordination", is_staff=True)
    client.force_login(user)

    def add_campaigns(count):
        for campaign in CampaignFactory.create_batch(count):
            ChannelFactory.create_batch(2, campaign=campaign)
            Membership.objects.create(user=user, campaign=campaign, role="coordinator")

    add_campaigns(3)
    with django_assert_max_num_queries(40) as few:
        assert len(export(client)["campaigns"]) == 3
    add_campaigns(12)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(export(client)["campaigns"]) == 15
