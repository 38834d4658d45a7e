"""A plan and a campaign with every translated text that a public page or a document shows,
each German text ``Deutsch…`` and its English version ``English…`` unique, for the page,
document and feed tests of issue 21 (test_pages.py, test_documents.py)."""

from dataclasses import dataclass, field

from actionplan import models as ap
from campaigns import models as cp
from funding.models import FundingProgramme
from indicators.models import Indicator, IndicatorLink
from tests.campaigns.factories import (
    CampaignEventFactory,
    CampaignFactory,
    CampaignLinkFactory,
    ChannelFactory,
    KeyFigureFactory,
    MarketFactory,
)
from tests.factories import (
    BaselineFindingFactory,
    BudgetCategoryFactory,
    BudgetLineFactory,
    FieldOfActionFactory,
    FundingSourceFactory,
    MeasureFactory,
    OrganisationFactory,
    PlanFactory,
    ResponsibilityFactory,
    ScheduleEntryFactory,
    StepFactory,
    TargetGroupFactory,
)
from translations import registry


def german(key: str, name: str) -> str:
    return f"Deutsch{key.title()}{name.title().replace('_', '')}"


def english(key: str, name: str) -> str:
    return f"English{key.title()}{name.title().replace('_', '')}"


@dataclass
class World:
    objects: dict = field(default_factory=dict)  # key -> instance

    def texts(self):
        """(key, instance, field) of every translated text of the world."""
        for key, obj in self.objects.items():
            for name in registry.fields_of(obj):
                if getattr(obj, name):
                    yield key, obj, name

    def set_english(self, filled: bool):
        """Every English text filled in (``English…``) or emptied, saved as an editor would."""
        for key, obj in self.objects.items():
            for name in registry.fields_of(obj):
                if getattr(obj, name):
                    setattr(obj, registry.english(name), english(key, name) if filled else "")
            # an update, not save(): saving a measure would also stamp its status report
            values = {
                registry.english(name): getattr(obj, registry.english(name))
                for name in registry.fields_of(obj)
            }
            type(obj).objects.filter(pk=obj.pk).update(**values)


def _texts(key: str, *names: str) -> dict:
    return {name: german(key, name) for name in names}


def build_world() -> World:
    """German texts only; ``World.set_english(True)`` adds the English ones."""
    w = World()
    org = OrganisationFactory(**_texts("organisation", "name"))
    plan = PlanFactory(
        slug="zweisprachig",
        **_texts("plan", "title", "subtitle", "introduction", "funding_note"),
    )
    fld = FieldOfActionFactory(
        plan=plan,
        position=1,
        slug="handlungsfeld",
        lead_organisation=org,
        **_texts("field", "title", "target_state", "lead_note"),
    )
    finding = BaselineFindingFactory(field=fld, **_texts("finding", "text"))
    measure = MeasureFactory(
        field=fld,
        position=1,
        code="A",
        slug="massnahme",
        **_texts("measure", "title", "description"),
    )
    step = StepFactory(measure=measure, position=1, **_texts("step", "text"))
    substep = StepFactory(measure=measure, parent=step, position=1, **_texts("substep", "text"))
    # a label with a date and words: the dates are shown in the reader's language, the words
    # are the German text
    entry = ScheduleEntryFactory(
        measure=measure, position=1, label=f"März 2011: {german('schedule', 'label')}"
    )
    group = TargetGroupFactory(**_texts("group", "name"))
    measure.target_groups.add(group)
    responsibility = ResponsibilityFactory(
        measure=measure, organisation=org, role="lead", **_texts("responsibility", "note")
    )
    category = BudgetCategoryFactory(**_texts("category", "name"))
    source = FundingSourceFactory(**_texts("source", "name"))
    programme = FundingProgramme.objects.create(key="programm", **_texts("programme", "name"))
    line = BudgetLineFactory(
        measure=measure,
        category=category,
        funding_source=source,
        programme=programme,
        planned_amount=1000,
        **_texts("line", "note"),
    )
    indicator = Indicator.objects.create(
        plan=plan, slug="indikator", **_texts("indicator", "name", "description", "unit")
    )
    IndicatorLink.objects.create(indicator=indicator, field=fld, measure=measure)

    campaign = CampaignFactory(
        slug="kampagne",
        organiser=org,
        **_texts("campaign", "title", "motto", "slogan", "summary", "description", "goals"),
    )
    campaign.related_measures.add(measure)
    link = CampaignLinkFactory(campaign=campaign, **_texts("link", "label"))
    channel = ChannelFactory(
        campaign=campaign, reach=500, **_texts("channel", "name", "description", "reach_label")
    )
    event = CampaignEventFactory(
        campaign=campaign,
        **_texts("event", "title", "description", "topics", "methods", "results"),
    )
    figure = KeyFigureFactory(campaign=campaign, **_texts("figure", "name", "note"))
    market = MarketFactory(**_texts("market", "name"))
    campaign.markets.add(market)
    campaign.target_groups.add(group)

    w.objects = {
        "organisation": org,
        "plan": plan,
        "field": fld,
        "finding": finding,
        "measure": measure,
        "step": step,
        "substep": substep,
        "schedule": entry,
        "group": group,
        "responsibility": responsibility,
        "category": category,
        "source": source,
        "programme": programme,
        "line": line,
        "indicator": indicator,
        "campaign": campaign,
        "link": link,
        "channel": channel,
        "event": event,
        "figure": figure,
        "market": market,
    }
    w.plan, w.field, w.measure, w.campaign, w.indicator, w.org = (
        plan,
        fld,
        measure,
        campaign,
        indicator,
        org,
    )
    return w


#: The pages each text is shown on (besides others), by (key, field).
PAGES = {
    "plan": ["plan"],
    "field": ["field"],
    "measure": ["measure"],
    "campaign": ["campaign"],
    "indicator": ["indicator"],
    "organisation": ["organisation"],
}

#: Names: shown in English where they have an English form, else as written (no note).
NAMES = {("organisation", "name"), ("programme", "name")}

#: The page of each object's texts.
PAGE_OF = {
    "organisation": "organisation",
    "plan": "plan",
    "field": "field",
    "finding": "field",
    "measure": "measure",
    "step": "measure",
    "substep": "measure",
    "schedule": "measure",
    "group": "measure",
    "responsibility": "measure",
    "category": "measure",
    "source": "measure",
    "programme": "measure",
    "line": "measure",
    "indicator": "indicator",
    "campaign": "campaign",
    "link": "campaign",
    "channel": "campaign",
    "event": "campaign",
    "figure": "campaign",
    "market": "campaign",
}


def urls(w: World) -> dict[str, str]:
    return {
        "plan": w.plan.get_absolute_url(),
        "field": w.field.get_absolute_url(),
        "measure": w.measure.get_absolute_url(),
        "indicator": w.indicator.get_absolute_url(),
        "campaign": w.campaign.get_absolute_url(),
        "organisation": w.org.get_absolute_url(),
    }


__all__ = ["ap", "cp", "World", "build_world", "german", "english", "urls", "PAGE_OF", "NAMES"]
