"""Indicators: what a plan achieves, measured over time.

An indicator belongs to a plan; it has a baseline, dated targets and dated values (each value
history-tracked), and it is linked to fields of action and, optionally, measures of its plan:
it measures their progress or is influenced by them. Who may see or enter what is decided in
``access.rules`` (``visible_indicators``, ``editable_indicators``).
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from actionplan.models import FieldOfAction, Measure, Plan, german_slugify
from config.numbers import LocalizedDecimalField
from translations.models import Translatable, english_char, english_text

# Wide enough for visitor counts and shares alike: 14 digits before the point, 4 after.
MAX_DIGITS = 18
DECIMAL_PLACES = 4


def number_field(verbose_name, **kwargs):
    return LocalizedDecimalField(
        verbose_name, max_digits=MAX_DIGITS, decimal_places=DECIMAL_PLACES, **kwargs
    )


def plain_number(value: Decimal | None) -> str | None:
    """``value`` as a document writes it: "12.5", "200" (no exponent, no trailing zeros)."""
    if value is None:
        return None
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


class IndicatorQuerySet(models.QuerySet):
    def visible_to(self, user):
        from access import rules

        return rules.visible_indicators(user, self)


class Indicator(Translatable):
    class Direction(models.TextChoices):
        INCREASE = "increase", _("higher is better")
        DECREASE = "decrease", _("lower is better")

    class Interval(models.TextChoices):
        YEARLY = "yearly", _("yearly")
        HALF_YEARLY = "half_yearly", _("half-yearly")
        QUARTERLY = "quarterly", _("quarterly")
        MONTHLY = "monthly", _("monthly")

    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="indicators"
    )
    name = models.CharField(_("name"), max_length=200)
    name_en = english_char(_("name (English)"), max_length=200)
    slug = models.SlugField(
        _("slug"),
        max_length=100,
        blank=True,
        help_text=_("Part of the web address; made from the name when left empty."),
    )
    description = models.TextField(
        _("description"),
        blank=True,
        help_text=_("What is counted or measured, and how."),
    )
    description_en = english_text(_("description (English)"))
    unit = models.CharField(
        _("unit"), max_length=50, blank=True, help_text=_("For example “visitors”, “%” or “€”.")
    )
    unit_en = english_char(_("unit (English)"), max_length=50)
    direction = models.CharField(
        _("direction"),
        max_length=10,
        choices=Direction.choices,
        default=Direction.INCREASE,
        help_text=_("Whether a higher or a lower value means progress."),
    )
    source = models.CharField(
        _("source"),
        max_length=300,
        blank=True,
        help_text=_("Where the values come from (statistics office, own count, survey …)."),
    )
    update_interval = models.CharField(
        _("update interval"),
        max_length=12,
        choices=Interval.choices,
        blank=True,
        help_text=_(
            "How often a new value is due. The people who may enter values are reminded "
            "when the interval has passed since the latest value."
        ),
    )
    baseline_value = number_field(
        _("baseline value"),
        null=True,
        blank=True,
        help_text=_("The value at the start, e.g. 1.234,5."),
    )
    baseline_date = models.DateField(
        _("baseline date"), null=True, blank=True, help_text=_("The date of the baseline value.")
    )
    is_example = models.BooleanField(
        _("example values"),
        default=False,
        help_text=_(
            "The values are examples, not measured figures. Public pages, PDF and exports "
            "say so visibly (“Beispielwerte”)."
        ),
    )

    history = HistoricalRecords()
    objects = IndicatorQuerySet.as_manager()

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["plan", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "slug"],
                name="indicators_indicator_unique_slug",
                violation_error_message=_("This plan already has an indicator with this slug."),
            ),
            models.CheckConstraint(
                condition=Q(baseline_value__isnull=True) | Q(baseline_date__isnull=False),
                name="indicators_indicator_baseline_dated",
                violation_error_message=_("A baseline value needs its date."),
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = german_slugify(self.name)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse(
            "indicators:indicator_detail",
            kwargs={"plan_slug": self.plan.slug, "indicator_slug": self.slug},
        )

    def clean(self):
        super().clean()
        if not self.slug and self.name:
            self.slug = german_slugify(self.name)
        if self.baseline_value is not None and self.baseline_date is None:
            raise ValidationError({"baseline_date": _("A baseline value needs its date.")})
        if self.baseline_value is None and self.baseline_date is not None:
            raise ValidationError({"baseline_value": _("A baseline date needs its value.")})


class IndicatorTarget(models.Model):
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.CASCADE, related_name="targets"
    )
    date = models.DateField(_("date"), help_text=_("By when the value should be reached."))
    value = number_field(_("target value"), help_text=_("For example 1.234,5."))
    note = models.CharField(_("note"), max_length=500, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["indicator", "date"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "date"],
                name="indicators_target_unique_date",
                violation_error_message=_("This indicator already has a target for this date."),
            ),
        ]

    def __str__(self):
        return f"{self.indicator}: {plain_number(self.value)} ({self.date:%Y-%m-%d})"


class IndicatorValue(models.Model):
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.CASCADE, related_name="values"
    )
    date = models.DateField(_("date"), help_text=_("The date the value describes."))
    value = number_field(_("value"), help_text=_("For example 1.234,5."))
    source = models.CharField(
        _("source"),
        max_length=300,
        blank=True,
        help_text=_("Where this value comes from, when it differs from the indicator's source."),
    )
    note = models.CharField(_("note"), max_length=500, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("indicator value")
        verbose_name_plural = _("values")
        ordering = ["indicator", "date"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "date"],
                name="indicators_value_unique_date",
                violation_error_message=_("This indicator already has a value for this date."),
            ),
        ]

    def __str__(self):
        return f"{self.indicator}: {plain_number(self.value)} ({self.date:%Y-%m-%d})"


class IndicatorLink(models.Model):
    class Kind(models.TextChoices):
        MEASURES = "measures", _("measures the progress of")
        INFLUENCED_BY = "influenced_by", _("is influenced by")

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.CASCADE, related_name="links"
    )
    field = models.ForeignKey(
        FieldOfAction,
        verbose_name=_("field of action"),
        on_delete=models.CASCADE,
        related_name="indicator_links",
        help_text=_("A field of action of the indicator's plan."),
    )
    measure = models.ForeignKey(
        Measure,
        verbose_name=_("measure"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="indicator_links",
        help_text=_("Optional: a measure of this field of action."),
    )
    kind = models.CharField(
        _("kind of link"), max_length=20, choices=Kind.choices, default=Kind.MEASURES
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("indicator link")
        verbose_name_plural = _("links to fields and measures")
        ordering = ["indicator", "field", "measure"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "field", "kind"],
                condition=Q(measure__isnull=True),
                name="indicators_link_unique_field",
                violation_error_message=_("This link exists already."),
            ),
            models.UniqueConstraint(
                fields=["indicator", "measure", "kind"],
                condition=Q(measure__isnull=False),
                name="indicators_link_unique_measure",
                violation_error_message=_("This link exists already."),
            ),
        ]

    def __str__(self):
        target = self.measure if self.measure_id else self.field
        return f"{self.indicator} – {self.get_kind_display()} – {target}"

    def save(self, *args, **kwargs):
        # A link to a measure always names the measure's own field (``clean`` says so to a
        # person; here it is enforced for every other writer).
        if self.measure_id is not None:
            self.field_id = Measure.objects.values_list("field_id", flat=True).get(
                pk=self.measure_id
            )
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        errors = {}
        try:
            plan_id = self.indicator.plan_id
        except Indicator.DoesNotExist:
            plan_id = None
        if self.field_id and plan_id and self.field.plan_id != plan_id:
            errors["field"] = _("Choose a field of action of the indicator's plan.")
        if self.measure_id and self.field_id and self.measure.field_id != self.field_id:
            errors["measure"] = _("Choose a measure of the chosen field of action.")
        if errors:
            raise ValidationError(errors)
