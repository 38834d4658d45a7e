"""The campaign brief: one campaign on one or two pages.

What it prints (public plan measures only, contacts as ``contacts.Person`` allows) and how the
template gets it; ``documents.kinds`` registers it as the kind ``campaign``. Rendered, cached
and served like the plan documents (``documents.services``), always inline: a brief is small.
"""

import functools
import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Max, Prefetch
from django.template.loader import render_to_string
from django.utils import timezone, translation

from access import rules
from actionplan.models import Measure, Plan, TargetGroup
from campaigns.charts import key_figure_groups
from campaigns.models import (
    Campaign,
    CampaignContact,
    CampaignEvent,
    CampaignPartner,
    Market,
)
from campaigns.views import partner_groups
from indicators.selectors import measures_indicator_cards

from . import plans, rendering

# --- data -----------------------------------------------------------------------------------


def public_measures():
    """Served measures the brief names: public ones only, whoever downloads it (the brief is
    one cached document per campaign state, not one per reader)."""
    return (
        rules.visible_measures(None, Measure.objects.all())
        .select_related("field__plan")
        .order_by("field__plan__title", "field__position", "position")
    )


def load_campaign(campaign_pk: int) -> Campaign:
    """The campaign with everything the brief shows, in a fixed number of queries."""
    return (
        Campaign.objects.select_related("organiser__parent")
        .prefetch_related(
            Prefetch(
                "partner_links",
                queryset=CampaignPartner.objects.select_related("organisation__parent").order_by(
                    "position", "pk"
                ),
            ),
            Prefetch(
                "contact_links",
                queryset=CampaignContact.objects.select_related(
                    "person__organisation__parent"
                ).order_by("position", "pk"),
            ),
            "links",
            "channels",
            Prefetch("events", queryset=CampaignEvent.objects.order_by("position", "pk")),
            "key_figures",
            Prefetch("markets", queryset=Market.objects.order_by("position", "name")),
            Prefetch("target_groups", queryset=TargetGroup.objects.order_by("position", "name")),
            Prefetch("related_measures", queryset=public_measures(), to_attr="public_measures"),
        )
        .get(pk=campaign_pk)
    )


@dataclass
class ContactLine:
    """A campaign contact as the brief prints it: name, phone and e-mail only with consent
    (``Person.public_name``/``public_phone``/``public_email`` fall back to the organisation)."""

    role: str
    name: str
    organisation: str
    phone: str
    email: str
    fax: str


def contact_lines(links) -> list[ContactLine]:
    lines = []
    for link in links:
        person = link.person
        org = person.organisation
        lines.append(
            ContactLine(
                role=link.role,
                name=person.public_name,
                organisation=org.display_name if org is not None else "",
                phone=person.public_phone(),
                email=person.public_email(),
                fax=link.fax if person.is_public else "",
            )
        )
    return lines


def measures_stamp(campaign) -> object:
    """Newest change of the plans whose measures the campaign serves: a measure published or
    withdrawn there changes the brief's list of measures."""
    return Plan.objects.filter(fields__measures__campaigns=campaign).aggregate(
        stamp=Max("content_changed_at")
    )["stamp"]


def campaign_context(request) -> dict:
    campaign = load_campaign(request.campaign.pk)
    figures = list(campaign.key_figures.all())
    channels = list(campaign.channels.all())
    stamp = campaign.content_changed_at or campaign.updated_at or timezone.now()
    data_date = timezone.localtime(stamp).date()
    return {
        # campaigns are written in the site's language
        **plans.language_context(settings.LANGUAGE_CODE, request.language),
        "campaign": campaign,
        "doc_title": str(campaign),
        "author": campaign.organiser.display_name if campaign.organiser_id else campaign.region,
        "draft": request.draft,
        "lang": request.language,
        "data_date": data_date,
        "data_state": plans.data_state_text(data_date),
        "created": campaign.created_at,
        "modified": stamp,
        "channels": channels,
        "channels_reach_known": any(c.reach is not None or c.reach_label for c in channels),
        "events": list(campaign.events.all()),
        "key_figures": figures,
        "key_figure_layout": key_figure_groups(figures),
        "partners": partner_groups(campaign.partner_links.all()),
        "contacts": contact_lines(campaign.contact_links.all()),
        "measures": campaign.public_measures,
        "indicator_cards": measures_indicator_cards(campaign.public_measures, timezone.localdate()),
    }


def measure_count(request) -> int:
    """A brief is always small enough to render inline."""
    return 0


# --- request --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CampaignDocumentRequest:
    """The brief of one campaign; a draft campaign's (for its members) is marked as a draft."""

    campaign: Campaign
    draft: bool = False
    language: str = "de"
    variant: str = rendering.DEFAULT_VARIANT
    measures_stamp: object = None

    @classmethod
    def build(cls, campaign, *, language=None, variant=rendering.DEFAULT_VARIANT):
        rendering.check_variant(variant)
        language = plans.reader_language(language)
        return cls(campaign, not campaign.is_public, language, variant, measures_stamp(campaign))

    kind = "campaign"
    field = None
    measure = None
    progress = False

    @property
    def target(self):
        return self.campaign

    @functools.cached_property
    def erasure_stamp(self) -> str:
        """``services.erasure_stamp()`` once per request object (it is a query)."""
        from .services import erasure_stamp

        return erasure_stamp()

    @property
    def cache_key(self) -> str:
        from .services import layout_fingerprint

        stamps = (self.campaign.content_changed_at or self.campaign.updated_at, self.measures_stamp)
        raw = ":".join(
            [
                self.erasure_stamp,
                "campaign",
                str(self.campaign.pk),
                *(stamp.isoformat() if stamp else "-" for stamp in stamps),
                self.language,
                "draft" if self.draft else "final",
                self.variant or "plain",
                layout_fingerprint(),
            ]
        )
        return "planwerk:pdf:" + hashlib.sha256(raw.encode()).hexdigest()

    @property
    def filename(self) -> str:
        return f"{self.campaign.slug}{'-entwurf' if self.draft else ''}.pdf"

    def measure_count(self) -> int:
        return measure_count(self)

    def html(self) -> str:
        from . import kinds

        kind = kinds.get(self.kind)
        with translation.override(self.language):
            return render_to_string(kind.template, kind.context(self))

    def render(self, *, url_fetcher=None) -> bytes:
        return rendering.write_pdf(self.html(), variant=self.variant, url_fetcher=url_fetcher)
