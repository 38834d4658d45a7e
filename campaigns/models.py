import datetime

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from access import rules
from actionplan.models import Measure, TargetGroup, Vocabulary
from actionplan.schedule import Precision, parse_schedule
from config.numbers import LocalizedDecimalField
from contacts.models import Organisation, Person
from translations.models import Translatable, english_char, english_note_field, english_text

from .countries import country_name

NOT_NEGATIVE_BUDGET = _("The budget must not be negative.")
NOT_NEGATIVE_REACH = _("The reach must not be negative.")
NOT_NEGATIVE_PARTICIPANTS = _("The number of participants must not be negative.")
END_AFTER_START = _("The end must not lie before the start.")
NOT_NEGATIVE_FIGURE = _("A key figure must not be negative.")
DURATION_IS_NO_REACH = _(
    "A duration is not a reach: give it as the channel's period (e.g. “vier Wochen”) and "
    "leave the reach empty."
)

# Units of time: a figure in one of these is a duration, never how many people a channel reached.
DURATION_UNITS = frozenset(
    "tag tage tagen woche wochen monat monate monaten jahr jahre jahren stunde stunden "
    "day days week weeks month months year years hour hours".split()
)


def is_duration_unit(unit: str) -> bool:
    return " ".join((unit or "").split()).casefold() in DURATION_UNITS


LANGUAGE_LIST_VALIDATOR = RegexValidator(
    r"^[a-z]{2,3}(, ?[a-z]{2,3})*$",
    _("Enter language codes separated by commas, e.g. “de, en”."),
)


def _start_before_end(prefix: str):
    return models.CheckConstraint(
        condition=Q(start_date__isnull=True)
        | Q(end_date__isnull=True)
        | Q(start_date__lte=F("end_date")),
        name=f"{prefix}_start_before_end",
        violation_error_message=END_AFTER_START,
    )


def _codes(value: str) -> list[str]:
    return [code.strip() for code in value.split(",") if code.strip()]


def _lines(value: str) -> list[str]:
    return [line.strip() for line in value.splitlines() if line.strip()]


class LabelledDates:
    """Remembers the date label as loaded, so an edited label can replace the dates it gave."""

    @classmethod
    def from_db(cls, db, field_names, values):
        obj = super().from_db(db, field_names, values)
        obj._loaded_labels = {
            name: getattr(obj, name)
            for name in ("period_label", "date_label")
            if name in field_names
        }
        return obj


def _fill_dates(obj, label_attr: str, start_attr: str, end_attr: str) -> None:
    """Fill empty dates (and the precision) from a fuzzy label such as “2017 bis 2019”.

    Dates an editor typed stay; dates the old label gave follow an edited label.
    """
    label = getattr(obj, label_attr)
    loaded = getattr(obj, "_loaded_labels", {}).get(label_attr)
    if loaded is not None and loaded != label:
        old = parse_schedule(loaded)
        old_dates = (old.start, old.end) if end_attr else (old.start or old.end, None)
        current = (getattr(obj, start_attr), getattr(obj, end_attr) if end_attr else None)
        if old.is_dated and current == old_dates:
            setattr(obj, start_attr, None)
            if end_attr:
                setattr(obj, end_attr, None)
    if loaded is not None:
        obj._loaded_labels[label_attr] = label
    if not label or getattr(obj, start_attr) or (end_attr and getattr(obj, end_attr)):
        return
    parsed = parse_schedule(label)
    if not parsed.is_dated:
        return
    if end_attr:
        setattr(obj, start_attr, parsed.start)
        setattr(obj, end_attr, parsed.end)
    else:  # a single date: the start, or the deadline when the label names only an end
        setattr(obj, start_attr, parsed.start or parsed.end)
    obj.date_precision = parsed.start_precision or parsed.end_precision or Precision.DAY


def derive_lifecycle(start: datetime.date | None, end: datetime.date | None, today) -> str:
    """planned before the start, completed after the end, running in between; "" if undated."""
    if start is None and end is None:
        return ""
    if start is not None and today < start:
        return "planned"
    if end is not None and today > end:
        return "completed"
    if start is None:
        return ""  # only a deadline: it may not have begun yet
    return "running"


