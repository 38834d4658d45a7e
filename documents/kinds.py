"""Document kinds: what a document shows. The app decides how it is rendered, cached and served.

A kind names its template and a context builder; ``register`` adds one (the campaign brief
is one more). The plan, field and measure documents are registered here.
"""

from collections.abc import Callable
from dataclasses import dataclass

from . import campaigns, plans


@dataclass(frozen=True)
class DocumentKind:
    name: str
    template: str
    context: Callable  # (DocumentRequest) -> dict
    measure_count: Callable  # (DocumentRequest) -> int: the size that picks inline or worker


KINDS: dict[str, DocumentKind] = {}


def register(kind: DocumentKind) -> DocumentKind:
    KINDS[kind.name] = kind
    return kind


def get(name: str) -> DocumentKind:
    try:
        return KINDS[name]
    except KeyError:
        raise ValueError(f"Unknown document kind {name!r}") from None


PLAN = register(
    DocumentKind("plan", "documents/plan.html", plans.plan_context, plans.measure_count)
)
FIELD = register(
    DocumentKind("field", "documents/field.html", plans.field_context, plans.measure_count)
)
MEASURE = register(
    DocumentKind("measure", "documents/measure.html", plans.measure_context, plans.measure_count)
)
VERSION = register(
    DocumentKind(
        "version", "documents/plan.html", plans.version_context, plans.version_measure_count
    )
)
CAMPAIGN = register(
    DocumentKind(
        "campaign", "documents/campaign.html", campaigns.campaign_context, campaigns.measure_count
    )
)
