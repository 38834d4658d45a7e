from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.encoding import force_str
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources
from import_export.formats import base_formats
from import_export.widgets import BooleanWidget

from imports import formats, widgets
from imports.resources import PlanwerkResourceMixin, StrictHeadersMixin

from . import services
from .models import ContactConsent, Organisation, Person


class XLSX(formats.FormulaSafeMixin, base_formats.XLSX):
    """Excel workbooks, with the same formula neutralisation as CSV."""


# CSV and XLSX first: what a clerk exchanges with a spreadsheet program.
CONTACT_FORMATS = [
    *formats.FORMATS,
    *([XLSX] if not any(f.__name__ == "XLSX" for f in formats.FORMATS) else []),
]


class ContactResourceMixin(StrictHeadersMixin, PlanwerkResourceMixin):
    """Required columns must be there; a row that repeats an existing record — or an earlier
    row of the same file — is reported for merging instead of being imported twice."""

    required_fields: tuple[str, ...] = ()

    def before_import(self, dataset, **kwargs):
        headers = set(dataset.headers or [])
        missing = [
            force_str(self.fields[name].column_name)
            for name in self.required_fields
            if force_str(self.fields[name].column_name) not in headers
        ]
        if missing:
            # one clear message instead of the same field error in every row
            del dataset[: len(dataset)]
            raise ValueError(
                gettext("Missing columns: %(missing)s.") % {"missing": ", ".join(missing)}
            )
        self._seen = {}
        super().before_import(dataset, **kwargs)

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        self._row = kwargs.get("row_number") or getattr(self, "_row", 0) + 1
        message = self.duplicate_message(instance, getattr(self, "_seen", {}))
        if message:
            raise ValidationError({NON_FIELD_ERRORS: [message]})

    def duplicate_message(self, instance, seen: dict) -> str:
        raise NotImplementedError


class OrganisationResource(ContactResourceMixin, resources.ModelResource):
    required_fields = ("name",)

    id = fields.Field(attribute="id", column_name="ID", widget=widgets.IntegerWidget())
    name = fields.Field(attribute="name", column_name=_("name"))
    short_name = fields.Field(attribute="short_name", column_name=_("short name"))
    kind = fields.Field(attribute="kind", column_name=_("kind"))
    parent = fields.Field(
        attribute="parent",
        column_name=_("parent organisation (ID)"),
        widget=widgets.ForeignKeyWidget(Organisation),
    )
    parent_name = fields.Field(
        attribute="parent__name", column_name=_("parent organisation"), readonly=True
    )
    address = fields.Field(attribute="address", column_name=_("address"))
    phone = fields.Field(attribute="phone", column_name=_("phone"))
    email = fields.Field(attribute="email", column_name=_("e-mail"))
    website = fields.Field(attribute="website", column_name=_("website"))

    class Meta:
        model = Organisation
        fields = (
            "id",
            "name",
            "short_name",
            "kind",
            "parent",
            "parent_name",
            "address",
            "phone",
            "email",
            "website",
        )
        import_id_fields = ("id",)
        clean_model_instances = True

    def get_queryset(self):
        return super().get_queryset().select_related("parent")

    def duplicate_message(self, instance, seen: dict) -> str:
        key = ("org", instance.parent_id, services.normalise_org_name(instance.name))
        if key in seen:
            return gettext("The same organisation as in row %(row)s.") % {"row": seen[key]}
        seen[key] = self._row
        existing = services.find_organisation_duplicate(
            name=instance.name, parent_id=instance.parent_id, exclude_pk=instance.pk
        )
        if existing is None:
            return ""
        return gettext(
            "Possible duplicate of organisation #%(pk)s “%(name)s” (same name). "
            "Merge the records in the admin instead of importing this row."
        ) % {"pk": existing.pk, "name": existing.name}


class PersonResource(ContactResourceMixin, resources.ModelResource):
    required_fields = ("last_name",)

    id = fields.Field(attribute="id", column_name="ID", widget=widgets.IntegerWidget())
    salutation = fields.Field(attribute="salutation", column_name=_("salutation"))
    title = fields.Field(attribute="title", column_name=_("academic title"))
    first_name = fields.Field(attribute="first_name", column_name=_("first name"))
    last_name = fields.Field(attribute="last_name", column_name=_("last name"))
    function = fields.Field(attribute="function", column_name=_("function"))
    organisation = fields.Field(
        attribute="organisation",
        column_name=_("organisation (ID)"),
        widget=widgets.ForeignKeyWidget(Organisation),
    )
    organisation_name = fields.Field(
        attribute="organisation__name", column_name=_("organisation"), readonly=True
    )
    phone = fields.Field(attribute="phone", column_name=_("phone"))
    email = fields.Field(attribute="email", column_name=_("e-mail"))
    public_contact = fields.Field(
        attribute="public_contact",
        column_name=_("contact details public"),
        widget=BooleanWidget(),
    )
    # Shown in the import preview only: a consent given or withdrawn by this row.
    consent = fields.Field(
        attribute="consent_change", column_name=_("consent change"), readonly=True
    )

    class Meta:
        model = Person
        fields = (
            "id",
            "salutation",
            "title",
            "first_name",
            "last_name",
            "function",
            "organisation",
            "organisation_name",
            "phone",
            "email",
            "public_contact",
            "consent",
        )
        import_id_fields = ("id",)
        clean_model_instances = True

    def get_queryset(self):
        return super().get_queryset().select_related("organisation")

    def import_instance(self, instance, row, **kwargs):
        before = instance.public_contact if instance.pk else False
        super().import_instance(instance, row, **kwargs)
        if instance.public_contact != before:
            # saved with the consent as it was; ``contact_consent_set`` records the change
            instance._consent_wanted = instance.public_contact
            instance.public_contact = before
            instance.consent_change = (
                f"{gettext('Consent: contact details public')} – "
                f"{services.consent_label(instance._consent_wanted)}"
            )

    def after_save_instance(self, instance, row, **kwargs):
        super().after_save_instance(instance, row, **kwargs)
        wanted = getattr(instance, "_consent_wanted", None)
        if wanted is None:
            return
        user = kwargs.get("user")
        services.contact_consent_set(
            instance,
            public=wanted,
            source=ContactConsent.Source.IMPORTED,
            note=gettext("Import of the file “%(name)s”")
            % {"name": kwargs.get("file_name") or "–"},
            acting_user=user,
        )

    def duplicate_message(self, instance, seen: dict) -> str:
        row_number = self._row
        email = services.normalise_email(instance.email)
        name = services.person_key(instance)
        for key in (("email", email), ("name", instance.organisation_id, name)):
            if key[-1] and key in seen:
                return gettext("The same person as in row %(row)s.") % {"row": seen[key]}
        for key in (("email", email), ("name", instance.organisation_id, name)):
            if key[-1]:
                seen[key] = row_number
        duplicate = services.find_person_duplicate(
            first_name=instance.first_name,
            last_name=instance.last_name,
            email=instance.email,
            organisation_id=instance.organisation_id,
            exclude_pk=instance.pk,
        )
        if duplicate is None:
            return ""
        reason = (
            gettext("same e-mail address")
            if duplicate.reason == "email"
            else gettext("same name in the same organisation")
        )
        return gettext(
            "Possible duplicate of person #%(pk)s “%(name)s” (%(reason)s). "
            "Merge the records in the admin instead of importing this row."
        ) % {"pk": duplicate.existing.pk, "name": duplicate.existing, "reason": reason}