class Market(Vocabulary):
    """A target market: a country or a region the campaign addresses."""

    iso_code = models.CharField(
        _("ISO code"),
        max_length=2,
        blank=True,
        validators=[
            RegexValidator(r"^[A-Z]{2}$", _("Enter a two-letter ISO 3166 code such as “CN”."))
        ],
        help_text=_("ISO 3166-1 alpha-2 code for countries, e.g. “CN”; blank for regions"),
    )

    history = HistoricalRecords()

    class Meta(Vocabulary.Meta):
        verbose_name = _("target market")
        verbose_name_plural = _("target markets")
        constraints = [
            models.UniqueConstraint(
                fields=["iso_code"],
                condition=~Q(iso_code=""),
                name="campaigns_market_unique_iso_code",
                violation_error_message=_("Another market already has this ISO code."),
            ),
            models.CheckConstraint(
                condition=Q(iso_code="") | Q(iso_code__regex=r"^[A-Z]{2}$"),
                name="campaigns_market_iso_code_format",
                violation_error_message=_("Enter a two-letter ISO 3166 code such as “CN”."),
            ),
        ]

    @property
    def display_name(self) -> str:
        """The country's name in the current UI language; the stored name for regions."""
        return country_name(self.iso_code) or self.name


class CampaignQuerySet(models.QuerySet):
    def published(self):
        """Campaigns anonymous visitors may see."""
        return rules.visible_campaigns(None, self)

    def visible_to(self, user):
        """Campaigns this user may see (access.rules decides)."""
        return rules.visible_campaigns(user, self)

    def for_admin_list(self):
        """Changelist rows with their organiser and child counts in a constant number of queries."""
        return self.select_related("organiser").annotate(
            channel_count=models.Count("channels", distinct=True),
            event_count=models.Count("events", distinct=True),
        )


