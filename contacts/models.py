from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Organisation(models.Model):
    class Kind(models.TextChoices):
        CITY_ADMINISTRATION = "city", _("Stadtverwaltung")
        DEPARTMENT = "department", _("Amt/Dezernat")
        COMPANY = "company", _("Unternehmen")
        ASSOCIATION = "association", _("Verband/Verein")
        AGENCY = "agency", _("Agentur")
        OTHER = "other", _("Sonstige")

    name = models.CharField(_("Name"), max_length=255)
    short_name = models.CharField(
        _("Kurzname"), max_length=50, blank=True, help_text=_("z. B. „ASW“, „AfWiFö“, „KA“")
    )
    kind = models.CharField(_("Art"), max_length=20, choices=Kind, default=Kind.OTHER)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("übergeordnete Organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    address = models.TextField(_("Anschrift"), blank=True)
    phone = models.CharField(_("Telefon"), max_length=100, blank=True)
    email = models.EmailField(_("E-Mail"), blank=True)
    website = models.URLField(_("Website"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Organisation")
        verbose_name_plural = _("Organisationen")
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
        FRAU = "frau", _("Frau")
        HERR = "herr", _("Herr")
        NONE = "", _("keine")

    salutation = models.CharField(
        _("Anrede"), max_length=10, choices=Salutation, default=Salutation.NONE, blank=True
    )
    title = models.CharField(_("akademischer Titel"), max_length=50, blank=True)
    first_name = models.CharField(_("Vorname"), max_length=100, blank=True)
    last_name = models.CharField(_("Nachname"), max_length=100)
    function = models.CharField(
        _("Funktion"), max_length=150, blank=True, help_text=_("z. B. „Amtsleiterin“")
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("Organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="people",
    )
    phone = models.CharField(_("Telefon"), max_length=100, blank=True)
    email = models.EmailField(_("E-Mail"), blank=True)
    public_contact = models.BooleanField(
        _("Kontaktdaten öffentlich"),
        default=False,
        help_text=_(
            "Die Person hat eingewilligt, dass Telefon und E-Mail öffentlich gezeigt werden. "
            "Ohne Einwilligung erscheinen die Kontaktdaten der Organisation."
        ),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Person")
        verbose_name_plural = _("Personen")
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
