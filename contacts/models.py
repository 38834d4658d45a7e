from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from access import rules
from translations.models import Translatable, english_char

# What an erased person is called, and what public pages call a person without consent when
# neither a function nor an organisation is known.
NO_NAME = "—"


class OrganisationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Organisations this user may see (access.rules decides)."""
        return rules.visible_organisations(user, self)


class PersonQuerySet(models.QuerySet):
    def consenting(self):
        """Persons who agreed to be named publicly (and were not erased)."""
        return self.filter(public_contact=True, erased_at__isnull=True)

    def in_directory(self, user):
        """Persons the public directory lists for this user: consenting and named by content
        the user may see (access.rules decides)."""
        return rules.visible_persons(user, self.consenting()).select_related("organisation__parent")


class Organisation(Translatable):
    class Kind(models.TextChoices):
        CITY_ADMINISTRATION = "city", _("city administration")
        DEPARTMENT = "department", _("department/office")
        COMPANY = "company", _("company")
        ASSOCIATION = "association", _("association")
        AGENCY = "agency", _("agency")
        OTHER = "other", _("other")

    name = models.CharField(_("name"), max_length=255)
    name_en = english_char(_("name (English)"), max_length=255)
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
    objects = OrganisationQuerySet.as_manager()

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

    def get_absolute_url(self):
        return reverse("contacts:organisation_detail", kwargs={"pk": self.pk})

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
    erased_at = models.DateTimeField(
        _("erased"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("personal details erased on request (GDPR Art. 17)"),
    )

    history = HistoricalRecords()
    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["last_name", "first_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(erased_at__isnull=True) | Q(public_contact=False, email="", phone=""),
                name="contacts_person_erased_has_no_details",
                violation_error_message=_("An erased person keeps no contact details."),
            ),
        ]

    def __str__(self):
        return self.full_name

    def get_absolute_url(self):
        return reverse("contacts:person_detail", kwargs={"pk": self.pk})

    @property
    def is_public(self) -> bool:
        """Consented to publication and not erased: may be named on public pages."""
        return self.public_contact and self.erased_at is None

    @property
    def public_name(self) -> str:
        """How pages and PDFs name the person: the name only with consent, otherwise the
        function, else the organisation (“—” when neither is known)."""
        if self.is_public:
            return self.formal_name
        if self.function:
            return self.function
        return self.organisation.display_name if self.organisation_id else NO_NAME

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.title, self.first_name, self.last_name) if part)

    @property
    def formal_name(self) -> str:
        """Name as the plan writes it: “Frau Amtsleiterin Susanne Kucharski-Huniat”."""
        parts = [self.get_salutation_display() if self.salutation else "", self.function]
        return " ".join(p for p in [*parts, self.full_name] if p)

    def public_phone(self) -> str:
        if self.is_public and self.phone:
            return self.phone
        return self.organisation.phone if self.organisation_id else ""

    def public_email(self) -> str:
        if self.is_public and self.email:
            return self.email
        return self.organisation.email if self.organisation_id else ""


class ContactConsent(models.Model):
    """One recorded change of a person's consent to publishing their contact details: who
    recorded it, when, and how the consent was given or withdrawn."""

    class Source(models.TextChoices):
        IN_WRITING = "in_writing", _("in writing")
        EMAIL = "email", _("by e-mail")
        IN_PERSON = "in_person", _("in person")
        IMPORTED = "imported", _("imported document")
        ERASURE = "erasure", _("erasure on request")

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="consents"
    )
    given = models.BooleanField(_("contact details public"))
    source = models.CharField(_("source of the consent"), max_length=20, choices=Source)
    note = models.TextField(
        _("note on the consent"),
        blank=True,
        help_text=_("e.g. the date and reference of the letter or e-mail"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_by_name = models.CharField(_("recorded by"), max_length=150, blank=True)
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")
        ordering = ["-recorded_at", "-pk"]

    def __str__(self):
        state = _("given") if self.given else _("withdrawn")
        return f"{state} ({self.get_source_display()})"
