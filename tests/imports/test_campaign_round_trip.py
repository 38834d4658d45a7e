"""Campaign documents out and in again: export_campaigns, import_campaigns (with --dry-run)."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import ProtectedError

from actionplan.models import BudgetCategory, FundingSource, Plan, TargetGroup
from campaigns.models import Campaign, CampaignPartner, Channel, KeyFigure, Market
from contacts.models import Organisation, Person
from tests.imports.plan_support import history_count, load_leipzig

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    load_leipzig()
    call_command("load_campaign_demo_data", stdout=StringIO())


def _export(tmp_path, *slugs, name="campaigns.json") -> str:
    target = tmp_path / name
    call_command("export_campaigns", *slugs, "-o", str(target))
    return target.read_text(encoding="utf-8")


def _import(path, *args) -> str:
    out = StringIO()
    call_command("import_campaigns", str(path), *args, stdout=out)
    return out.getvalue()


def _write(tmp_path, document: dict, name="edited.json"):
    path = tmp_path / name
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


def _empty_database() -> None:
    """Nothing a campaign or plan document brings is left."""
    Campaign.objects.all().delete()
    Plan.objects.all().delete()
    for model in (Person, Market, TargetGroup, BudgetCategory, FundingSource):
        model.objects.all().delete()
    while Organisation.objects.exists():  # children before their parents
        for organisation in Organisation.objects.all():
            try:
                organisation.delete()
            except ProtectedError:
                continue


def test_export_import_into_an_empty_database_gives_the_same_file(demo, tmp_path):
    first = _export(tmp_path)
    document = json.loads(first)
    assert document["format"] == "planwerk-campaigns"
    assert [c["slug"] for c in document["campaigns"]] == sorted(
        Campaign.objects.values_list("slug", flat=True)
    )
    assert len(document["campaigns"]) == 4
    counts = [model.objects.count() for model in (Campaign, Channel, KeyFigure, Person)]

    _empty_database()
    assert Campaign.objects.count() == Organisation.objects.count() == Person.objects.count() == 0
    load_leipzig()  # the Leipzig campaign serves two of the plan's measures
    _import(tmp_path / "campaigns.json")

    assert _export(tmp_path, name="again.json") == first
    assert [model.objects.count() for model in (Campaign, Channel, KeyFigure, Person)] == counts


def test_export_import_into_the_same_database_writes_nothing(demo, tmp_path):
    _export(tmp_path)
    history = history_count()

    out = _import(tmp_path / "campaigns.json")

    assert "Campaigns: 0 new, 0 changed, 0 deleted." in out
    assert history_count() == history


def test_export_of_named_campaigns_only(demo, tmp_path):
    document = json.loads(_export(tmp_path, "stadt-der-staedte", "bildungsmarketing-erfurt"))
    assert [c["slug"] for c in document["campaigns"]] == [
        "bildungsmarketing-erfurt",
        "stadt-der-staedte",
    ]
    with pytest.raises(CommandError, match="No campaign with the slug"):
        call_command("export_campaigns", "gibt-es-nicht", stdout=StringIO())


def test_one_edited_value_changes_exactly_that_value(demo, tmp_path):
    document = json.loads(_export(tmp_path))
    ruhr = next(c for c in document["campaigns"] if c["slug"] == "stadt-der-staedte")
    channel = ruhr["channels"][0]
    old_name = channel["name"]
    channel["name"] = "Neuer Name"
    history = history_count()

    out = _import(_write(tmp_path, document))

    assert out.splitlines() == [
        "~ channel stadt-der-staedte/1",
        f"    name: {old_name} → Neuer Name",
        # its English name was written for the old German one
        "    translation state of name (English): current → possibly outdated",
        "Campaigns: 0 new, 1 changed, 0 deleted.",
    ]
    assert history_count() == history + 1
    stored = Channel.objects.get(campaign__slug="stadt-der-staedte", name="Neuer Name")
    assert stored.history.first().history_change_reason == (
        "Import of the campaign document “edited.json”"
    )


def test_dry_run_reports_new_changed_and_deleted_and_writes_nothing(demo, tmp_path):
    document = json.loads(_export(tmp_path))
    altmark = next(
        c for c in document["campaigns"] if c["slug"] == "altmark-mehr-platz-fuer-entfaltung"
    )
    old_title = altmark["title"]
    altmark["title"] = "Altmark – noch mehr Platz"
    removed = altmark["key_figures"].pop()
    altmark.setdefault("channels", []).append({"kind": "print", "name": "Neuer Flyer"})
    path = _write(tmp_path, document)
    before = [model.objects.count() for model in (Campaign, Channel, KeyFigure)]
    history, entries = history_count(), history_count(entries_only=True)

    out = _import(path, "--dry-run")

    assert "~ campaign altmark-mehr-platz-fuer-entfaltung" in out
    assert f"    title: {old_title} → Altmark – noch mehr Platz" in out
    assert (
        f"- key figure altmark-mehr-platz-fuer-entfaltung/{len(altmark['key_figures']) + 1}" in out
    )
    assert f"+ channel altmark-mehr-platz-fuer-entfaltung/{len(altmark['channels'])}" in out
    assert out.strip().endswith("Dry run: 1 new, 1 changed, 1 deleted. Nothing written.")
    assert [model.objects.count() for model in (Campaign, Channel, KeyFigure)] == before
    assert history_count() == history
    assert KeyFigure.objects.filter(name=removed["name"]).exists()

    out = _import(path)

    assert "Campaigns: 1 new, 1 changed, 1 deleted." in out
    assert history_count(entries_only=True) == entries + 3  # one entry per change
    assert Campaign.objects.get(slug=altmark["slug"]).title == "Altmark – noch mehr Platz"
    assert not KeyFigure.objects.filter(name=removed["name"]).exists()


def test_swapping_two_partners_changes_only_their_positions(demo, tmp_path):
    document = json.loads(_export(tmp_path))
    erfurt = next(c for c in document["campaigns"] if c["slug"] == "bildungsmarketing-erfurt")
    partners = erfurt["partners"]
    partners[1], partners[2] = partners[2], partners[1]
    links = CampaignPartner.objects.filter(campaign__slug="bildungsmarketing-erfurt")
    before = dict(links.values_list("pk", "position"))
    history = history_count()

    out = _import(_write(tmp_path, document))

    changed = [line for line in out.splitlines() if line.startswith(("~", "+", "-", " "))]
    assert len(changed) == 4
    assert "    position: 2 → 3" in changed and "    position: 3 → 2" in changed
    assert "Campaigns: 0 new, 2 changed, 0 deleted." in out
    assert history_count() == history + 2
    after = dict(links.values_list("pk", "position"))
    assert set(after) == set(before)  # the same rows, moved
    assert sorted(pk for pk in after if after[pk] != before[pk]) == sorted(
        pk for pk in before if before[pk] in (2, 3)
    )


def test_import_of_a_bad_document_names_the_path_and_writes_nothing(demo, tmp_path):
    document = json.loads(_export(tmp_path))
    document["campaigns"][1]["channels"][0]["reach"] = -5
    history = history_count()
    with pytest.raises(CommandError, match=r"campaigns\[1\]\.channels\[0\]\.reach: "):
        _import(_write(tmp_path, document))
    assert history_count() == history


def test_import_campaigns_unreadable_file(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    with pytest.raises(CommandError, match=r"bad.json: The file is not a JSON document \(line 1"):
        _import(bad)
    with pytest.raises(CommandError, match="Cannot read"):
        _import(tmp_path / "missing.json")
