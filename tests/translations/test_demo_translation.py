"""The demo data in English (issue 21): every German text of the demo documents that Planwerk
translates (``translations.registry.FIELDS``) has an English sibling by the JSON convention of
the issue (``K_en`` beside ``K``, shorthand steps and schedule entries as objects, vocabulary
names in ``vocabulary_en``), the plan and each campaign say they are a translation, and the
German documents are exactly what they were before the translation was added.

These tests read the JSON files only; loading the English texts is the importer's business
(tests/translations/test_json_round_trip.py)."""

import hashlib
import json
import re
import subprocess
from dataclasses import dataclass

import pytest
from django.conf import settings

from translations import registry

FIXTURES = settings.BASE_DIR / "fixtures"
LEIPZIG = FIXTURES / "leipzig.json"
CAMPAIGNS = FIXTURES / "campaigns.json"

# The commit before the English texts were added (branch i18n) and the fingerprint of its
# German documents, so that the comparison also works where git history is missing.
GERMAN_COMMIT = "aa98ef9"
GERMAN_SHA256 = {
    "leipzig.json": "1e38f2c401829b76efb57b056aad574d994a09e048c7d9d7efd658bd796a18ef",
    "campaigns.json": "2c6f483dc5ea30d6bd1e317c7b6af29ead444bd7d1545b21ee5aee544fd38e88",
}

# Organisation names that are proper names and stay as they are in English (no ``name_en``).
PROPER_NAMES = {
    "Aufbauwerk Region Leipzig GmbH",
    "Leipzig Tourismus und Marketing GmbH",
    "Lernen vor Ort",
    "Thjnk",
    "TAS Emotional Marketing",
    "Altmarkkreis Salzwedel",
}
# English texts that are rightly the same as the German ones (names, loan words).
SAME_IN_ENGLISH = {
    "Joint Action Plan",
    "CENTRAL EUROPE",
    "Creative Cities",
    "Marketing",
    "China",
    "USA",
    "Budget",
    "Events",
}
# Registered texts the demo documents do not carry at all.
NOT_IN_DEMO = {
    ("actionplan.Measure", "description"),
    ("actionplan.BudgetLine", "note"),
    ("attachments.Attachment", "title"),
}
ENGLISH_ONLY_KEYS = {"english_note", "vocabulary_en", "translation_outdated", "machine_translated"}


@dataclass
class Text:
    """One translated text in a document: where it is, its German and its English version."""

    path: str
    model: str
    field: str
    german: object  # str, or a list of str for paragraph and line lists
    english: object  # None when the document has no English version


