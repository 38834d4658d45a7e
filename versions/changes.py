"""What changed between two states of a plan: fields, measures and steps added, removed or
changed, with word-level differences of their texts.

Both sides are plan documents (``planwerk.plan/1``): a version's snapshot, or today's public
state from the exporter. Fields are matched by slug, measures by key (field slug / measure
slug), steps by their place in the sequence of a measure's steps (``difflib``), so removing
one step shows one removed step, not every later step as changed.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from actionplan.models import CostKind, FieldOfAction, Measure, Responsibility, years_label

ADDED, REMOVED, CHANGED = "added", "removed", "changed"
ACTION_LABELS = {
    ADDED: gettext_lazy("added"),
    REMOVED: gettext_lazy("removed"),
    CHANGED: gettext_lazy("changed"),
}

# words with the spaces before them
_WORDS = re.compile(r"\s*\S+")


def word_diff(old: str, new: str) -> SafeString:
    """``new`` with the words taken out in ``<del>`` and those put in in ``<ins>``, escaped.

    Readable without colour and when read aloud: words are compared as words (the spaces
    between them kept as written), each mark starts with a visually hidden “removed:” or
    “added:”, and replaced words are followed by their replacement after a space
    (“<del>geplant</del> <ins>abgeschlossen</ins>”, never “geplantabgeschlossen”)."""
    a, b = _WORDS.findall(old), _WORDS.findall(new)
    matcher = difflib.SequenceMatcher(
        None, [w.strip() for w in a], [w.strip() for w in b], autojunk=False
    )
    parts = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        removed, inserted = "".join(a[i1:i2]), "".join(b[j1:j2])
        if op == "equal":
            parts.append(escape(inserted))
        elif op == "delete":
            parts.append(_marked("del", removed))
        elif op == "insert":
            parts.append(_marked("ins", inserted))
        else:  # replace: the new text's spacing, the removed words, a space, the new words
            space = inserted[: len(inserted) - len(inserted.lstrip())]
            parts.append(_marked("del", space + removed.lstrip()) + " ")
            parts.append(_marked("ins", inserted.lstrip()))
    parts.append(escape(new[len(new.rstrip()) :]) if new.strip() else "")
    return mark_safe("".join(parts))  # noqa: S308 - every piece of text is escaped


def _marked(tag: str, text: str) -> str:
    """``text`` in ``<tag>`` with its hidden prefix; its leading space outside the mark."""
    core = text.lstrip()
    label = _("removed:") if tag == "del" else _("added:")
    prefix = f'<span class="visually-hidden">{escape(label)} </span>'
    return f"{escape(text[: len(text) - len(core)])}<{tag}>{prefix}{escape(core)}</{tag}>"


@dataclass
class TextChange:
    label: str
    old: str
    new: str

    @property
    def html(self) -> SafeString:
        return word_diff(self.old, self.new)


@dataclass
class Change:
    """One added, removed or changed field, measure or step."""

    kind: str  # "plan", "field", "measure", "step"
    action: str  # ADDED, REMOVED, CHANGED
    title: str
    where: str = ""  # the field or measure it belongs to
    texts: list[TextChange] = field(default_factory=list)
    content: str = ""  # the text of an added or removed step
    # where to find it: the field's and measure's slugs, in the newer document (added,
    # changed) or in the older one (removed); ``url`` is set by the view
    field_slug: str = ""
    measure_slug: str = ""
    in_old: bool = False
    url: str = ""

    @property
    def action_label(self) -> str:
        return str(ACTION_LABELS[self.action])

    @property
    def kind_label(self) -> str:
        return {
            "plan": _("Plan"),
            "field": _("Field of action"),
            "measure": _("Measure"),
            "step": _("Step"),
        }[self.kind]


@dataclass
class ChangeReport:
    changes: list[Change]

    def of(self, kind: str, action: str | None = None) -> list[Change]:
        return [c for c in self.changes if c.kind == kind and action in (None, c.action)]

    @property
    def counts(self) -> dict[str, int]:
        return {
            action: sum(1 for c in self.changes if c.action == action)
            for action in (ADDED, REMOVED, CHANGED)
        }

    def __bool__(self) -> bool:
        return bool(self.changes)

    def __len__(self) -> int:
        return len(self.changes)


class _Names:
    """Readable names of a document's organisations and people."""

    def __init__(self, document: dict):
        self.orgs = document.get("organisations", {})
        self.persons = document.get("persons", {})
        self.programmes = {
            spec.get("key"): spec.get("name", "")
            for spec in document.get("plan", {}).get("funding_programmes") or []
        }

    def programme(self, key) -> str:
        return self.programmes.get(key) or key or ""

    def org(self, key) -> str:
        return self.orgs[key]["name"] if key in self.orgs else ""

    def person(self, key) -> str:
        spec = self.persons.get(key)
        if not spec:
            return ""
        return " ".join(
            p for p in (spec.get("title"), spec.get("first_name"), spec["last_name"]) if p
        )


