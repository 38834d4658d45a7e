"""German and English side by side in the admin, built from ``translations.registry``.

``TranslatedFieldsMixin`` (change forms and inlines of every registered model): each German
field is followed by its English version on the same row, ``("title", "title_en")``, wherever
the admin lists the German one (fieldsets, ``fields``, tabular columns); the admin search also
looks in the English texts. On phones the two stack (``static/css/admin-translations.css``).

``TranslationStatusAdminMixin`` (plan, field of action, measure, campaign): the change page
lists the texts without English, possibly outdated or unchecked machine output
(``translations.selectors.statuses``), with “Übersetzung geprüft” for the outdated and machine
texts (``translations.services.translation_confirm``) and, where a machine translator is
configured (``translations.machine``), “Leere englische Texte maschinell vorübersetzen”. Both
are POSTs to the object's own URLs; whoever may change the object may use them
(``has_change_permission``, i.e. ``access.rules``).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from . import machine, registry, selectors, services

STATUS_FIELD = "translation_status"
SHOWN_STATUSES = ("missing", "outdated", "machine")
STATUS_LABELS = {
    "missing": _("no English version"),
    "outdated": _("English possibly outdated"),
    "machine": _("machine-translated, unchecked"),
}


def english_rows(model, entries) -> list:
    """``entries`` (fieldset or ``fields`` entries: names or tuples of names on one row) with
    each translated German field on a row of its own followed by its English version; other
    fields of a shared row stay together in their order. English names listed by hand (or by
    a form's default field order) are dropped first, so none appears twice."""
    translated = registry.fields_of(model)
    if not translated:
        return list(entries)
    english = {registry.english(f) for f in translated}
    rows = []
    for entry in entries:
        names = [n for n in (entry if isinstance(entry, list | tuple) else (entry,))]
        names = [n for n in names if n not in english]
        if not any(n in translated for n in names):
            if names:
                rows.append(entry if len(names) == len(_as_tuple(entry)) else _row(names))
            continue
        others = []
        for name in names:
            if name in translated:
                if others:
                    rows.append(_row(others))
                    others = []
                rows.append((name, registry.english(name)))
            else:
                others.append(name)
        if others:
            rows.append(_row(others))
    return rows


def _as_tuple(entry) -> tuple:
    return tuple(entry) if isinstance(entry, list | tuple) else (entry,)


def _row(names):
    return tuple(names) if len(names) > 1 else names[0]


class TranslatedFieldsMixin:
    """German and English side by side on the forms of a registered model (ModelAdmin or
    inline). Put it before the admin's other bases."""

    def get_fieldsets(self, request, obj=None):
        return [
            (name, {**options, "fields": english_rows(self.model, options.get("fields", ()))})
            for name, options in super().get_fieldsets(request, obj)
        ]

    def get_search_fields(self, request):
        fields = list(super().get_search_fields(request))
        translated = registry.fields_of(self.model)
        for name in list(fields):
            if name in translated and registry.english(name) not in fields:
                fields.append(registry.english(name))
        return fields

    @property
    def media(self):
        return super().media + forms.Media(css={"all": ("css/admin-translations.css",)})


class TranslationStatusAdminMixin(TranslatedFieldsMixin):
    """The translation status on the change page, “Übersetzung geprüft”, and the optional
    machine pre-translation (``machine_translation = True``)."""

    machine_translation = False

    # URLs ------------------------------------------------------------------------------

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        view = self.admin_site.admin_view
        urls = [
            path(
                "<path:object_id>/translation/confirm/",
                view(self.translation_confirm_view),
                name="{}_{}_translation_confirm".format(*info),
            ),
        ]
        if self.machine_translation:
            urls.append(
                path(
                    "<path:object_id>/translation/machine/",
                    view(self.translation_machine_view),
                    name="{}_{}_translation_machine".format(*info),
                )
            )
        return urls + super().get_urls()

    def _translation_url(self, name, obj) -> str:
        info = self.admin_site.name, self.opts.app_label, self.opts.model_name
        return reverse("{}:{}_{}_translation_{}".format(*info, name), args=[obj.pk])

    def _change_url(self, obj) -> str:
        info = self.admin_site.name, self.opts.app_label, self.opts.model_name
        return reverse("{}:{}_{}_change".format(*info), args=[obj.pk])

    # The status on the change page -----------------------------------------------------

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None and STATUS_FIELD not in readonly:
            readonly.append(STATUS_FIELD)
        return readonly

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj is None or obj.pk is None:
            return fieldsets
        from history.admin import REASON_FIELD

        # an admin with sections names it in its first section (workbench.sections); else it
        # stands above the reason for the change, which stays last (above the save buttons)
        box = (_("Translation"), {"fields": [STATUS_FIELD]})
        at = next(
            (i for i, (_name, o) in enumerate(fieldsets) if REASON_FIELD in o.get("fields", ())),
            len(fieldsets),
        )
        return [*fieldsets[:at], box, *fieldsets[at:]]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            # read by the status field, which is rendered from the form's instance (this obj)
            obj._translation_may_change = self._may_translate(request, obj)
            obj._translation_links = (
                self.translation_links(request, obj) if obj._translation_may_change else []
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    @admin.display(description=_("English version"))
    def translation_status(self, obj):
        if obj is None or obj.pk is None:
            return "–"
        statuses = selectors.statuses(obj)
        open_ = [(f, s) for f, s in statuses.items() if s in SHOWN_STATUSES]
        may_change = getattr(obj, "_translation_may_change", False)
        if not open_:
            return format_html(
                "<p>{}</p>{}",
                gettext("Every text has its current English version."),
                self._translation_links_html(obj),
            )
        items = format_html_join(
            "",
            '<li class="translation-{}"><strong>{}</strong>: {}</li>',
            (
                (
                    status,
                    obj._meta.get_field(field).verbose_name,
                    STATUS_LABELS[status],
                )
                for field, status in open_
            ),
        )
        html = format_html('<ul class="translation-status">{}</ul>', items)
        buttons = self._translation_buttons(obj, open_) if may_change else ""
        return format_html("{}{}{}", html, buttons, self._translation_links_html(obj))

    def translation_links(self, request, obj) -> list[tuple[str, str]]:
        """(label, URL) of further ways to translate the object's texts, shown in the status
        box to whoever may change it; e.g. a plan's export for a translation office."""
        return []

    def _translation_links_html(self, obj):
        links = getattr(obj, "_translation_links", [])
        if not links:
            return mark_safe("")
        return format_html(
            '<p class="translation-links">{}</p>',
            format_html_join(" ", '<a href="{}">{}</a>', ((url, label) for label, url in links)),
        )

    def _translation_buttons(self, obj, open_):
        buttons = []
        if any(status in ("outdated", "machine") for _f, status in open_):
            buttons.append(
                format_html(
                    '<button type="submit" class="button" formmethod="post" formaction="{}" '
                    'formnovalidate name="_translation_confirm" value="1">{}</button>',
                    self._translation_url("confirm", obj),
                    gettext("Translation checked"),
                )
            )
        if (
            self.machine_translation
            and machine.get_translator() is not None
            and any(status == "missing" for _f, status in open_)
        ):
            buttons.append(
                format_html(
                    '<button type="submit" class="button" formmethod="post" formaction="{}" '
                    'formnovalidate name="_translation_machine" value="1">{}</button>',
                    self._translation_url("machine", obj),
                    gettext("Pre-translate empty English texts by machine"),
                )
            )
        if not buttons:
            return mark_safe("")
        return format_html(
            '<p class="translation-actions">{}</p>',
            format_html_join("", "{}", ((b,) for b in buttons)),
        )

    # The actions -----------------------------------------------------------------------

    def _may_translate(self, request, obj) -> bool:
        """Whoever may change the object; not an editor whose edits of it are held for review
        (``reviews``): those go through the form and become a pending change."""
        if not self.has_change_permission(request, obj):
            return False
        reviewed = getattr(self, "_reviewed", None)
        return not (reviewed is not None and reviewed(request, obj))

    def _translation_object(self, request, object_id):
        if request.method != "POST":
            return None
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404
        if not self._may_translate(request, obj):
            raise PermissionDenied
        return obj

    def translation_confirm_view(self, request, object_id):
        """“Übersetzung geprüft”: the English texts that were outdated or machine output are
        current again (one history entry; the German and English texts stay as they are)."""
        obj = self._translation_object(request, object_id)
        if obj is None:
            return HttpResponseNotAllowed(["POST"])
        fields = [f for f, s in selectors.statuses(obj).items() if s in ("outdated", "machine")]
        if fields:
            from history.services import change_reason

            with change_reason(gettext("Translation checked")):
                obj._history_user = request.user
                services.translation_confirm(obj, fields)
            self.log_change(request, obj, gettext("Translation checked"))
            messages.success(
                request,
                gettext("Marked as checked: %(fields)s.")
                % {"fields": ", ".join(str(obj._meta.get_field(f).verbose_name) for f in fields)},
            )
        else:
            messages.info(
                request, gettext("Nothing to confirm: no English text is outdated or unchecked.")
            )
        return HttpResponseRedirect(self._change_url(obj))

    def translation_machine_view(self, request, object_id):
        """Fill the empty English texts with a machine translation, marked as such."""
        obj = self._translation_object(request, object_id)
        if obj is None:
            return HttpResponseNotAllowed(["POST"])
        translator = machine.get_translator()
        if translator is None:
            raise Http404
        self.machine_fill(request, [obj], translator)
        return HttpResponseRedirect(self._change_url(obj))

    def machine_fill(self, request, objects, translator) -> int:
        done = 0
        try:
            for obj in objects:
                obj._history_user = request.user
                done += len(machine.machine_translate_fill(obj, translator))
        except machine.MachineTranslationError as exc:
            messages.error(
                request, gettext("Machine translation failed: %(error)s") % {"error": exc}
            )
        if done:
            messages.success(
                request,
                ngettext(
                    "%(count)d text pre-translated by machine; please check it.",
                    "%(count)d texts pre-translated by machine; please check them.",
                    done,
                )
                % {"count": done},
            )
        else:
            messages.info(request, gettext("No empty English text to pre-translate."))
        return done

    def get_actions(self, request):
        actions = super().get_actions(request)
        if self.machine_translation and machine.get_translator() is not None:
            actions["machine_translate_selected"] = (
                type(self).machine_translate_selected,
                "machine_translate_selected",
                gettext("Pre-translate empty English texts by machine"),
            )
        return actions

    def machine_translate_selected(self, request, queryset):
        translator = machine.get_translator()
        if translator is None:
            raise PermissionDenied
        objects = list(queryset)
        if any(not self._may_translate(request, obj) for obj in objects):
            raise PermissionDenied
        self.machine_fill(request, objects, translator)