class Walker:
    """Walks a demo document along the JSON convention; the mapping of document keys to
    registry fields is written out here on purpose, so that the test states the convention
    rather than deriving it from the code it checks."""

    def __init__(self):
        self.texts: list[Text] = []
        self.consumed: set[tuple[int, str]] = set()  # (id(object), key) of every English key read

    def text(self, obj, key, path, model, field=None):
        """The German text ``obj[key]`` and its sibling ``obj[key + "_en"]``."""
        german = obj.get(key)
        if not german:
            return
        english_key = registry.english(key)
        self.consumed.add((id(obj), english_key))
        self.texts.append(Text(f"{path}.{key}", model, field or key, german, obj.get(english_key)))

    def shorthand(self, item, key, path, model, field):
        """A step or schedule entry: a German string (no English) or an object with ``key``."""
        if isinstance(item, str):
            self.texts.append(Text(path, model, field, item, None))
            return
        self.text(item, key, path, model, field)

    def vocabulary(self, names, owner, vocabulary, path, model):
        """Names of a shared vocabulary translated in ``owner["vocabulary_en"][vocabulary]``."""
        mapping = owner.get("vocabulary_en", {}).get(vocabulary, {})
        for name in names:
            self.texts.append(
                Text(f"{path}.vocabulary_en.{vocabulary}", model, "name", name, mapping.get(name))
            )

    def organisation(self, org, path):
        self.text(org, "name", path, "contacts.Organisation")
        if isinstance(org.get("parent"), dict):
            self.organisation(org["parent"], f"{path}.parent")

    def attachments(self, owner, path):
        for i, attachment in enumerate(owner.get("attachments", [])):
            self.text(attachment, "title", f"{path}.attachments[{i}]", "attachments.Attachment")

    # --- planwerk.plan/1 -----------------------------------------------------------------------

    def plan_document(self, document):
        for key, org in document.get("organisations", {}).items():
            self.organisation(org, f"organisations.{key}")
        plan = document["plan"]
        self.consumed |= {(id(plan), "english_note"), (id(plan), "vocabulary_en")}
        for key in ("title", "subtitle", "funding_note", "introduction"):
            self.text(plan, key, "plan", "actionplan.Plan")
        for i, programme in enumerate(plan.get("funding_programmes", [])):
            self.text(
                programme, "name", f"plan.funding_programmes[{i}]", "funding.FundingProgramme"
            )
        self.attachments(plan, "plan")
        groups, categories, sources = [], [], []
        for f, field in enumerate(plan.get("fields", [])):
            fpath = f"plan.fields[{f}]"
            self.text(field, "title", fpath, "actionplan.FieldOfAction")
            self.text(field, "target_state", fpath, "actionplan.FieldOfAction")
            self.text(
                field.get("lead") or {},
                "note",
                f"{fpath}.lead",
                "actionplan.FieldOfAction",
                "lead_note",
            )
            for b, finding in enumerate(field.get("baseline", [])):
                self.text(finding, "text", f"{fpath}.baseline[{b}]", "actionplan.BaselineFinding")
            self.attachments(field, fpath)
            for m, measure in enumerate(field.get("measures", [])):
                mpath = f"{fpath}.measures[{m}]"
                self.text(measure, "title", mpath, "actionplan.Measure")
                self.text(measure, "description", mpath, "actionplan.Measure")
                for s, step in enumerate(measure.get("steps", [])):
                    spath = f"{mpath}.steps[{s}]"
                    self.shorthand(step, "text", spath, "actionplan.Step", "text")
                    substeps = step.get("substeps", []) if isinstance(step, dict) else []
                    for u, substep in enumerate(substeps):
                        self.shorthand(
                            substep, "text", f"{spath}.substeps[{u}]", "actionplan.Step", "text"
                        )
                for s, entry in enumerate(measure.get("schedule", [])):
                    self.shorthand(
                        entry,
                        "label",
                        f"{mpath}.schedule[{s}]",
                        "actionplan.ScheduleEntry",
                        "label",
                    )
                for r, line in enumerate(measure.get("responsibilities", [])):
                    self.text(
                        line, "note", f"{mpath}.responsibilities[{r}]", "actionplan.Responsibility"
                    )
                for b, line in enumerate(measure.get("budget", [])):
                    self.text(line, "note", f"{mpath}.budget[{b}]", "actionplan.BudgetLine")
                    categories.append(line["category"])
                    if line.get("funding_source"):
                        sources.append(line["funding_source"])
                groups += measure.get("target_groups", [])
                self.attachments(measure, mpath)
        for i, indicator in enumerate(plan.get("indicators", [])):
            for key in ("name", "description", "unit"):
                self.text(indicator, key, f"plan.indicators[{i}]", "indicators.Indicator")
        self.vocabulary(
            dict.fromkeys(groups), plan, "target_groups", "plan", "actionplan.TargetGroup"
        )
        self.vocabulary(
            dict.fromkeys(categories),
            plan,
            "budget_categories",
            "plan",
            "actionplan.BudgetCategory",
        )
        self.vocabulary(
            dict.fromkeys(sources), plan, "funding_sources", "plan", "actionplan.FundingSource"
        )

    # --- campaigns -----------------------------------------------------------------------------

    def campaign_document(self, document):
        for c, campaign in enumerate(document["campaigns"]):
            cpath = f"campaigns[{c}]"
            self.consumed |= {(id(campaign), "english_note"), (id(campaign), "vocabulary_en")}
            for key in ("title", "motto", "slogan", "summary", "description", "goals"):
                self.text(campaign, key, cpath, "campaigns.Campaign")
            for i, link in enumerate(campaign.get("links", [])):
                self.text(link, "label", f"{cpath}.links[{i}]", "campaigns.CampaignLink")
            for i, channel in enumerate(campaign.get("channels", [])):
                for key in ("name", "description", "reach_label"):
                    self.text(channel, key, f"{cpath}.channels[{i}]", "campaigns.Channel")
            for i, event in enumerate(campaign.get("events", [])):
                epath = f"{cpath}.events[{i}]"
                for key in ("title", "description", "topics", "methods", "results"):
                    self.text(event, key, epath, "campaigns.CampaignEvent")
                for p, participant in enumerate(event.get("participants", [])):
                    if participant.get("organisation"):
                        self.organisation(
                            participant["organisation"], f"{epath}.participants[{p}].organisation"
                        )
            for i, figure in enumerate(campaign.get("key_figures", [])):
                for key in ("name", "note"):
                    self.text(figure, key, f"{cpath}.key_figures[{i}]", "campaigns.KeyFigure")
            if campaign.get("organiser"):
                self.organisation(campaign["organiser"], f"{cpath}.organiser")
            for i, partner in enumerate(campaign.get("partners", [])):
                self.organisation(partner["organisation"], f"{cpath}.partners[{i}].organisation")
            for i, contact in enumerate(campaign.get("contacts", [])):
                org = contact["person"].get("organisation")
                if org:
                    self.organisation(org, f"{cpath}.contacts[{i}].person.organisation")
            markets = [market["name"] for market in campaign.get("markets", [])]
            self.vocabulary(markets, campaign, "markets", cpath, "campaigns.Market")
            groups = campaign.get("target_groups", [])
            self.vocabulary(groups, campaign, "target_groups", cpath, "actionplan.TargetGroup")


