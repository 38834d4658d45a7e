from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Organisation(models.Model):
    class Kind(models.TextChoices):
        CITY_ADMINISTRATION = "city", _("city administration")
        DEPARTMENT = "department", _("department/office")
        COMPANY = "company", _("company")
        ASSOCIATION = "association", _("association")
        AGENCY = "agency", _("agency")
        OTHER = "other", _("other")

    name = models.CharField(_("name"), max_length=255)
    short_name = models.CharField(
        _("short name"), max_length=50, blank=True, help_text=_("e.g. “ASW”, “AfWiFö”, “KA”")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind, default=Kind.OTHER)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    address = models.TextField(_("address"), blank=True)
    phone = models.CharField(_("phone"), max_length=100, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("website"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["name", "parent"], name="contacts_organisation_unique_name_per_parent"
            ),
            models.CheckConstraint(
                condition=~Q(parent=models.F("pk")), name="contacts_organisation_not_own_parent"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def display_name(self) -> str:
        """Name with its parent, as in “Stadt Leipzig, Kulturamt”."""
        if self.parent_id:
            return f"{self.parent.name}, {self.name}"
        return self.name


class Person(models.Model):
    class Salutation(models.TextChoices):
        FRAU = "frau", _("Ms")
        HERR = "herr", _("Mr")
        NONE = "", _("none")

    salutation = models.CharField(
        _("salutation"), max_length=10, choices=Salutation, default=Salutation.NONE, blank=True
    )
    title = models.CharField(_("academic title"), max_length=50, blank=True)
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100)
    function = models.CharField(
        _("function"), max_length=150, blank=True, help_text=_("e.g. “Amtsleiterin”")
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="people",
    )
    phone = models.CharField(_("phone"), max_length=100, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    public_contact = models.BooleanField(
        _("contact details public"),
        default=False,
        help_text=_(
            "The person has consented to their phone and e-mail being shown publicly. "
            "Without consent the organisation's contact details are shown."
        ),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["last_name", "first_name"]

    def __str__(self):
        return self.full_name

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.title, self.first_name, self.last_name) if part)

    @property
    def formal_name(self) -> str:
        """Name as the plan writes it: “Frau Amtsleiterin Susanne Kucharski-Huniat”."""
        parts = [self.get_salutation_display() if self.salutation else "", self.function]
        return " ".join(p for p in [*parts, self.full_name] if p)

    def public_phone(self) -> str:
        if self.public_contact and self.phone:
            return self.phone
        return self.organisation.phone if self.organisation_id else ""

    def public_email(self) -> str:
        if self.public_contact and self.email:
            return self.email
        return self.organisation.email if self.organisation_id else ""
