"""The second factor's pages in the admin's frame: setting it up (QR code, the key as text,
confirm with a code, recovery codes once), the second step of the sign-in, the person's own
page (new recovery codes, removal) and a superuser's reset of another person's device.
Login and membership come from the admin site (``admin_view`` in urls.py); the gate that sends
people here is ``twofactor.middleware``."""

from base64 import b32encode
from urllib.parse import urlencode

import segno
from django.contrib import admin, messages
from django.contrib.auth import REDIRECT_FIELD_NAME, get_user_model
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp import user_has_device

from access import rules

from . import policy, services
from .forms import CodeForm, RemoveForm, SetupForm


def _next_url(request) -> str:
    target = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME, "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("admin:index")


def _context(request, title, **extra):
    context = {**admin.site.each_context(request), "title": title, **extra}
    if policy.pending_step(request):
        # nothing of the admin before the second step: its links would only lead back here
        context["is_nav_sidebar_enabled"] = False
        context["available_apps"] = []
    return context


def _grouped(key: str) -> str:
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


@never_cache
def setup(request):
    """Set up an authenticator app: the QR code and the key, confirmed with a code."""
    user = request.user
    if user_has_device(user, confirmed=True):
        return redirect("twofactor:manage")
    device = services.totp_device_for_setup(user=user)
    form = SetupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = services.twofactor_enrol(
            device=device, code=form.cleaned_data["code"], request=request
        )
        if codes is not None:
            messages.success(request, _("Two-factor authentication is set up."))
            query = urlencode({REDIRECT_FIELD_NAME: _next_url(request)})
            return redirect(f"{reverse('twofactor:codes')}?{query}")
        form.add_error("code", _("This code is not right. Enter the code the app shows now."))
    qr = segno.make(device.config_url, error="m")
    context = _context(
        request,
        _("Set up two-factor authentication"),
        form=form,
        qr_svg=qr.svg_inline(scale=5, border=2, title=_("QR code for the authenticator app")),
        secret=_grouped(b32encode(device.bin_key).decode()),
        required=rules.must_use_second_factor(user),
        next=_next_url(request),
    )
    return render(request, "twofactor/setup.html", context)


@never_cache
def codes(request):
    """The fresh recovery codes, shown once (the gate forgets them on the next other page)."""
    fresh = request.session.get(policy.FRESH_CODES_SESSION_KEY)
    if not fresh:
        return redirect("twofactor:manage")
    context = _context(request, _("Your recovery codes"), codes=fresh, next=_next_url(request))
    return render(request, "twofactor/codes.html", context)


@never_cache
def codes_download(request):
    """The fresh recovery codes as a text file."""
    fresh = request.session.get(policy.FRESH_CODES_SESSION_KEY)
    if not fresh:
        raise Http404
    text = "\n".join(
        [
            _("Planwerk recovery codes for %(user)s") % {"user": request.user.get_username()},
            _("Each code works once, when the app is not at hand."),
            "",
            *fresh,
            "",
        ]
    )
    response = HttpResponse(text, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="planwerk-recovery-codes.txt"'
    return response


@never_cache
def verify(request):
    """The second step of the sign-in: a code from the app or a recovery code."""
    user = request.user
    target = _next_url(request)
    if policy.is_verified(request):
        return redirect(target)
    if not policy.remember_device(request, user):
        # no device (any more, e.g. reset by a superuser): the gate decides what comes next
        return redirect(target)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        check = services.code_check(user=user, code=form.cleaned_data["code"], request=request)
        if check.ok:
            return redirect(target)
        if check.signed_out:
            messages.error(
                request,
                _("Too many wrong codes. Please sign in again and wait before the next try."),
            )
            query = urlencode({REDIRECT_FIELD_NAME: target})
            return redirect(f"{reverse('admin:login')}?{query}")
        if check.wait:
            form.add_error(
                "code",
                ngettext(
                    "Too many wrong codes. Please wait %(seconds)d second before the next try.",
                    "Too many wrong codes. Please wait %(seconds)d seconds before the next try.",
                    check.wait,
                )
                % {"seconds": check.wait},
            )
        else:
            form.add_error("code", _("This code is not right."))
    context = _context(request, _("Second step of the sign-in"), form=form, next=target)
    return render(request, "twofactor/verify.html", context)


def _manage_page(request, remove_form):
    user = request.user
    has_device = user_has_device(user, confirmed=True)
    context = _context(
        request,
        _("Two-factor authentication"),
        has_device=has_device,
        codes_left=services.recovery_codes_left(user) if has_device else 0,
        required=rules.must_use_second_factor(user),
        sso=policy.trusts_sso(request),
        remove_form=remove_form,
    )
    return render(request, "twofactor/manage.html", context)


@never_cache
def manage(request):
    """The person's own page: whether a second factor is set up, new recovery codes, removal."""
    return _manage_page(request, RemoveForm())


@require_POST
def codes_renew(request):
    if not user_has_device(request.user, confirmed=True):
        return redirect("twofactor:manage")
    services.recovery_codes_renew(user=request.user, request=request)
    return redirect("twofactor:codes")


@never_cache
@require_POST
def remove(request):
    """Remove one's own device, after a current code."""
    user = request.user
    form = RemoveForm(request.POST)
    if form.is_valid():
        check = services.code_check(
            user=user, code=form.cleaned_data["code"], request=request, sign_in=False
        )
        if check.ok:
            services.twofactor_remove(user=user, acting_user=user, request=request)
            messages.success(request, _("Two-factor authentication was removed."))
            return redirect("twofactor:manage")
        form.add_error("code", _("This code is not right."))
    return _manage_page(request, form)


@never_cache
def reset(request, user_id):
    """A superuser removes another person's second factor (a lost phone)."""
    if not rules.may_reset_second_factor(request.user):
        raise PermissionDenied
    person = get_object_or_404(get_user_model(), pk=user_id)
    if request.method == "POST":
        services.twofactor_remove(user=person, acting_user=request.user, request=request)
        messages.success(
            request,
            _("Two-factor authentication of %(user)s was reset.") % {"user": person.get_username()},
        )
        return redirect("admin:auth_user_change", person.pk)
    context = _context(
        request,
        _("Reset two-factor authentication"),
        person=person,
        has_device=user_has_device(person, confirmed=True),
    )
    return render(request, "twofactor/reset.html", context)