def _choice_label(choices, value) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value or ""


def _lines(values) -> str:
    return "\n".join(values)


def _text(entry, key: str = "text") -> str:
    """A step, sub-step or schedule entry of the document: a string, or an object that also
    carries the English text (``translations.documents``)."""
    return entry if isinstance(entry, str) else entry.get(key) or ""


def _english(entry, key: str = "text") -> str:
    return "" if isinstance(entry, str) else entry.get(f"{key}_en") or ""


def _with_english(texts: dict, spec: dict, labels: dict) -> dict[str, str]:
    """``texts`` with the English version of each translated text after it, under
    „… (englisch)“ (``labels``: label -> document key): an English-only edit is a change too."""
    result = {}
    for label, value in texts.items():
        result[label] = value
        key = labels.get(label)
        if key is not None:
            english = spec.get(f"{key}_en") or ""
            result[_("%(label)s (English)") % {"label": label}] = (
                "\n\n".join(english) if isinstance(english, list) else english
            )
    return result


def _field_texts(spec: dict, names: _Names) -> dict[str, str]:
    lead = spec.get("lead") or {}
    lead_text = ", ".join(p for p in (names.org(lead.get("organisation")), lead.get("note")) if p)
    texts = {
        _("Title"): spec["title"],
        _("Target state"): spec.get("target_state") or "",
        _("Lead"): lead_text,
        _("Contacts"): _lines(names.person(k) for k in spec.get("contacts", [])),
        _("Baseline"): _lines(b["text"] for b in spec.get("baseline", [])),
    }
    texts = _with_english(texts, spec, {_("Title"): "title", _("Target state"): "target_state"})
    texts[_("Baseline (English)")] = _lines(
        b.get("text_en") or "" for b in spec.get("baseline", [])
    ).strip()
    return texts


def _measure_texts(spec: dict, names: _Names) -> dict[str, str]:
    def party(resp):
        who = " / ".join(
            p for p in (names.person(resp.get("person")), names.org(resp.get("organisation"))) if p
        )
        role = _choice_label(Responsibility.Role, resp.get("role") or "responsible")
        return f"{role}: {who}" + (f" ({resp['note']})" if resp.get("note") else "")

    def budget(line):
        parts = [line["category"], line.get("funding_source") or ""]
        parts.append(years_label(line.get("year_from"), line.get("year_to")))
        if line.get("kind"):
            parts.append(_choice_label(CostKind, line["kind"]))
        parts.append(names.programme(line.get("programme")))
        if line.get("co_funding_rate") is not None:
            parts.append(_("co-funding rate %(rate)s %%") % {"rate": line["co_funding_rate"]})
        for attr in ("planned_amount", "actual_amount"):
            if line.get(attr) is not None:
                parts.append(f"{line[attr]} EUR")
        if line.get("person_days") is not None:
            parts.append(_("%(days)s person-days") % {"days": line["person_days"]})
        parts.append(line.get("note") or "")
        return ", ".join(p for p in parts if p)

    texts = {
        _("Code"): spec.get("code") or "",
        _("Title"): spec["title"],
        _("Description"): spec.get("description") or "",
        _("Status"): _choice_label(Measure.Status, spec.get("status") or "planned"),
        _("Target groups"): _lines(spec.get("target_groups", [])),
        _("Schedule"): _lines(_text(e, "label") for e in spec.get("schedule", [])),
        _("Responsibility"): _lines(party(r) for r in spec.get("responsibilities", [])),
        _("Budget"): _lines(budget(b) for b in spec.get("budget", [])),
    }
    texts = _with_english(texts, spec, {_("Title"): "title", _("Description"): "description"})
    texts[_("Schedule (English)")] = _lines(
        _english(e, "label") for e in spec.get("schedule", [])
    ).strip()
    return texts


def _plan_texts(spec: dict) -> dict[str, str]:
    intro = spec.get("introduction") or ""
    texts = {
        _("Title"): spec["title"],
        _("Subtitle"): spec.get("subtitle") or "",
        _("Date label"): spec.get("issued_label") or "",
        _("Introduction"): "\n\n".join(intro) if isinstance(intro, list) else intro,
        _("Funding note"): spec.get("funding_note") or "",
    }
    return _with_english(
        texts,
        spec,
        {
            _("Title"): "title",
            _("Subtitle"): "subtitle",
            _("Introduction"): "introduction",
            _("Funding note"): "funding_note",
        },
    )


def _text_changes(old: dict[str, str], new: dict[str, str]) -> list[TextChange]:
    return [TextChange(label, old[label], new[label]) for label in new if old[label] != new[label]]