class Campaign(LabelledDates, Translatable):
    class Kind(models.TextChoices):
        CAMPAIGN = "campaign", _("campaign")
        NETWORK = "network", _("network")
        PROGRAMME = "programme", _("programme")
        OTHER = "other", _("other")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        PUBLISHED = "published", _("published")
        ARCHIVED = "archived", _("archived")

    class Lifecycle(models.TextChoices):
        PLANNED = "planned", _("planned")
        RUNNING = "running", _("running")
        COMPLETED = "completed", _("completed")

    title = models.CharField(_("title"), max_length=255)
    title_en = english_char(_("title (English)"), max_length=255)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind, default=Kind.CAMPAIGN)
    motto = models.CharField(
        _("motto"),
        max_length=255,
        blank=True,
        help_text=_("the campaign's motto, e.g. “Stadt der Städte” (“City of Cities”)"),
    )
    motto_en = english_char(_("motto (English)"), max_length=255)
    slogan = models.CharField(
        _("claim"),
        max_length=255,
        blank=True,
        help_text=_("as published, e.g. “5 Millionen Menschen, 53 Städte, 1 Metropole”"),
    )
    slogan_en = english_char(_("claim (English)"), max_length=255)
    region = models.CharField(_("city/region"), max_length=150)
    organiser = models.ForeignKey(
        Organisation,
        verbose_name=_("organiser"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organised_campaigns",
    )
    status = models.CharField(
        _("publication status"), max_length=20, choices=Status, default=Status.DRAFT
    )
    lifecycle_override = models.CharField(
        _("lifecycle status"),
        max_length=20,
        choices=Lifecycle,
        blank=True,
        help_text=_("leave empty to derive planned/running/completed from the period"),
    )
    languages = models.CharField(
        _("languages"),
        max_length=50,
        blank=True,
        validators=[LANGUAGE_LIST_VALIDATOR],
        help_text=_("languages the campaign speaks, ISO 639-1 codes, e.g. “de, en, zh”"),
    )
    summary = models.TextField(_("summary"), blank=True)
    summary_en = english_text(_("summary (English)"))
    description = models.TextField(_("description"), blank=True)
    description_en = english_text(_("description (English)"))
    english_note = english_note_field()
    goals = models.TextField(_("goals"), blank=True)
    goals_en = english_text(_("goals (English)"))
    period_label = models.CharField(
        _("period label"),
        max_length=150,
        blank=True,
        help_text=_("exactly as written, e.g. “2017 bis 2019”"),
    )
    start_date = models.DateField(_("start"), null=True, blank=True)
    end_date = models.DateField(_("end"), null=True, blank=True)
    date_precision = models.CharField(
        _("date precision"),
        max_length=10,
        choices=Precision,
        default=Precision.DAY,
        help_text=_("“year” when the source only names years, e.g. “2017 bis 2019”"),
    )
    budget_amount = LocalizedDecimalField(
        _("budget"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0, message=NOT_NEGATIVE_BUDGET)],
    )
    budget_currency = models.CharField(
        _("currency"),
        max_length=3,
        default="EUR",
        validators=[RegexValidator(r"^[A-Z]{3}$", _("Enter an ISO 4217 code such as “EUR”."))],
    )
    budget_note = models.TextField(
        _("budget source"),
        blank=True,
        help_text=_(
            "as written, e.g. “Die Verbandsversammlung des RVR hat dafür zehn Millionen "
            "Euro bewilligt.”"
        ),
    )
    funding_note = models.TextField(
        _("funding note"),
        blank=True,
        help_text=_("e.g. “gefördert durch das Landesprogramm Sachsen-Anhalt REGIO”"),
    )
    source = models.TextField(
        _("source"), blank=True, help_text=_("where the information comes from")
    )
    target_groups = models.ManyToManyField(
        TargetGroup, verbose_name=_("target groups"), related_name="campaigns", blank=True
    )
    markets = models.ManyToManyField(
        Market, verbose_name=_("target markets"), related_name="campaigns", blank=True
    )
    partners = models.ManyToManyField(
        Organisation,
        verbose_name=_("partners"),
        through="CampaignPartner",
        related_name="partner_in_campaigns",
        blank=True,
    )
    contacts = models.ManyToManyField(
        Person,
        verbose_name=_("contact persons"),
        through="CampaignContact",
        related_name="contact_for_campaigns",
        blank=True,
    )
    related_measures = models.ManyToManyField(
        Measure,
        verbose_name=_("related measures"),
        related_name="campaigns",
        blank=True,
        help_text=_("measures of action plans this campaign contributes to"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)
    # Moved by campaigns/signals.py on every change of what the public page shows.
    content_changed_at = models.DateTimeField(
        _("content changed"), null=True, blank=True, editable=False
    )
    version = models.PositiveIntegerField(_("version"), default=0, editable=False)

    history = HistoricalRecords(
        m2m_fields=[target_groups, markets, related_measures],
        excluded_fields=["content_changed_at"],
    )
    objects = CampaignQuerySet.as_manager()

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(budget_amount__isnull=True) | Q(budget_amount__gte=0),
                name="campaigns_campaign_budget_not_negative",
                violation_error_message=NOT_NEGATIVE_BUDGET,
            ),
            _start_before_end("campaigns_campaign"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.fill_period_from_label()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("campaigns:campaign_detail", kwargs={"slug": self.slug})

    @property
    def has_calendar(self) -> bool:
        """Whether its iCalendar feed has entries: dated events (uses prefetched events)."""
        return any(event.date for event in self.events.all())

    def fill_period_from_label(self) -> None:
        """Dates still empty are taken from the label by the plan's schedule parser."""
        _fill_dates(self, "period_label", "start_date", "end_date")

    @property
    def lifecycle(self) -> str:
        """The override if set, else planned/running/completed from the period and today."""
        if self.lifecycle_override:
            return self.lifecycle_override
        return derive_lifecycle(self.start_date, self.end_date, timezone.localdate())

    def get_lifecycle_display(self) -> str:
        return self.Lifecycle(self.lifecycle).label if self.lifecycle else ""

    @property
    def language_list(self) -> list[str]:
        return _codes(self.languages)

    @property
    def is_public(self) -> bool:
        return self.status == self.Status.PUBLISHED


class CampaignPartner(models.Model):
    class Role(models.TextChoices):
        ORGANISER = "organiser", _("organiser")
        COMMISSIONING = "commissioning", _("commissioning body")
        AGENCY = "agency", _("agency")
        MANUFACTORY = "manufactory", _("participating manufactory")
        PARTNER = "partner", _("partner")
        FUNDER = "funder", _("funder")
        SPONSOR = "sponsor", _("sponsor")
        MULTIPLIER = "multiplier", _("multiplier")
        JURY = "jury", _("jury")

    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campaign"),
        on_delete=models.CASCADE,
        related_name="partner_links",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="campaign_partnerships",
    )
    role = models.CharField(_("role"), max_length=20, choices=Role, default=Role.PARTNER)
    note = models.CharField(
        _("note"),
        max_length=500,
        blank=True,
        help_text=_("e.g. “Bietergemeinschaft, von einer 20-köpfigen Fachjury ausgewählt”"),
    )
    position = models.PositiveIntegerField(_("position"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("campaign partner")
        verbose_name_plural = _("partners and agencies")
        ordering = ["campaign", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "organisation", "role"],
                name="campaigns_partner_unique_role",
                violation_error_message=_(
                    "This organisation already has this role in the campaign."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.organisation} ({self.get_role_display()})"


class CampaignLink(Translatable):
    """A labelled web address of a campaign (website, language version, social media page)."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="links"
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    label = models.CharField(_("label"), max_length=255, help_text=_("e.g. “Website”"))
    label_en = english_char(_("label (English)"), max_length=255)
    url = models.URLField(_("web address"))
    languages = models.CharField(
        _("languages"), max_length=50, blank=True, validators=[LANGUAGE_LIST_VALIDATOR]
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("web address")
        verbose_name_plural = _("web addresses")
        ordering = ["campaign", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "url"],
                name="campaigns_link_unique_url",
                violation_error_message=_("This web address is already listed."),
            ),
        ]

    def __str__(self):
        return f"{self.label}: {self.url}"

    @property
    def language_list(self) -> list[str]:
        return _codes(self.languages)


class CampaignContact(models.Model):
    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campaign"),
        on_delete=models.CASCADE,
        related_name="contact_links",
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="campaign_contacts",
    )
    role = models.CharField(
        _("role"),
        max_length=255,
        blank=True,
        help_text=_("e.g. “Rückfragen zur Pressemeldung”"),
    )
    # contacts.Person has no fax field; press releases still print one.
    fax = models.CharField(_("fax"), max_length=100, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("contact person")
        verbose_name_plural = _("contact persons")
        ordering = ["campaign", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "person"],
                name="campaigns_contact_unique_person",
                violation_error_message=_("This person is already a contact of the campaign."),
            ),
        ]

    def __str__(self):
        return str(self.person)


class ChannelQuerySet(models.QuerySet):
    def published(self):
        """Channels of published campaigns."""
        return self.filter(rules.public_campaigns_q("campaign__"))


class Channel(LabelledDates, Translatable):
    class Kind(models.TextChoices):
        PRINT = "print", _("print")
        SOCIAL_MEDIA = "social_media", _("social media")
        ONLINE_PR = "online_pr", _("online PR")
        PRESS = "press", _("press work")
        WEBSITE = "website", _("website")
        VIDEO = "video", _("video")
        VISUAL = "visual", _("key visual/imagery")
        EVENT = "event", _("event")
        ADS = "ads", _("search ads")
        PODCAST = "podcast", _("podcast")
        OTHER = "other", _("other")

    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        DONE = "done", _("done")
        DROPPED = "dropped", _("not carried out")
        UNREPORTED = "unreported", _("outcome not reported")

    # Which channel statuses a campaign's lifecycle rules out, and why.
    STATUS_CONFLICTS = {
        Campaign.Lifecycle.COMPLETED: {
            Status.PLANNED: _(
                "The campaign has ended, so this channel can no longer be “planned”. Choose "
                "“done”, “not carried out” or, if the source does not say, “outcome not "
                "reported”."
            ),
        },
        Campaign.Lifecycle.PLANNED: {
            Status.DONE: _("The campaign has not started yet, so this channel cannot be “done”."),
            Status.UNREPORTED: _(
                "“Outcome not reported” is for channels of a campaign that has ended."
            ),
        },
        Campaign.Lifecycle.RUNNING: {
            Status.UNREPORTED: _(
                "“Outcome not reported” is for channels of a campaign that has ended."
            ),
        },
    }

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="channels"
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind, default=Kind.OTHER)
    name = models.CharField(_("name"), max_length=255)
    name_en = english_char(_("name (English)"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    description_en = english_text(_("description (English)"))
    reach = models.IntegerField(
        _("reach"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0, message=NOT_NEGATIVE_REACH)],
        help_text=_("only a figure the source states"),
    )
    reach_unit = models.CharField(
        _("unit of reach"),
        max_length=100,
        blank=True,
        help_text=_("e.g. “Exemplare”, “Bildungsakteure”, “Wochen”"),
    )
    reach_label = models.CharField(
        _("reach label"),
        max_length=255,
        blank=True,
        help_text=_("as written, e.g. “Auflage von 40.000 Exemplaren”"),
    )
    reach_label_en = english_char(_("reach label (English)"), max_length=255)
    languages = models.CharField(
        _("languages"),
        max_length=50,
        blank=True,
        validators=[LANGUAGE_LIST_VALIDATOR],
        help_text=_("ISO 639-1 codes separated by commas, e.g. “de, en”"),
    )
    url = models.URLField(_("web address"), blank=True)
    period_label = models.CharField(
        _("period label"), max_length=150, blank=True, help_text=_("exactly as written")
    )
    start_date = models.DateField(_("start"), null=True, blank=True)
    end_date = models.DateField(_("end"), null=True, blank=True)
    date_precision = models.CharField(
        _("date precision"), max_length=10, choices=Precision, default=Precision.DAY
    )
    status = models.CharField(_("status"), max_length=20, choices=Status, default=Status.PLANNED)

    history = HistoricalRecords()
    objects = ChannelQuerySet.as_manager()

    class Meta:
        verbose_name = _("channel")
        verbose_name_plural = _("channels")
        ordering = ["campaign", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(reach__isnull=True) | Q(reach__gte=0),
                name="campaigns_channel_reach_not_negative",
                violation_error_message=NOT_NEGATIVE_REACH,
            ),
            _start_before_end("campaigns_channel"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        _fill_dates(self, "period_label", "start_date", "end_date")
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        errors = {}
        if is_duration_unit(self.reach_unit):
            errors["reach_unit"] = DURATION_IS_NO_REACH
        # an inline of a campaign being added has its (unsaved) campaign but no campaign_id
        campaign = self.campaign if self.campaign_id or Channel.campaign.is_cached(self) else None
        if campaign is not None:
            conflict = self.STATUS_CONFLICTS.get(campaign.lifecycle, {}).get(self.status)
            if conflict:
                errors["status"] = conflict
        if errors:
            raise ValidationError(errors)

    @property
    def public_status(self) -> str:
        """The status as readers see it: a channel still “planned” when its campaign has ended
        (time moved on, nobody edited it) is shown as “outcome not reported”."""
        if self.status == self.Status.PLANNED and (
            self.campaign.lifecycle == Campaign.Lifecycle.COMPLETED
        ):
            return self.Status.UNREPORTED
        return self.status

    @property
    def public_status_label(self) -> str:
        return self.Status(self.public_status).label

    @property
    def language_list(self) -> list[str]:
        return _codes(self.languages)


class CampaignEventQuerySet(models.QuerySet):
    def published(self):
        """Events of published campaigns."""
        return self.filter(rules.public_campaigns_q("campaign__"))


class CampaignEvent(LabelledDates, Translatable):
    class Kind(models.TextChoices):
        NETWORK_MEETING = "network_meeting", _("network meeting")
        WORKSHOP = "workshop", _("workshop")
        PRESENTATION = "presentation", _("presentation")
        PRESS_EVENT = "press_event", _("press event")
        DECISION = "decision", _("decision")
        OTHER = "other", _("other")

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="events"
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    title = models.CharField(_("title"), max_length=255)
    title_en = english_char(_("title (English)"), max_length=255)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind, default=Kind.OTHER)
    date = models.DateField(_("date"), null=True, blank=True)
    date_precision = models.CharField(
        _("date precision"), max_length=10, choices=Precision, default=Precision.DAY
    )
    date_label = models.CharField(
        _("date label"), max_length=100, blank=True, help_text=_("as written, e.g. “Januar 2024”")
    )
    place = models.CharField(_("place"), max_length=255, blank=True)
    description = models.TextField(_("description"), blank=True)
    description_en = english_text(_("description (English)"))
    topics = models.TextField(_("topics"), blank=True, help_text=_("one topic per line"))
    topics_en = english_text(_("topics (English)"))
    methods = models.TextField(
        _("methods"), blank=True, help_text=_("one per line, e.g. “Kraftfeldanalyse”")
    )
    methods_en = english_text(_("methods (English)"))
    results = models.TextField(_("results"), blank=True)
    results_en = english_text(_("results (English)"))
    participants_count = models.IntegerField(
        _("number of participants"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0, message=NOT_NEGATIVE_PARTICIPANTS)],
        help_text=_("only a figure the source states"),
    )
    participants = models.ManyToManyField(
        Person,
        verbose_name=_("participants"),
        through="EventParticipant",
        related_name="campaign_events",
        blank=True,
    )

    history = HistoricalRecords()
    objects = CampaignEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["campaign", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(participants_count__isnull=True) | Q(participants_count__gte=0),
                name="campaigns_event_participants_not_negative",
                violation_error_message=NOT_NEGATIVE_PARTICIPANTS,
            ),
        ]

    def __str__(self):
        return f"{self.title} ({self.date_label})" if self.date_label else self.title

    def save(self, *args, **kwargs):
        _fill_dates(self, "date_label", "date", "")
        super().save(*args, **kwargs)

    @property
    def topic_items(self) -> list[str]:
        return _lines(self.topics)

    @property
    def method_items(self) -> list[str]:
        return _lines(self.methods)


class EventParticipant(models.Model):
    event = models.ForeignKey(
        CampaignEvent,
        verbose_name=_("event"),
        on_delete=models.CASCADE,
        related_name="participant_links",
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="event_participations",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="event_participations",
        help_text=_("the organisation or municipality the participant represents"),
    )
    role = models.CharField(_("role"), max_length=255, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["event", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(organisation__isnull=False) | Q(person__isnull=False),
                name="campaigns_participant_has_party",
                violation_error_message=_("Please give a person or an organisation."),
            ),
            models.UniqueConstraint(
                fields=["event", "person"],
                condition=Q(person__isnull=False),
                name="campaigns_participant_unique_person",
                violation_error_message=_("This person is already listed for the event."),
            ),
        ]

    def __str__(self):
        if self.person_id and self.organisation_id:
            return f"{self.person} ({self.organisation})"
        return str(self.person or self.organisation)


class KeyFigure(LabelledDates, Translatable):
    """A figure the campaign reports: flyer circulation, key-visual users, participants, …"""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="key_figures"
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    name = models.CharField(_("name"), max_length=255)
    name_en = english_char(_("name (English)"), max_length=255)
    unit = models.CharField(_("unit"), max_length=100, blank=True, help_text=_("e.g. “Exemplare”"))
    target = LocalizedDecimalField(
        _("target"),
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0, message=NOT_NEGATIVE_FIGURE)],
    )
    actual = LocalizedDecimalField(
        _("actual"),
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0, message=NOT_NEGATIVE_FIGURE)],
    )
    date = models.DateField(_("date"), null=True, blank=True)
    date_precision = models.CharField(
        _("date precision"), max_length=10, choices=Precision, default=Precision.DAY
    )
    date_label = models.CharField(
        _("date label"), max_length=100, blank=True, help_text=_("as written, e.g. “2023”")
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    note_en = english_char(_("note (English)"), max_length=500)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("key figure")
        verbose_name_plural = _("key figures")
        ordering = ["campaign", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(target__isnull=True) | Q(target__gte=0))
                & (Q(actual__isnull=True) | Q(actual__gte=0)),
                name="campaigns_keyfigure_not_negative",
                violation_error_message=NOT_NEGATIVE_FIGURE,
            ),
            models.CheckConstraint(
                condition=Q(target__isnull=False) | Q(actual__isnull=False),
                name="campaigns_keyfigure_has_value",
                violation_error_message=_("Please give a target or an actual value."),
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        _fill_dates(self, "date_label", "date", "")
        super().save(*args, **kwargs)
