"""Writes that concern translations: the state kept beside each English text."""

import hashlib

from . import registry


def text_hash(text: str | None) -> str:
    """A short fingerprint of a text (surrounding white space ignored)."""
    return hashlib.sha256((text or "").strip().encode()).hexdigest()[:12]


def record_translation_state(sender, instance, raw=False, **kwargs):
    """``pre_save`` of every translated model (connected in ``apps.py``).

    When an English text is new or was changed, remember the German text it was written for;
    an English text that stays while its German source changes is then *possibly outdated*.
    A text written by the machine translator (``instance._machine_translated`` holds its
    fields) is marked as such until a person changes or confirms it. Fixtures and backups
    (``raw``) bring their state with them.
    """
    if raw:
        return
    state = dict(instance.translation_state or {})
    machine = getattr(instance, "_machine_translated", ())
    for field in registry.fields_of(instance):
        english = getattr(instance, registry.english(field)) or ""
        if not english.strip():
            state.pop(field, None)
            continue
        entry = state.get(field) or {}
        english_hash = text_hash(english)
        if entry.get("en") != english_hash or field in machine:
            entry = {"de": text_hash(getattr(instance, field)), "en": english_hash}
            if field in machine:
                entry["machine"] = True
            state[field] = entry
    instance.translation_state = state


def translation_confirm(obj, fields=None) -> list[str]:
    """A person checked the English texts ``fields`` (default: all) against the German ones:
    they are current again and no longer marked as machine-translated. Saves ``obj`` (so the
    confirmation is in its history); returns the confirmed fields."""
    state = dict(obj.translation_state or {})
    confirmed = []
    for field in fields or registry.fields_of(obj):
        english = getattr(obj, registry.english(field)) or ""
        if not english.strip():
            continue
        state[field] = {"de": text_hash(getattr(obj, field)), "en": text_hash(english)}
        confirmed.append(field)
    obj.translation_state = state
    obj.save()
    return confirmed


#: The German fingerprint of an English text marked *possibly outdated* by a document or a
#: backup that did not carry the German text it was written for: no German text has it.
OUTDATED = "outdated"


def translation_marks(obj) -> tuple[list[str], list[str]]:
    """The marks a document writes beside ``obj``'s English texts: the fields whose English
    text is possibly outdated, and those that are unchecked machine output (a text can be
    both: the machine wrote it, then the German changed)."""
    from .selectors import field_status

    outdated, machine = [], []
    state = obj.translation_state or {}
    for field in registry.fields_of(obj):
        status = field_status(obj, field)
        if status in ("empty", "missing"):
            continue
        if status == "outdated":
            outdated.append(field)
        if status == "machine" or (state.get(field) or {}).get("machine"):
            machine.append(field)
    return outdated, machine


def translation_marks_set(obj, fields, *, outdated=(), machine=()) -> None:
    """Give the English texts of ``fields`` the marks a document carries, before ``obj`` is
    saved (the ``pre_save`` signal keeps them: the English text is the one marked): listed in
    ``outdated`` → possibly outdated, in ``machine`` → machine output, neither → current.
    Fields without an English text have no marks. Does not save."""
    state = dict(obj.translation_state or {})
    for field in fields:
        english = getattr(obj, registry.english(field)) or ""
        if not english.strip():
            state.pop(field, None)
            continue
        entry = {"de": text_hash(getattr(obj, field)), "en": text_hash(english)}
        if field in outdated:
            entry["de"] = OUTDATED
        if field in machine:
            entry["machine"] = True
        state[field] = entry
    obj.translation_state = state