def _step_text(step) -> str:
    """A step's German text (the shorthand string or the object that also carries English)."""
    return _text(step)


def _steps(spec: dict) -> list[tuple[str, str]]:
    """(number, text) of every step and sub-step, in order: “2”, “2.1”, …"""
    result = []
    for i, step in enumerate(spec.get("steps", []), start=1):
        step = {"text": step} if isinstance(step, str) else step
        result.append((str(i), _step_text(step)))
        for j, sub in enumerate(step.get("substeps", []), start=1):
            result.append((f"{i}.{j}", _step_text(sub)))
    return result


def _measure_title(field_spec: dict, spec: dict) -> str:
    """“2 A · Title”, as ``Measure.full_label`` names a measure outside its field."""
    fld = FieldOfAction(position=field_spec.get("position", 0))
    return Measure(field=fld, code=spec.get("code", ""), title=spec["title"]).full_label


def _measure_slug(spec: dict) -> str:
    return spec.get("slug") or Measure.slug_for(spec.get("code", ""), spec["title"])


def _measure_key(field_slug: str, spec: dict) -> str:
    return f"{field_slug}/{_measure_slug(spec)}"


def compare(old: dict, new: dict) -> ChangeReport:
    """The changes from document ``old`` to document ``new``, in the order of ``new``."""
    old_names, new_names = _Names(old), _Names(new)
    changes: list[Change] = []
    old_plan, new_plan = old["plan"], new["plan"]
    texts = _text_changes(_plan_texts(old_plan), _plan_texts(new_plan))
    if texts:
        changes.append(Change("plan", CHANGED, new_plan["title"], texts=texts))

    old_fields = {f["slug"]: f for f in old_plan.get("fields", [])}
    new_fields = {f["slug"]: f for f in new_plan.get("fields", [])}
    old_measures = {
        _measure_key(f["slug"], m): (f, m) for f in old_fields.values() for m in f["measures"]
    }
    new_measures = {
        _measure_key(f["slug"], m): (f, m) for f in new_fields.values() for m in f["measures"]
    }
    for slug, spec in new_fields.items():
        if slug not in old_fields:
            changes.append(Change("field", ADDED, spec["title"], field_slug=slug))
        else:
            texts = _text_changes(
                _field_texts(old_fields[slug], old_names), _field_texts(spec, new_names)
            )
            if texts:
                changes.append(
                    Change("field", CHANGED, spec["title"], texts=texts, field_slug=slug)
                )
        for measure in spec.get("measures", []):
            key = _measure_key(slug, measure)
            title = _measure_title(spec, measure)
            at = {"field_slug": slug, "measure_slug": _measure_slug(measure)}
            if key not in old_measures:
                changes.append(Change("measure", ADDED, title, where=spec["title"], **at))
                continue
            before = old_measures[key][1]
            texts = _text_changes(
                _measure_texts(before, old_names), _measure_texts(measure, new_names)
            )
            if texts:
                changes.append(
                    Change("measure", CHANGED, title, where=spec["title"], texts=texts, **at)
                )
            for change in _step_changes(_steps(before), _steps(measure), title):
                change.field_slug, change.measure_slug = at["field_slug"], at["measure_slug"]
                changes.append(change)
    for key, (fld, measure) in old_measures.items():
        if key not in new_measures:
            changes.append(
                Change(
                    "measure",
                    REMOVED,
                    _measure_title(fld, measure),
                    where=fld["title"],
                    field_slug=fld["slug"],
                    measure_slug=_measure_slug(measure),
                    in_old=True,
                )
            )
    for slug, spec in old_fields.items():
        if slug not in new_fields:
            changes.append(Change("field", REMOVED, spec["title"], field_slug=slug, in_old=True))
    return ChangeReport(changes)


def _step_changes(old: list, new: list, where: str) -> list[Change]:
    old_texts, new_texts = [t for _, t in old], [t for _, t in new]
    matcher = difflib.SequenceMatcher(None, old_texts, new_texts, autojunk=False)
    result = []

    def step_title(number):
        return _("Step %(number)s") % {"number": number}

    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        paired = min(i2 - i1, j2 - j1) if op == "replace" else 0
        for k in range(paired):
            (_n, before), (number, after) = old[i1 + k], new[j1 + k]
            result.append(
                Change(
                    "step",
                    CHANGED,
                    step_title(number),
                    where=where,
                    texts=[TextChange(_("Text"), before, after)],
                )
            )
        for number, text in old[i1 + paired : i2]:
            result.append(Change("step", REMOVED, step_title(number), where=where, content=text))
        for number, text in new[j1 + paired : j2]:
            result.append(Change("step", ADDED, step_title(number), where=where, content=text))
    return result
