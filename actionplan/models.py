from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.text import format_lazy, slugify
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from access import rules
from config.numbers import LocalizedDecimalField
from contacts.models import Organisation, Person
from translations.models import Translatable, english_char, english_note_field, english_text

from .licences import DataLicence, Licence, licence
from .schedule import Precision, parse_schedule

_GERMAN_TRANSLITERATION = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ẞ": "SS"}
)


def german_slugify(text: str, max_length: int = 100) -> str:
    """A URL slug that keeps German words readable: “Maßnahme” → “massnahme”, not “manahme”."""
    return slugify(text.translate(_GERMAN_TRANSLITERATION))[:max_length].strip("-")


class Vocabulary(Translatable):
    """A managed list entry: a name with a sort position."""

    name = models.CharField(_("name"), max_length=150, unique=True)
    name_en = english_char(_("name (English)"), max_length=150)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        abstract = True
        ordering = ["position", "name"]

    def __str__(self):
        return self.name


class TargetGroup(Vocabulary):
    history = HistoricalRecords()

    class Meta(Vocabulary.Meta):
        verbose_name = _("target group")
        verbose_name_plural = _("target groups")


class BudgetCategory(Vocabulary):
    history = HistoricalRecords()

    class Meta(Vocabulary.Meta):
        verbose_name = _("budget category")
        verbose_name_plural = _("budget categories")


class FundingSource(Vocabulary):
    history = HistoricalRecords()

    class Meta(Vocabulary.Meta):
        verbose_name = _("funding source")
        verbose_name_plural = _("funding sources")


class PlanQuerySet(models.QuerySet):
    def published(self):
        """Plans anonymous visitors may see."""
        return rules.visible_plans(None, self)

    def visible_to(self, user):
        """Plans this user may see (access.rules decides)."""
        return rules.visible_plans(user, self)


