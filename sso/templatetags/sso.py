from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext

from sso import conf

register = template.Library()


@register.inclusion_tag("sso/includes/_login_button.html", takes_context=True)
def sso_login_button(context):
    """The button “Mit dem Konto der Stadt anmelden” on the sign-in page, when SSO is on."""
    if not conf.enabled():
        return {"url": None}
    url = reverse("oidc_authentication_init")
    next_url = context.get("next") or ""
    if next_url:
        url += "?" + urlencode({"next": next_url})
    label = getattr(settings, "PLANWERK_OIDC_LABEL", "") or gettext(
        "Sign in with the city's account"
    )
    return {"url": url, "label": label}
