from django.utils.translation import gettext_lazy as _
from import_export import fields, resources
from import_export.widgets import BooleanWidget

from imports import widgets
from imports.resources import PlanwerkResourceMixin

from .models import Organisation, Person


class OrganisationResource(PlanwerkResourceMixin, resources.ModelResource):
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


class PersonResource(PlanwerkResourceMixin, resources.ModelResource):
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
        )
        import_id_fields = ("id",)
        clean_model_instances = True

    def get_queryset(self):
        return super().get_queryset().select_related("organisation")