class Plan(Translatable):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        PUBLISHED = "published", _("published")
        ARCHIVED = "archived", _("archived")

    title = models.CharField(_("title"), max_length=255)
    title_en = english_char(_("title (English)"), max_length=255)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    subtitle = models.CharField(_("subtitle"), max_length=255, blank=True)
    subtitle_en = english_char(_("subtitle (English)"), max_length=255)
    region = models.CharField(_("city/region"), max_length=150)
    issued_on = models.DateField(_("date issued"), null=True, blank=True)
    issued_label = models.CharField(
        _("date label"), max_length=100, blank=True, help_text=_("as printed, e.g. “Mai 2011”")
    )
    period_label = models.CharField(
        _("period"),
        max_length=100,
        blank=True,
        help_text=_(
            "the plan's term as written, e.g. “2011–2012”; read like a schedule. "
            "Left blank, it runs from its earliest to its latest dated schedule entry."
        ),
    )
    funding_note = models.TextField(_("funding note"), blank=True)
    funding_note_en = english_text(_("funding note (English)"))
    introduction = models.TextField(_("introduction"), blank=True)
    introduction_en = english_text(_("introduction (English)"))
    english_note = english_note_field()
    project_lead = models.ForeignKey(
        Person,
        verbose_name=_("project lead"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_plans",
    )
    author_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("publisher"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="plans",
    )
    status = models.CharField(_("status"), max_length=20, choices=Status, default=Status.DRAFT)
    language = models.CharField(_("content language"), max_length=10, default="de")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)
    content_changed_at = models.DateTimeField(
        _("content last changed"), null=True, blank=True, editable=False
    )
    version = models.PositiveIntegerField(_("version"), default=0, editable=False)
    data_licence = models.CharField(
        _("data licence"),
        max_length=20,
        choices=DataLicence,
        default=DataLicence.DL_DE_BY_2_0,
        help_text=_("The licence of the plan's open data (CSV, JSON) and its metadata."),
    )
    review_changes = models.BooleanField(
        _("review changes to published measures"),
        default=True,
        help_text=_(
            "An editor's change to a published measure waits for a coordinator's approval; "
            "switched off, editors' changes are published at once."
        ),
    )

    history = HistoricalRecords()
    objects = PlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("action plan")
        verbose_name_plural = _("action plans")
        ordering = ["-issued_on", "title"]
        permissions = [("publish_plan", _("Can publish plans"))]

    def __str__(self):
        return self.title if not self.subtitle else f"{self.title} – {self.subtitle}"

    def get_absolute_url(self):
        return reverse("actionplan:plan_detail", kwargs={"plan_slug": self.slug})

    @property
    def is_public(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def licence(self) -> Licence:
        return licence(self.data_licence)


class FieldOfActionQuerySet(models.QuerySet):
    def published(self):
        return rules.visible_fields(None, self)

    def visible_to(self, user):
        return rules.visible_fields(user, self)


class FieldOfAction(Translatable):
    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="fields"
    )
    position = models.PositiveIntegerField(_("position"))
    title = models.CharField(_("title"), max_length=255)
    title_en = english_char(_("title (English)"), max_length=255)
    slug = models.SlugField(_("slug"), max_length=100)
    target_state = models.TextField(_("target state"), blank=True)
    target_state_en = english_text(_("target state (English)"))
    lead_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("lead"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_fields",
    )
    lead_note = models.CharField(
        _("lead note"),
        max_length=255,
        blank=True,
        help_text=_("e.g. “in enger Abstimmung mit dem Stadtplanungsamt”"),
    )
    lead_note_en = english_char(_("lead note (English)"), max_length=255)
    contacts = models.ManyToManyField(
        Person,
        verbose_name=_("contact persons"),
        through="FieldContact",
        related_name="contact_for_fields",
        blank=True,
    )
    version = models.PositiveIntegerField(_("version"), default=0, editable=False)

    history = HistoricalRecords()
    objects = FieldOfActionQuerySet.as_manager()

    class Meta:
        verbose_name = _("field of action")
        verbose_name_plural = _("fields of action")
        ordering = ["plan", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "position"], name="actionplan_field_unique_position"
            ),
            models.UniqueConstraint(fields=["plan", "slug"], name="actionplan_field_unique_slug"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = self.slug_for(self.title)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse(
            "actionplan:field_detail",
            kwargs={"plan_slug": self.plan.slug, "field_slug": self.slug},
        )

    @staticmethod
    def slug_for(title: str) -> str:
        """The URL slug a field gets from its title when none is entered."""
        return german_slugify(title)


class FieldContact(models.Model):
    field = models.ForeignKey(
        FieldOfAction,
        verbose_name=_("field of action"),
        on_delete=models.CASCADE,
        related_name="field_contacts",
    )
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="field_contacts"
    )
    position = models.PositiveIntegerField(_("position"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("contact person")
        verbose_name_plural = _("contact persons")
        ordering = ["field", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["field", "person"], name="actionplan_fieldcontact_unique_person"
            ),
        ]

    def __str__(self):
        return str(self.person)


class BaselineFinding(Translatable):
    class Swot(models.TextChoices):
        STRENGTH = "strength", _("strength")
        WEAKNESS = "weakness", _("weakness")
        OPPORTUNITY = "opportunity", _("opportunity")
        THREAT = "threat", _("threat")
        UNCLASSIFIED = "unclassified", _("unclassified")

    field = models.ForeignKey(
        FieldOfAction,
        verbose_name=_("field of action"),
        on_delete=models.CASCADE,
        related_name="baseline_findings",
    )
    position = models.PositiveIntegerField(_("position"))
    text = models.TextField(_("text"))
    text_en = english_text(_("text (English)"))
    swot = models.CharField(_("SWOT class"), max_length=20, choices=Swot, default=Swot.UNCLASSIFIED)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("baseline finding")
        verbose_name_plural = _("baseline")
        ordering = ["field", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["field", "position"], name="actionplan_baseline_unique_position"
            ),
        ]

    def __str__(self):
        return self.text[:80]


