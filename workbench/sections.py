"""Admin change forms in sections: the fieldsets and inlines that belong together under one
heading with their row count. With JavaScript the sections are tabs
(``static/js/admin-sections.js``); without, they are stacked ``<details open>`` with an anchor
list above them. Rendered by ``templates/admin/change_form.html``.
"""

import copy
from dataclasses import dataclass, field

from django.contrib.admin.utils import flatten
from django.db import models


@dataclass
class FormSection:
    key: str
    title: str
    fieldsets: list = field(default_factory=list)
    inline_admin_formsets: list = field(default_factory=list)
    count: int | None = None
    has_errors: bool = False

    @property
    def single_member(self) -> bool:
        return len(self.fieldsets) + len(self.inline_admin_formsets) == 1

    @property
    def prefixes(self) -> str:
        return " ".join(f.formset.prefix for f in self.inline_admin_formsets)


class SectionedChangeFormMixin:
    """``form_sections``: ``(key, title, members)`` in the order of the form, where a member is
    the title of one of the admin's fieldsets or the model of one of its inlines. A section
    with inlines shows their number of rows. Fieldsets and inlines no section names (the
    reason for the change) follow the sections, just above the save buttons."""

    form_sections: tuple = ()

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if self.form_sections and "adminform" in context:
            sections, fieldsets, inlines = build_sections(
                self.form_sections,
                list(context["adminform"]),
                context.get("inline_admin_formsets", []),
            )
            context.update(
                form_sections=sections,
                unsectioned_fieldsets=fieldsets,
                unsectioned_inline_formsets=inlines,
            )
        return super().render_change_form(request, context, add, change, form_url, obj)


def build_sections(spec, fieldsets, inline_admin_formsets):
    """The sections of ``spec`` filled with the form's fieldsets and inline formsets; returns
    them with the fieldsets and inline formsets left over. Empty sections are left out."""
    fieldsets_left = list(fieldsets)
    inlines_left = list(inline_admin_formsets)
    sections = []
    for key, title, members in spec:
        section = FormSection(key=key, title=str(title))
        for member in members:
            if isinstance(member, type) and issubclass(member, models.Model):
                found = [f for f in inlines_left if f.opts.model is member]
                inlines_left = [f for f in inlines_left if f not in found]
                section.inline_admin_formsets += found
            else:
                found = [f for f in fieldsets_left if str(f.name) == str(member)]
                fieldsets_left = [f for f in fieldsets_left if f not in found]
                section.fieldsets += [_without_repeated_title(f, section.title) for f in found]
        if not section.fieldsets and not section.inline_admin_formsets:
            continue
        if section.inline_admin_formsets:
            section.count = sum(_row_count(f.formset) for f in section.inline_admin_formsets)
        section.has_errors = any(_fieldset_has_errors(f) for f in section.fieldsets) or any(
            _formset_has_errors(f.formset) for f in section.inline_admin_formsets
        )
        sections.append(section)
    return sections, fieldsets_left, inlines_left


def _without_repeated_title(fieldset, title):
    if str(fieldset.name) != title:
        return fieldset
    fieldset = copy.copy(fieldset)
    fieldset.name = None  # the section's heading says it already
    return fieldset


def _row_count(formset) -> int:
    """Rows shown in the form, less those ticked for deletion in a refused save."""
    deleting = 0
    if formset.is_bound and formset.can_delete:
        deleting = sum(1 for form in formset.forms if formset._should_delete_form(form))
    return len(formset.forms) - deleting


def _fieldset_has_errors(fieldset) -> bool:
    errors = fieldset.form.errors if fieldset.form.is_bound else {}
    return any(name in errors for name in flatten(fieldset.fields))


def _formset_has_errors(formset) -> bool:
    return formset.is_bound and formset.total_error_count() > 0
