"""The one-click opt-out: works without login; the signed link is the authorisation."""

from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from . import services
from .services import OptOut

STATUS = {OptOut.DONE: 200, OptOut.USED: 410, OptOut.INVALID: 400}


# No CSRF token: mail programs POST "List-Unsubscribe=One-Click" without cookies (RFC 8058),
# and a forged request would need the signed token, which only the recipient has.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token):
    """GET asks for confirmation (link scanners must not unsubscribe anyone); POST, from the
    page's button or the mail program, unsubscribes."""
    if request.method == "POST":
        outcome = services.reminder_opt_out(token=token)
        return render(
            request,
            "reminders/unsubscribe.html",
            {"outcome": outcome.value},
            status=STATUS[outcome],
        )
    outcome = services.token_status(token)
    status = 200 if outcome is None else STATUS[outcome]
    context = {"outcome": outcome.value if outcome else "confirm"}
    return render(request, "reminders/unsubscribe.html", context, status=status)
