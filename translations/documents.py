"""English texts in JSON documents (the whole plan ``planwerk.plan/1``, the campaigns).

A translated German key ``K`` gets a sibling ``K_en`` in the same object when it has an English
text (an empty English text is left out, so an untranslated object's entry is what it was
before English existed). Beside them, ``translation_outdated`` and ``machine_translated`` list
the fields (model field names) whose English text is possibly outdated or unchecked machine
output; both are left out when empty.

Import: a ``K_en`` key the document leaves out keeps the English text as stored (an old
document changes no English text and no mark); a ``K_en`` key that is present sets it, an
empty string clears it. For each field whose ``K_en`` the document gives, a mark it lists is
set; an import which changes the German text and leaves the English one as it was marks it
possibly outdated, as any other edit of the German text does. A mark the document leaves out
is not cleared while both texts stay as they are (importing the same document twice changes
nothing); it ends with a new English text or a person's confirmation.
"""

from __future__ import annotations

from . import registry
from .services import translation_marks

OUTDATED_KEY = "translation_outdated"
MACHINE_KEY = "machine_translated"
MARK_KEYS = (OUTDATED_KEY, MACHINE_KEY)


def english_entries(obj, keys: dict[str, str] | None = None) -> dict:
    """``{"title_en": …}`` for the English texts ``obj`` has (``keys``: model field → document
    key where they differ, ``lead_note`` → ``note``), in the order of the registry."""
    keys = keys or {}
    result = {}
    for field in registry.fields_of(obj):
        english = getattr(obj, registry.english(field)) or ""
        if english.strip():
            result[registry.english(keys.get(field, field))] = english
    return result


def mark_entries(obj) -> dict:
    """``{"translation_outdated": [...], "machine_translated": [...]}``, each only if not empty."""
    outdated, machine = translation_marks(obj)
    result = {}
    if outdated:
        result[OUTDATED_KEY] = outdated
    if machine:
        result[MACHINE_KEY] = machine
    return result


def translated_entries(obj, keys: dict[str, str] | None = None) -> dict:
    """The English texts and their marks: what a document adds to ``obj``'s entry."""
    return {**english_entries(obj, keys), **mark_entries(obj)}


def english_keys(model, keys: dict[str, str] | None = None) -> set[str]:
    """The ``_en`` keys an entry of ``model`` may have."""
    keys = keys or {}
    return {registry.english(keys.get(field, field)) for field in registry.fields_of(model)}


def validate(spec: dict, model, path: str, keys: dict[str, str] | None = None, *, marks=True):
    """``(path, message)`` for ``_en`` values that are not text and marks that name no field."""
    keys = keys or {}
    errors = []
    for field in registry.fields_of(model):
        key = registry.english(keys.get(field, field))
        if key in spec and not isinstance(spec[key], str):
            errors.append((f"{path}.{key}", "must be text"))
    if marks:
        fields = set(registry.fields_of(model))
        for mark in MARK_KEYS:
            value = spec.get(mark, [])
            if not isinstance(value, list) or not all(
                isinstance(f, str) and f in fields for f in value
            ):
                errors.append(
                    (f"{path}.{mark}", f"must be a list of fields out of {sorted(fields)}")
                )
    return errors


def english_values(spec: dict, model, keys: dict[str, str] | None = None) -> dict:
    """The English texts the document gives for ``model``'s fields: ``{"title_en": …}``
    (keys it leaves out are left out: those texts stay as stored)."""
    keys = keys or {}
    result = {}
    for field in registry.fields_of(model):
        key = registry.english(keys.get(field, field))
        if key in spec:
            result[registry.english(field)] = spec[key] or ""
    return result


def marks_given(spec: dict, model, keys: dict[str, str] | None = None) -> dict:
    """``{field: (outdated, machine)}`` for the fields whose English text the document gives."""
    keys = keys or {}
    outdated = set(spec.get(OUTDATED_KEY) or ())
    machine = set(spec.get(MACHINE_KEY) or ())
    return {
        field: (field in outdated, field in machine)
        for field in registry.fields_of(model)
        if registry.english(keys.get(field, field)) in spec
    }


def stored_mark(obj, field: str) -> tuple[bool, bool] | None:
    """``(outdated, machine)`` of a stored English text; None without one."""
    from .selectors import field_status

    status = field_status(obj, field)
    if status in ("empty", "missing"):
        return None
    entry = (obj.translation_state or {}).get(field) or {}
    return (status == "outdated", bool(entry.get("machine")))


def mark_label(mark: tuple[bool, bool] | None) -> str:
    from django.utils.translation import gettext as _

    if mark is None:
        return "–"
    outdated, machine = mark
    parts = []
    if outdated:
        parts.append(_("possibly outdated"))
    if machine:
        parts.append(_("machine-translated"))
    return ", ".join(parts) or _("current")


def compare_marks(model, stored, given: dict, old: dict, new: dict):
    """The marks an import sets and how they differ from the stored ones.

    ``given``: ``marks_given`` of the document; ``old``/``new``: the row's texts before and
    after (German and English keys). Returns ``(marks, diffs)``: ``{field: (outdated,
    machine)}`` to set before saving (``translation_marks_set``), and ``(label, old, new)``
    for the list of changes (a mark that changes alone is a change of its own)."""
    from django.utils.encoding import force_str
    from django.utils.translation import gettext as _

    marks, diffs = {}, []
    for field, (outdated, machine) in given.items():
        english = registry.english(field)
        if not (new.get(english) or "").strip():
            continue
        if (
            stored is not None
            and old.get(field) != new.get(field)
            and old.get(english) == new.get(english)
        ):
            outdated = True  # the German text changed under its English one
        before = stored_mark(stored, field) if stored is not None else None
        if (
            before is not None
            and old.get(field) == new.get(field)
            and old.get(english) == new.get(english)
        ):
            # texts unchanged: a document that does not list a mark does not clear it (only
            # a new English text or a person's confirmation does), so importing the same
            # document twice changes nothing
            outdated, machine = outdated or before[0], machine or before[1]
        marks[field] = (outdated, machine)
        if before is None and not (outdated or machine):
            continue  # a new English text, current: its text is the change
        if before != marks[field]:
            label = _("translation state of %(field)s") % {
                "field": force_str(model._meta.get_field(english).verbose_name)
            }
            diffs.append((label, mark_label(before), mark_label(marks[field])))
    return marks, diffs


def apply_marks(obj, marks: dict) -> None:
    """Before saving ``obj``: the marks ``compare_marks`` planned."""
    from .services import translation_marks_set

    if marks:
        translation_marks_set(
            obj,
            list(marks),
            outdated={f for f, (o, _m) in marks.items() if o},
            machine={f for f, (_o, m) in marks.items() if m},
        )
