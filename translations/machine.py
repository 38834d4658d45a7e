"""Machine-translation assist (optional, off by default).

A translator turns German texts into English drafts: ``translate(texts) -> texts`` in the same
order. ``get_translator()`` returns the configured one, or None — then nothing in the admin
offers machine translation:

- ``PLANWERK_MACHINE_TRANSLATOR``: the dotted path of a translator class (constructed without
  arguments), e.g. one of your own;
- else ``PLANWERK_DEEPL_AUTH_KEY``: DeepL's API through the official ``deepl`` client
  (``DeepLTranslator``; ``PLANWERK_DEEPL_TARGET_LANG`` picks ``EN-GB`` or ``EN-US``).

``machine_translate_fill(obj, translator)`` fills only *empty* English texts of ``obj`` (and of
the inline rows that belong to it, ``history.registry.children_of``), marks them as machine
output (``obj._machine_translated``: “maschinell übersetzt” until a person changes or confirms
them) and saves through the normal path, so each object gets one history entry.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.module_loading import import_string

from . import registry


class MachineTranslationError(Exception):
    """The translator could not translate (network, quota, key); nothing was saved."""


class Translator:
    """The interface: German texts in, English texts out, same order and number."""

    name = "translator"

    def translate(self, texts: list[str]) -> list[str]:  # pragma: no cover - interface
        raise NotImplementedError


class DeepLTranslator(Translator):
    """DeepL's API (``deepl`` client); only built when an authentication key is configured."""

    name = "DeepL"

    def __init__(self, auth_key: str | None = None, target_lang: str | None = None):
        auth_key = auth_key or getattr(settings, "PLANWERK_DEEPL_AUTH_KEY", "")
        if not auth_key:
            raise MachineTranslationError("PLANWERK_DEEPL_AUTH_KEY is not set.")
        import deepl

        self.target_lang = target_lang or getattr(settings, "PLANWERK_DEEPL_TARGET_LANG", "EN-US")
        self._client = deepl.Translator(auth_key)

    def translate(self, texts: list[str]) -> list[str]:
        import deepl

        if not texts:
            return []
        try:
            results = self._client.translate_text(
                texts, source_lang="DE", target_lang=self.target_lang, preserve_formatting=True
            )
        except deepl.DeepLException as exc:
            raise MachineTranslationError(str(exc)) from exc
        return [result.text for result in results]


def get_translator() -> Translator | None:
    """The configured translator, or None (the default: no machine translation)."""
    path = getattr(settings, "PLANWERK_MACHINE_TRANSLATOR", "")
    if path:
        return import_string(path)()
    if getattr(settings, "PLANWERK_DEEPL_AUTH_KEY", ""):
        return DeepLTranslator()
    return None


def _empty_fields(obj) -> list[str]:
    return [
        field
        for field in registry.fields_of(obj)
        if (getattr(obj, field) or "").strip()
        and not (getattr(obj, registry.english(field)) or "").strip()
    ]


def _with_rows(obj) -> list:
    from history.registry import children_of

    objects = [obj]
    for child, fk in children_of(type(obj)):
        if registry.fields_of(child):
            objects += list(child._default_manager.filter(**{fk: obj}).order_by("pk"))
    return objects


def machine_translate_fill(obj, translator: Translator, *, rows: bool = True) -> list[tuple]:
    """Fill the empty English texts of ``obj`` (and, with ``rows``, of its inline rows) with
    ``translator``'s output, marked as machine-translated. All texts go to the translator in
    one call; nothing is saved if it fails. Returns the filled ``(object, field)`` pairs."""
    objects = _with_rows(obj) if rows else [obj]
    wanted = [(o, f) for o in objects for f in _empty_fields(o)]
    if not wanted:
        return []
    english = translator.translate([getattr(o, f) for o, f in wanted])
    if len(english) != len(wanted):
        raise MachineTranslationError("The translator returned a different number of texts.")
    filled: dict[int, tuple] = {}
    for (o, field), text in zip(wanted, english, strict=True):
        text = (text or "").strip()
        limit = type(o)._meta.get_field(registry.english(field)).max_length
        if not text or (limit and len(text) > limit):
            continue  # stays empty for a person to write
        setattr(o, registry.english(field), text)
        filled.setdefault(id(o), (o, set()))[1].add(field)
    done = []
    for o, fields in filled.values():
        o._machine_translated = fields
        if o is not obj:
            o._history_user = getattr(obj, "_history_user", None)
        o.save()
        del o._machine_translated
        done += [(o, f) for f in sorted(fields)]
    return done
