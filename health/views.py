"""``/health/``: every component, for monitoring; ``/health/web/``: what a web server needs,
for the load balancer. Both answer JSON, 200 when every component asked is ok, else 503."""

from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import checks


def _answer(components) -> JsonResponse:
    healthy = all(component.ok for component in components)
    return JsonResponse(
        {
            "status": "ok" if healthy else "fail",
            "components": {c.name: c.as_dict() for c in components},
        },
        status=200 if healthy else 503,
    )


@never_cache
@require_GET
def full(request):
    return _answer(checks.run())


@never_cache
@require_GET
def web(request):
    return _answer(checks.run(checks.WEB))
