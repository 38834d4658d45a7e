"""The user's notification settings, and the one-click unsubscribe link of the e-mails."""

from django.contrib import admin, messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from reminders import selectors as reminder_selectors

from . import selectors, services
from .forms import PreferencesForm
from .models import Kind
from .tokens import read_token


@require_http_methods(["GET", "POST"])
def preferences(request):
    """“Benachrichtigungen”: each kind of e-mail on or off, the weekly reminder (editors) and
    the language of the e-mails. Served inside the admin (``admin_view``: members only)."""
    user = request.user
    with_reminder = reminder_selectors.audience().filter(pk=user.pk).exists()
    if request.method == "POST":
        form = PreferencesForm(request.POST, with_reminder=with_reminder)
        if form.is_valid():
            services.preferences_save(
                user=user,
                kinds={kind: form.cleaned_data[kind] for kind in Kind.values},
                language=form.cleaned_data["language"],
                weekly_reminder=form.cleaned_data.get("weekly_reminder"),
            )
            messages.success(request, gettext("Your notification settings were saved."))
            return redirect("notifications:preferences")
    else:
        initial = {
            **selectors.preferences_for(user),
            "language": reminder_selectors.language_for(user),
            "weekly_reminder": reminder_selectors.subscribed(user),
        }
        form = PreferencesForm(initial=initial, with_reminder=with_reminder)
    context = {
        **admin.site.each_context(request),
        "title": gettext("Notifications"),
        "form": form,
    }
    return render(request, "notifications/preferences.html", context)


# No CSRF token: mail programs POST "List-Unsubscribe=One-Click" without cookies (RFC 8058),
# and a forged request would need the signed token, which only the recipient has.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token):
    """GET asks for confirmation (link scanners must not unsubscribe anyone); POST, from the
    page's button or the mail program, switches the kind off. No login needed: the signed link
    is the authorisation."""
    data = read_token(token)
    if data is None:
        return render(request, "notifications/unsubscribe.html", {"outcome": "invalid"}, status=400)
    outcome = "confirm"
    if request.method == "POST":
        outcome = "done" if services.notification_opt_out(token=token) else "invalid"
    context = {"outcome": outcome, "kind_label": Kind(data[1]).label}
    return render(
        request,
        "notifications/unsubscribe.html",
        context,
        status=400 if outcome == "invalid" else 200,
    )
