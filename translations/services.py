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