def load(path):
    return json.loads(path.read_text(encoding="utf-8"))


def walked(path) -> Walker:
    walker = Walker()
    if path == LEIPZIG:
        walker.plan_document(load(path))
    else:
        walker.campaign_document(load(path))
    return walker


def english_keys(value, path="document"):
    """Every key of an English version in a document: (object, key, path)."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key.endswith(registry.SUFFIX) or key in ENGLISH_ONLY_KEYS:
                yield value, key, f"{path}.{key}"
            else:
                yield from english_keys(item, f"{path}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from english_keys(item, f"{path}[{i}]")


def german_only(value, container=None):
    """The document without its English: ``*_en``, english_note and the vocabulary maps
    removed, shorthand objects turned back into strings."""
    if isinstance(value, dict):
        value = {
            key: german_only(item, key)
            for key, item in value.items()
            if not key.endswith(registry.SUFFIX) and key not in ENGLISH_ONLY_KEYS
        }
        if container in ("steps", "substeps") and list(value) == ["text"]:
            return value["text"]
        if container == "schedule" and list(value) == ["label"]:
            return value["label"]
        return value
    if isinstance(value, list):
        return [german_only(item, container) for item in value]
    return value


def fingerprint(document) -> str:
    canonical = json.dumps(document, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


DOCUMENTS = [pytest.param(LEIPZIG, id="leipzig"), pytest.param(CAMPAIGNS, id="campaigns")]


def test_the_mapping_names_registered_fields_and_covers_the_registry():
    seen = {(t.model, t.field) for path in (LEIPZIG, CAMPAIGNS) for t in walked(path).texts}
    registered = {(label, field) for label, fields in registry.FIELDS.items() for field in fields}
    assert seen <= registered, seen - registered
    assert seen | NOT_IN_DEMO == registered, registered - seen - NOT_IN_DEMO


@pytest.mark.parametrize("path", DOCUMENTS)
def test_every_german_text_has_its_english_sibling(path):
    missing = []
    for text in walked(path).texts:
        if text.model == "contacts.Organisation" and text.german in PROPER_NAMES:
            assert text.english is None, f"{text.path}: proper name, no name_en"
            continue
        if isinstance(text.german, list):
            ok = isinstance(text.english, list) and len(text.english) == len(text.german)
        else:
            ok = isinstance(text.english, str)
        if not ok:
            missing.append(f"{text.path}: {text.german!r}")
    assert not missing, "\n".join(missing)


@pytest.mark.parametrize("path", DOCUMENTS)
def test_english_texts_are_real_translations(path):
    problems = []
    for text in walked(path).texts:
        if text.english is None:
            continue
        if isinstance(text.german, list):
            if not isinstance(text.english, list) or len(text.english) != len(text.german):
                problems.append(f"{text.path}: not a list of {len(text.german)} texts")
                continue
            pairs = list(zip(text.german, text.english, strict=True))
        else:
            pairs = [(text.german, text.english)]
        for german, english in pairs:
            if not isinstance(english, str) or not english.strip():
                problems.append(f"{text.path}: empty")
            elif re.fullmatch(r"(?i)\s*(todo|tbd|fixme|xxx|\?+)\s*", english) or "TODO" in english:
                problems.append(f"{text.path}: placeholder {english!r}")
            elif english == german and german not in SAME_IN_ENGLISH:
                problems.append(f"{text.path}: same as the German {german!r}")
            elif re.search("[„‚]", english):
                problems.append(f"{text.path}: German quotation marks in {english!r}")
            elif "EFRE" in english:
                problems.append(f"{text.path}: EFRE is the ERDF in English")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", DOCUMENTS)
def test_no_english_key_outside_the_convention(path):
    """Every ``*_en`` key is a sibling the convention knows (no typo like ``titel_en``), and a
    vocabulary map names only vocabulary the document uses."""
    document = load(path)
    walker = Walker()
    if path == LEIPZIG:
        walker.plan_document(document)
    else:
        walker.campaign_document(document)
    stray = [
        where for obj, key, where in english_keys(document) if (id(obj), key) not in walker.consumed
    ]
    assert not stray, stray
    if path == LEIPZIG:
        owners = {"plan": document["plan"]}
    else:
        owners = {f"campaigns[{i}]": c for i, c in enumerate(document["campaigns"])}
    used = {(t.path, t.german) for t in walker.texts if ".vocabulary_en." in t.path}
    for where, owner in owners.items():
        for vocabulary, mapping in owner.get("vocabulary_en", {}).items():
            place = f"{where}.vocabulary_en.{vocabulary}"
            for name in mapping:
                assert (place, name) in used, f"{place}: {name!r} is not used"


def test_plan_and_every_campaign_say_they_are_a_translation():
    notes = [load(LEIPZIG)["plan"].get("english_note", "")]
    notes += [campaign.get("english_note", "") for campaign in load(CAMPAIGNS)["campaigns"]]
    assert len(notes) == 5
    for note in notes:
        assert "translation" in note and "German" in note and "authoritative" in note, note
        assert "Planwerk" in note, note


@pytest.mark.parametrize("path", DOCUMENTS)
def test_german_values_are_unchanged(path):
    """Without its English the document is exactly the German one it was."""
    assert fingerprint(german_only(load(path))) == GERMAN_SHA256[path.name]


@pytest.mark.parametrize("path", DOCUMENTS)
def test_german_values_equal_the_previous_version_in_git(path):
    """The same, compared with git's version before the translation (clearer in a failure)."""
    shown = subprocess.run(
        ["git", "show", f"{GERMAN_COMMIT}:fixtures/{path.name}"],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )
    if shown.returncode != 0:
        pytest.skip(
            f"git history without {GERMAN_COMMIT} (shallow clone?); the fingerprint test covers it"
        )
    previous = json.loads(shown.stdout)
    assert fingerprint(previous) == GERMAN_SHA256[path.name]
    assert german_only(load(path)) == previous