class MeasureQuerySet(models.QuerySet):
    def published(self):
        """Published measures of published plans: what anonymous visitors see."""
        return rules.public_measures(self)

    def visible_to(self, user):
        return rules.visible_measures(user, self)

    def editable_by(self, user):
        return rules.editable_measures(user, self)


class Measure(Translatable):
    class State(models.TextChoices):
        """Publication workflow, separate from the progress of the work (``Status``)."""

        DRAFT = "draft", _("draft")
        REVIEW = "review", _("in review")
        PUBLISHED = "published", _("published")
        ARCHIVED = "archived", _("archived")

    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        IN_PROGRESS = "in_progress", _("in progress")
        COMPLETED = "completed", _("completed")
        POSTPONED = "postponed", _("postponed")
        CANCELLED = "cancelled", _("cancelled")

    field = models.ForeignKey(
        FieldOfAction,
        verbose_name=_("field of action"),
        on_delete=models.CASCADE,
        related_name="measures",
    )
    code = models.CharField(
        _("code"), max_length=10, blank=True, help_text=_("“A”, “B”, … or blank")
    )
    title = models.CharField(_("title"), max_length=500)
    title_en = english_char(_("title (English)"), max_length=500)
    slug = models.SlugField(_("slug"), max_length=100)
    position = models.PositiveIntegerField(_("position"))
    description = models.TextField(_("description"), blank=True)
    description_en = english_text(_("description (English)"))
    status = models.CharField(_("status"), max_length=20, choices=Status, default=Status.PLANNED)
    state = models.CharField(
        _("publication state"), max_length=20, choices=State, default=State.DRAFT
    )
    status_reported_at = models.DateField(
        _("status reported on"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("the day the status, a step or a schedule entry was last changed"),
    )
    review_comment = models.TextField(
        _("review comment"),
        blank=True,
        help_text=_("why the coordinator sent the measure back; shown to its editors"),
    )
    target_groups = models.ManyToManyField(
        TargetGroup, verbose_name=_("target groups"), related_name="measures", blank=True
    )
    related_measures = models.ManyToManyField(
        "self",
        verbose_name=_("related measures"),
        symmetrical=False,
        related_name="related_from",
        blank=True,
    )
    version = models.PositiveIntegerField(_("version"), default=0, editable=False)

    history = HistoricalRecords(m2m_fields=[target_groups, related_measures])
    objects = MeasureQuerySet.as_manager()

    class Meta:
        verbose_name = _("measure")
        verbose_name_plural = _("measures")
        ordering = ["field__plan", "field__position", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["field", "position"], name="actionplan_measure_unique_position"
            ),
            models.UniqueConstraint(
                fields=["field", "slug"], name="actionplan_measure_unique_slug"
            ),
            models.UniqueConstraint(
                fields=["field", "code"],
                condition=~Q(code=""),
                name="actionplan_measure_unique_code",
                violation_error_message=_(
                    "A measure with this code already exists in this field of action."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.code}) {self.title}" if self.code else self.title

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = self.slug_for(self.code, self.title)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse(
            "actionplan:measure_detail",
            kwargs={
                "plan_slug": self.field.plan.slug,
                "field_slug": self.field.slug,
                "measure_slug": self.slug,
            },
        )

    @staticmethod
    def slug_for(code: str, title: str) -> str:
        """The URL slug a measure gets from its code and title when none is entered."""
        return german_slugify(f"{code}-{title}" if code else title)

    @property
    def display_code(self) -> str:
        """The measure's number in its plan: its field's number and its code, “2 A” (“5”
        without a code). Codes repeat from field to field (every field has an “A”); with the
        field's number they are unique in the plan. Reads ``self.field``: select it."""
        return f"{self.field.position} {self.code}" if self.code else str(self.field.position)

    @property
    def full_label(self) -> str:
        """How the measure is named outside its field of action: “2 A · Title”."""
        return f"{self.display_code} · {self.title}"


class Step(Translatable):
    measure = models.ForeignKey(
        Measure, verbose_name=_("measure"), on_delete=models.CASCADE, related_name="steps"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent step"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="substeps",
    )
    position = models.PositiveIntegerField(_("position"))
    text = models.TextField(_("text"))
    text_en = english_text(_("text (English)"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("step")
        verbose_name_plural = _("steps")
        ordering = ["measure", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "position"],
                condition=Q(parent__isnull=True),
                name="actionplan_step_unique_position",
                violation_error_message=_(
                    "A step with this position already exists in this measure."
                ),
            ),
            models.UniqueConstraint(
                fields=["parent", "position"],
                condition=Q(parent__isnull=False),
                name="actionplan_substep_unique_position",
                violation_error_message=_(
                    "A sub-step with this position already exists under this step."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(parent=F("pk")), name="actionplan_step_not_own_parent"
            ),
        ]

    def __str__(self):
        return self.text[:80]

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.parent_id:
            if self.parent.parent_id:
                raise ValidationError({"parent": _("Sub-steps may only be one level deep.")})
            if self.measure_id and self.parent.measure_id != self.measure_id:
                raise ValidationError({"parent": _("The parent step belongs to another measure.")})


class ScheduleEntry(Translatable):
    class Dating(models.TextChoices):
        MANUAL = "manual", _("date entered by hand")
        PARSED = "parsed", _("date recognised from the label")
        UNDATED = "undated", _("undated")

    measure = models.ForeignKey(
        Measure, verbose_name=_("measure"), on_delete=models.CASCADE, related_name="schedule"
    )
    position = models.PositiveIntegerField(_("position"))
    label = models.CharField(
        _("label"), max_length=500, help_text=_("exactly as written, e.g. “II. Quartal 2011”")
    )
    label_en = english_char(_("label (English)"), max_length=500)
    start_date = models.DateField(_("start"), null=True, blank=True)
    start_precision = models.CharField(
        _("start precision"), max_length=10, choices=Precision, blank=True
    )
    end_date = models.DateField(_("end"), null=True, blank=True)
    end_precision = models.CharField(
        _("end precision"), max_length=10, choices=Precision, blank=True
    )
    approximate = models.BooleanField(_("approximate (“ca.”)"), default=False)
    dating = models.CharField(
        _("dating"), max_length=10, choices=Dating, default=Dating.UNDATED, editable=False
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("schedule entry")
        verbose_name_plural = _("schedule")
        ordering = ["measure", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "position"], name="actionplan_schedule_unique_position"
            ),
            models.CheckConstraint(
                condition=Q(start_date__isnull=True)
                | Q(end_date__isnull=True)
                | Q(start_date__lte=F("end_date")),
                name="actionplan_schedule_start_before_end",
                violation_error_message=_("The start must not lie after the end."),
            ),
        ]

    def __str__(self):
        return self.label

    def save(self, *args, **kwargs):
        self.apply_dates()
        super().save(*args, **kwargs)
        self._saved_dates = (self.start_date, self.end_date)
        self._saved_label = self.label

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._saved_dates = (instance.start_date, instance.end_date)
        instance._saved_label = instance.label
        return instance

    def apply_dates(self):
        """Fill the dates from the label unless they were entered by hand; never guess.

        A date entered by hand belongs to its label: when the label changes and the dates do
        not, the entry is dated from the new label (``redated_from_label`` says so).
        """
        saved = getattr(self, "_saved_dates", None)
        saved_label = getattr(self, "_saved_label", None)
        self.redated_from_label = (
            self.dating == self.Dating.MANUAL
            and saved is not None
            and saved_label is not None
            and self.label != saved_label
            and (self.start_date, self.end_date) == saved
        )
        if self.redated_from_label:
            self.start_date = self.end_date = None
            self.start_precision = self.end_precision = ""
        has_dates = bool(self.start_date or self.end_date)
        if saved is not None and (self.start_date, self.end_date) != saved and has_dates:
            self.dating = self.Dating.MANUAL
        elif has_dates and self.dating != self.Dating.PARSED:
            self.dating = self.Dating.MANUAL
        elif not has_dates and self.dating == self.Dating.MANUAL:
            self.dating = self.Dating.UNDATED
        if self.dating == self.Dating.MANUAL:
            return
        parsed = parse_schedule(self.label)
        self.start_date, self.start_precision = parsed.start, parsed.start_precision
        self.end_date, self.end_precision = parsed.end, parsed.end_precision
        if parsed.is_dated:
            self.approximate = self.approximate or parsed.approximate
            self.dating = self.Dating.PARSED
        else:
            self.dating = self.Dating.UNDATED

    @property
    def is_dated(self) -> bool:
        return self.start_date is not None or self.end_date is not None


class Responsibility(Translatable):
    class Role(models.TextChoices):
        LEAD = "lead", _("lead")
        RESPONSIBLE = "responsible", _("responsible")
        SUPPORT = "support", _("support")
        TUTOR = "tutor", _("tutor")

    measure = models.ForeignKey(
        Measure,
        verbose_name=_("measure"),
        on_delete=models.CASCADE,
        related_name="responsibilities",
    )
    position = models.PositiveIntegerField(_("position"))
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="responsibilities",
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="responsibilities",
    )
    role = models.CharField(_("role"), max_length=20, choices=Role, default=Role.RESPONSIBLE)
    note = models.CharField(
        _("note"),
        max_length=500,
        blank=True,
        help_text=_("e.g. “Einrichtung und Unterhaltung”"),
    )
    note_en = english_char(_("note (English)"), max_length=500)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("responsibility")
        verbose_name_plural = _("responsibility")
        ordering = ["measure", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "position"], name="actionplan_responsibility_unique_position"
            ),
            models.CheckConstraint(
                condition=Q(organisation__isnull=False) | Q(person__isnull=False),
                name="actionplan_responsibility_has_party",
                violation_error_message=_("Please give an organisation or a person."),
            ),
        ]

    def __str__(self):
        party = self.person or self.organisation
        return f"{self.get_role_display()}: {party}"


