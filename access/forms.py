"""Forms of the access app: the admin's sign-in and the invitation of a new member."""

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import rules
from .models import Membership


def support_email() -> str:
    """Whom to ask for access besides the plan's coordinators: PLANWERK_SUPPORT_EMAIL, else the
    first of ADMINS."""
    if getattr(settings, "PLANWERK_SUPPORT_EMAIL", ""):
        return settings.PLANWERK_SUPPORT_EMAIL
    for admin in getattr(settings, "ADMINS", ()):
        return admin[1] if isinstance(admin, tuple | list) else str(admin)
    return ""


class AdminLoginForm(AdminAuthenticationForm):
    """The admin's sign-in: a wrong password gets Django's plain message (no “staff account”);
    right credentials without a membership are told that access is still missing and whom to
    ask. django-axes counts and locks as before (it decides in the authentication backend)."""

    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "invalid_login": AuthenticationForm.error_messages["invalid_login"],
    }

    def confirm_login_allowed(self, user):
        AuthenticationForm.confirm_login_allowed(self, user)
        if not rules.may_use_admin(user):
            raise ValidationError(self.no_access_message(), code="no_access")

    @staticmethod
    def no_access_message() -> str:
        message = gettext(
            "Your user name and password are correct, but your account has no access to the "
            "editing area yet. Access is given by the coordination of your plan or campaign: "
            "please ask them to add you as a member."
        )
        address = support_email()
        if address:
            message += " " + gettext("If you do not know whom to ask, write to %(email)s.") % {
                "email": address
            }
        return message


class InvitationForm(forms.Form):
    """Invite a person by e-mail into a plan or campaign (the coordinator's form)."""

    email = forms.EmailField(label=_("e-mail address"), max_length=254)
    first_name = forms.CharField(label=_("first name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("last name"), max_length=150, required=False)
    role = forms.ChoiceField(label=_("role"))
    organisation = forms.ModelChoiceField(
        label=_("organisation"),
        queryset=None,
        required=False,
        help_text=_("Editors of a plan need one: they edit the measures of this organisation."),
    )

    def __init__(self, *args, acting_user, target, **kwargs):
        super().__init__(*args, **kwargs)
        from contacts.models import Organisation

        self.acting_user, self.target = acting_user, target
        labels = dict(Membership.Role.choices)
        self.fields["role"].choices = [
            (role, labels[role]) for role in rules.grantable_roles(acting_user, target)
        ]
        self.fields["organisation"].queryset = Organisation.objects.order_by("name")

    def clean_email(self):
        return self.cleaned_data["email"].strip()

    def clean(self):
        cleaned = super().clean()
        if not rules.grantable_roles(self.acting_user, self.target):
            raise ValidationError(
                _("Only the coordinators of this plan or campaign may invite members."),
                code="no_right",
            )
        plan_editor = cleaned.get("role") == rules.EDITOR and self.target._meta.model_name == "plan"
        if plan_editor and not cleaned.get("organisation"):
            self.add_error("organisation", _("An editor of a plan needs an organisation."))
        return cleaned