def test_german_only_turns_shorthand_objects_back_and_keeps_real_objects():
    document = {
        "steps": [
            {"text": "A", "text_en": "a"},
            {"text": "B", "text_en": "b", "substeps": [{"text": "C", "text_en": "c"}, "D"]},
        ],
        "schedule": [
            {"label": "II. Quartal 2011", "label_en": "Q2 2011"},
            {"label": "x", "approximate": True},
        ],
        "title": "T",
        "title_en": "t",
        "english_note": "n",
        "vocabulary_en": {"target_groups": {}},
    }
    assert german_only(document) == {
        "steps": ["A", {"text": "B", "substeps": ["C", "D"]}],
        "schedule": ["II. Quartal 2011", {"label": "x", "approximate": True}],
        "title": "T",
    }


def test_a_missing_english_sibling_is_found():
    """The walker reports a text without English (the check above can fail)."""
    document = load(LEIPZIG)
    measure = document["plan"]["fields"][0]["measures"][0]
    del measure["title_en"]
    measure["schedule"][0] = measure["schedule"][0]["label"]
    walker = Walker()
    walker.plan_document(document)
    missing = {
        t.path for t in walker.texts if t.english is None and t.model != "contacts.Organisation"
    }
    assert missing == {"plan.fields[0].measures[0].title", "plan.fields[0].measures[0].schedule[0]"}