# Budget years a plan may name: older than any plan kept here, far beyond any funding period.
FIRST_YEAR = 1990
LAST_YEAR = 2100


def years_label(year_from, year_to) -> str:
    """“2011”, “2011–2013”, or "" without a year."""
    if year_from is None:
        return ""
    if year_to is None or year_to == year_from:
        return str(year_from)
    return f"{year_from}–{year_to}"


RATE_MESSAGE = _("A co-funding rate is a percentage from 0 to 100.")
YEAR_MESSAGE = format_lazy(
    _("Give a year from {first} to {last}."), first=FIRST_YEAR, last=LAST_YEAR
)
YEAR_VALIDATORS = [
    MinValueValidator(FIRST_YEAR, message=YEAR_MESSAGE),
    MaxValueValidator(LAST_YEAR, message=YEAR_MESSAGE),
]


class CostKind(models.TextChoices):
    INVESTMENT = "investment", _("investment")
    OPERATING = "operating", _("operating costs")
    PERSONNEL = "personnel", _("personnel")


class BudgetLine(Translatable):
    CostKind = CostKind
    # the funding of a line (issue 20): in the JSON document, the workbook and the API
    FUNDING_FIELDS = ("year_from", "year_to", "kind", "person_days", "programme", "co_funding_rate")

    measure = models.ForeignKey(
        Measure, verbose_name=_("measure"), on_delete=models.CASCADE, related_name="budget_lines"
    )
    position = models.PositiveIntegerField(_("position"))
    category = models.ForeignKey(
        BudgetCategory,
        verbose_name=_("budget category"),
        on_delete=models.PROTECT,
        related_name="budget_lines",
    )
    funding_source = models.ForeignKey(
        FundingSource,
        verbose_name=_("funding source"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="budget_lines",
    )
    planned_amount = LocalizedDecimalField(
        _("planned amount (EUR)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    actual_amount = LocalizedDecimalField(
        _("actual amount (EUR)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    note_en = english_char(_("note (English)"), max_length=500)
    year_from = models.PositiveSmallIntegerField(
        _("from year"),
        null=True,
        blank=True,
        validators=YEAR_VALIDATORS,
        help_text=_("The year the line is for, or the first year of its period."),
    )
    year_to = models.PositiveSmallIntegerField(
        _("to year"),
        null=True,
        blank=True,
        validators=YEAR_VALIDATORS,
        help_text=_("The last year of the period; empty for a single year."),
    )
    kind = models.CharField(_("kind of cost"), max_length=20, choices=CostKind.choices, blank=True)
    person_days = LocalizedDecimalField(
        _("person-days"),
        max_digits=9,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("For personnel costs: the work in person-days, where the plan gives it."),
    )
    programme = models.ForeignKey(
        "funding.FundingProgramme",
        verbose_name=_("funding programme"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="budget_lines",
    )
    co_funding_rate = LocalizedDecimalField(
        _("co-funding rate (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[
            MinValueValidator(0, message=RATE_MESSAGE),
            MaxValueValidator(100, message=RATE_MESSAGE),
        ],
        help_text=_(
            "Share the programme pays, in percent (0 to 100); empty takes the programme's "
            "default rate. The own share is computed from it."
        ),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget")
        ordering = ["measure", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "position"], name="actionplan_budgetline_unique_position"
            ),
            models.CheckConstraint(
                condition=Q(planned_amount__isnull=True) | Q(planned_amount__gte=0),
                name="actionplan_budgetline_planned_not_negative",
                violation_error_message=_("Amounts must not be negative."),
            ),
            models.CheckConstraint(
                condition=Q(actual_amount__isnull=True) | Q(actual_amount__gte=0),
                name="actionplan_budgetline_actual_not_negative",
                violation_error_message=_("Amounts must not be negative."),
            ),
            models.CheckConstraint(
                condition=Q(co_funding_rate__isnull=True)
                | Q(co_funding_rate__gte=0, co_funding_rate__lte=100),
                name="actionplan_budgetline_rate_percent",
                violation_error_message=RATE_MESSAGE,
            ),
            models.CheckConstraint(
                condition=Q(year_from__isnull=True)
                | Q(year_to__isnull=True)
                | Q(year_from__lte=F("year_to")),
                name="actionplan_budgetline_years_in_order",
                violation_error_message=_("The first year must not come after the last year."),
            ),
            models.CheckConstraint(
                condition=Q(person_days__isnull=True) | Q(person_days__gte=0),
                name="actionplan_budgetline_person_days_not_negative",
                violation_error_message=_("Person-days must not be negative."),
            ),
        ]

    def __str__(self):
        return str(self.category)

    def clean(self):
        super().clean()
        errors = {}
        years = (self.year_from, self.year_to)
        if any(y is not None and not FIRST_YEAR <= y <= LAST_YEAR for y in years):
            return  # the field's own check says so
        if self.year_to is not None and self.year_from is None:
            errors["year_from"] = _("Give the first year of the period too.")
        elif (
            self.year_from is not None
            and self.year_to is not None
            and not errors
            and self.year_from > self.year_to
        ):
            errors["year_to"] = _("The first year must not come after the last year.")
        rate = self.co_funding_rate
        if self.person_days is not None and self.kind not in ("", self.CostKind.PERSONNEL):
            errors["person_days"] = _("Person-days belong to personnel costs only.")
        if errors:
            raise ValidationError(errors)
        if rate is None and self.programme_id is not None:
            from funding.models import line_rate

            self.co_funding_rate = line_rate(rate, self.programme)

    @property
    def years_label(self) -> str:
        """“2011”, “2011–2013”, or "" without a year."""
        return years_label(self.year_from, self.year_to)

    @property
    def own_share(self):
        """The own share of the planned amount (None when the amount or the rate is missing)."""
        from funding.selectors import own_share

        return own_share(self.planned_amount, self.co_funding_rate)
