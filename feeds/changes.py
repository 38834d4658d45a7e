"""What a public reader learns from a measure's change history: when it was published, when its
published content last changed, and that change in words (from ``history.diff``).

Only published versions count: a change is the difference between the latest published
version and the published version before it, so draft texts written in between never show.
Rows written by one operation are one version: rows with the same change reason and author,
each within ``OPERATION_GAP`` of the one before (an import saves a measure several times with
one reason; quick successive saves of one editor read as one change). So loading the demo data
creates measures, it does not change them. Creating a measure is reported as "New"
(decision: the first publication is news for a subscriber, so it stays an entry; a later
import of the same document is a change again once ``OPERATION_GAP`` has passed).
"""

import datetime
from dataclasses import dataclass

from django.utils.text import Truncator
from django.utils.translation import gettext

from access.rules import public_field_names
from actionplan.models import Measure
from history.diff import VersionDiff, compare
from history.registry import children_of

# Rows with the same change reason and author this close together are one operation.
OPERATION_GAP = datetime.timedelta(minutes=5)
# How many published versions back a change with something public to say is looked for.
MAX_COMPARISONS = 5
LABEL_WORDS = 12
# Field values shorter than this are shown as "old → new"; longer texts by their name only.
SHORT_VALUE = 40


@dataclass
class MeasureChange:
    published: datetime.datetime  # first published
    updated: datetime.datetime  # the reported change (or the first publication)
    lines: list[str]  # what changed, in words; empty for a new measure


def _same_operation(earlier, later) -> bool:
    return (
        later.history_change_reason == earlier.history_change_reason
        and later.history_user_id == earlier.history_user_id
        and later.history_date - earlier.history_date <= OPERATION_GAP
    )


def published_versions(rows) -> list:
    """The last history row of each operation after which the measure was published, newest
    first. ``rows``: one measure's history rows, newest first."""
    rows = list(rows)
    operations: list[list] = []
    for row in reversed(rows):  # oldest first
        if operations and _same_operation(operations[-1][-1], row):
            operations[-1].append(row)
        else:
            operations.append([row])
    return [op[-1] for op in reversed(operations) if op[-1].state == Measure.State.PUBLISHED]


def _public_labels(model) -> tuple[set[str], set[str]]:
    """(labels of public fields, labels of those whose values may be quoted)."""
    names = public_field_names(model)
    public, quotable = set(), set()
    for f in model._meta.get_fields():
        if f.name in names and hasattr(f, "verbose_name"):
            public.add(str(f.verbose_name))
            # choices and plain values; the names of other rows (related measures may be
            # drafts) are not quoted
            if not f.is_relation:
                quotable.add(str(f.verbose_name))
    return public, quotable


def _fields_text(changes, model) -> list[str]:
    public, quotable = _public_labels(model)
    parts = []
    for change in changes:
        if change.label not in public:
            continue
        short = change.words is None and max(len(change.old), len(change.new)) < SHORT_VALUE
        if change.label in quotable and short:
            parts.append(f"{change.label}: {change.old} → {change.new}")
        else:
            parts.append(change.label)
    return parts


def describe(diff: VersionDiff) -> list[str]:
    """The public changes of ``diff`` in words, one line per kind of change."""
    model = diff.old.instance_type
    lines = []
    fields = _fields_text(diff.fields, model)
    if fields:
        lines.append(gettext("Changed: %(fields)s") % {"fields": ", ".join(fields)})
    for (child, _fk), child_diff in zip(children_of(model), diff.children, strict=True):
        kind = child_diff.title

        def names(rows):
            return ", ".join(f"„{Truncator(r.label).words(LABEL_WORDS)}“" for r in rows)

        if child_diff.added:
            lines.append(
                gettext("%(kind)s added: %(rows)s")
                % {"kind": kind, "rows": names(child_diff.added)}
            )
        if child_diff.removed:
            lines.append(
                gettext("%(kind)s removed: %(rows)s")
                % {"kind": kind, "rows": names(child_diff.removed)}
            )
        changed = [r for r in child_diff.changed if _fields_text(r.changes, child)]
        if changed:
            lines.append(
                gettext("%(kind)s changed: %(rows)s") % {"kind": kind, "rows": names(changed)}
            )
    return lines


def measure_change(rows) -> MeasureChange | None:
    """The latest public change of one measure (``rows``: its history rows, newest first);
    None when it was never published."""
    versions = published_versions(rows)
    if not versions:
        return None
    first = versions[-1].history_date
    for new, old in list(zip(versions, versions[1:], strict=False))[:MAX_COMPARISONS]:
        lines = describe(compare(old, new))
        if lines:
            return MeasureChange(published=first, updated=new.history_date, lines=lines)
    return MeasureChange(published=first, updated=first, lines=[])
