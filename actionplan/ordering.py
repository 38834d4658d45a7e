"""Ordered rows without typed numbers: the server assigns the positions of inline rows.

The change form carries each row's place (1, 2, 3 … as shown) in a hidden input that the
drag-and-drop and the "nach oben / nach unten" buttons renumber (static/js/admin-ordering.js);
without JavaScript it keeps the place shown. On save the rows are sorted by that value (rows
without one, i.e. new rows, go to the end in form order; on a tie the moved or new row goes
first) and numbered 1, 2, 3 … per group (a measure's steps, or the sub-steps of one step).

The (parent, position) unique constraints are kept in the middle of a save by parking: every
stored row whose slot changes first moves to a free position above all stored ones
(``park``, a plain ``update()`` without a history row), and is then saved once in its final
slot. A pure reorder therefore writes one history row per moved row and nothing else.
"""

from collections import defaultdict

from django import forms
from django.db.models import Max
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

SLOT = "position"


def park(model, pks, *, slot: str = SLOT) -> None:
    """Move the given rows to free slot values above every stored one, so that rows may swap.

    Parked with ``update()``: no history row; the row's one history row is written when it is
    saved in its final slot. Call it inside the transaction that then saves the rows.
    """
    pks = list(pks)
    if not pks:
        return
    manager = model._base_manager
    free = (manager.aggregate(top=Max(slot))["top"] or 0) + 1
    for offset, pk in enumerate(pks):
        manager.filter(pk=pk).update(**{slot: free + offset})


def final_positions(stored: list[int | None]) -> list[int]:
    """Positions for one group's rows in their new order (``stored``: each row's stored
    position, None for a row that is new or new to the group).

    Stored rows that are still in their stored order, followed only by new rows, keep their
    numbers (no history noise on a save that moved nothing); otherwise the group is numbered
    1, 2, 3 …
    """
    kept = [p for p in stored if p is not None]
    leading = stored[: len(kept)]
    if leading == kept and all(p > 0 for p in kept) and kept == sorted(set(kept)):
        top = kept[-1] if kept else 0
        return kept + list(range(top + 1, top + 1 + len(stored) - len(kept)))
    return list(range(1, len(stored) + 1))


class OrderedRowForm(forms.ModelForm):
    """A row whose position (and, for steps, parent) the formset decides, not the form."""

    server_assigned = (SLOT,)

    def has_changed(self):
        # A position alone (the script numbers every row) does not make an empty new row real.
        return any(name not in self.server_assigned for name in self.changed_data)

    def _get_validation_exclusions(self):
        # The (parent, position) constraints are checked on the final state in the formset.
        exclude = super()._get_validation_exclusions()
        exclude.update(self.server_assigned)
        return exclude


class OrderedFormSetMixin:
    """Saves inline rows in the order the form shows them (see the module docstring).

    Mix in before the admin's formset base (``CustomInlineFormSetMixin`` of
    django-admin-sortable2 makes the position input hidden and optional).
    """

    unique_assigned = (SLOT,)  # actionplan.constraints: positions are this formset's business

    def group_of(self, form):
        """The position group a kept row ends up in (one per formset unless overridden)."""
        return None

    def stored_group_of(self, instance):
        return None

    # Posted order -------------------------------------------------------------------------

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        if i < self.initial_form_count():
            # The hidden input holds the row's place in the form (1, 2, 3 … as shown), not its
            # stored position: one scale for all rows, sub-steps and new rows included.
            form.initial[SLOT] = i + 1
        return form

    def posted_position(self, form) -> int | None:
        value = form.cleaned_data.get(SLOT) if hasattr(form, "cleaned_data") else None
        return value if isinstance(value, int) else None

    def kept_forms(self):
        """Rows that will exist after the save, in the order the user left them."""
        initial = self.initial_form_count()
        rows = []
        for index, form in enumerate(self.forms):
            if self.can_delete and self._should_delete_form(form):
                continue
            if index >= initial and not form.has_changed():
                continue
            if index < initial and form.instance.pk is None:
                continue
            rows.append((index, form))

        def key(item):
            index, form = item
            posted = self.posted_position(form)
            shown = index + 1 if index < initial else None
            moved = posted is not None and posted != shown
            return (posted is None, posted or 0, not moved, index)

        return [form for _index, form in sorted(rows, key=key)]

    # Saving -------------------------------------------------------------------------------

    @cached_property
    def _loaded(self):
        """{pk: stored position} as loaded, before the form's data touched the instances."""
        return dict(self.get_queryset().values_list("pk", SLOT))

    @cached_property
    def _stored(self):
        """(group, position) of every stored row as the form loaded it."""
        return {
            form.instance.pk: (self.stored_group_of(form.instance), self._loaded[form.instance.pk])
            for form in self.initial_forms
            if form.instance.pk is not None
        }

    def plan_slots(self, kept):
        """{form: (group, position)} for the kept rows."""
        groups = defaultdict(list)
        for form in kept:
            groups[self.group_of(form)].append(form)
        slots = {}
        for group, forms_in_group in groups.items():
            stored = []
            for form in forms_in_group:
                before = self._stored.get(form.instance.pk)
                stored.append(before[1] if before and before[0] == group else None)
            for form, position in zip(forms_in_group, final_positions(stored), strict=True):
                slots[form] = (group, position)
        return slots

    def apply_group(self, instance, group, saved) -> None:
        """Set the row's group on the instance (steps: its parent); ``saved`` maps group keys
        to saved instances."""

    def save_order(self):
        """Rows without a group of their own kind first (steps: parents before sub-steps)."""
        return lambda form: 0

    def delete_order(self, forms_to_delete):
        return forms_to_delete

    def save(self, commit=True):
        if not commit:
            return super().save(commit=False)
        self.new_objects, self.changed_objects, self.deleted_objects = [], [], []
        kept = self.kept_forms()
        slots = self.plan_slots(kept)
        for form in self.delete_order(list(self.deleted_forms)):
            obj = form.instance
            if obj.pk is None:
                continue
            self.deleted_objects.append(obj)
            self.delete_existing(obj, commit=True)
        moving = [
            form.instance.pk
            for form in kept
            if form.instance.pk is not None and self._stored[form.instance.pk] != slots[form]
        ]
        park(self.model, moving)
        saved = {}
        for form in sorted(kept, key=self.save_order()):
            group, position = slots[form]
            key = self.key_of(form)
            obj = form.save(commit=False)
            before = self._stored.get(obj.pk)
            changed = [n for n in form.changed_data if n not in form.server_assigned]
            if before is not None:
                if before[0] != group:
                    changed.append("parent")
                if before[1] != position:
                    changed.append(SLOT)
            setattr(obj, SLOT, position)
            self.apply_group(obj, group, saved)
            if before is None:
                obj.save()
                form.save_m2m()
                self.new_objects.append(obj)
            elif changed:
                obj.save()
                form.save_m2m()
                self.changed_objects.append((obj, changed))
            saved[key] = obj
        return self.new_objects + [obj for obj, _changed in self.changed_objects]

    @staticmethod
    def key_of(form) -> str:
        """How a row of this form is referred to: its pk, or ``new:<prefix>`` if unsaved."""
        return str(form.instance.pk) if form.instance.pk is not None else f"new:{form.prefix}"


# Steps: a tree of one level -------------------------------------------------------------


class RowReferenceField(forms.ChoiceField):
    """A choice of one of the form's rows; the formset checks the reference, with a message
    that says what is wrong (another measure, a cycle, two levels)."""

    def valid_value(self, value):
        return True


class StepRowForm(OrderedRowForm):
    """The parent is any row of the same form: a saved step by pk, a new one by its prefix."""

    server_assigned = (SLOT, "parent")

    parent = RowReferenceField(
        label=_("parent step"),
        required=False,
        widget=forms.Select(attrs={"class": "ordering-parent"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None and "parent" not in self.initial:
            self.initial["parent"] = str(self.instance.parent_id or "")

    def clean(self):
        cleaned = super().clean()
        # Resolved by the formset; construct_instance must not see the raw reference.
        self.parent_ref = (cleaned.pop("parent", "") or "").strip()
        return cleaned


def step_label(number: int, text: str) -> str:
    text = " ".join((text or "").split())
    return f"{number}. {text[:60]}{'…' if len(text) > 60 else ''}"


class StepFormSetMixin(OrderedFormSetMixin):
    """Sub-steps as a tree: parents are resolved among the form's rows, new rows included."""

    def parent_choices(self, forms_list):
        choices = [("", "---------")]
        number = 0
        for index, form in enumerate(forms_list):
            if index < self.initial_form_count():
                if form.instance.pk is None or form.instance.parent_id is not None:
                    continue
                number += 1
                choices.append((str(form.instance.pk), step_label(number, form.instance.text)))
            elif form.is_bound and form.has_changed():
                number += 1
                choices.append((f"new:{form.prefix}", step_label(number, form["text"].value())))
        return choices

    @cached_property
    def forms(self):
        forms_list = super().forms
        choices = self.parent_choices(forms_list)
        for form in forms_list:
            form.fields["parent"].choices = choices
        return forms_list

    @property
    def empty_form(self):
        form = super().empty_form
        form.fields["parent"].choices = self.parent_choices(self.forms)
        return form

    def clean(self):
        super().clean()
        if any(not form.is_valid() for form in self.forms if form not in self.deleted_forms):
            return
        kept = self.kept_forms()
        by_key = {self.key_of(form): form for form in kept}
        deleted = {self.key_of(form) for form in self.deleted_forms}
        for form in kept:
            ref = form.parent_ref
            if not ref:
                continue
            target = by_key.get(ref)
            if target is form:
                form.add_error("parent", _("A step cannot be its own parent step."))
            elif ref in deleted:
                form.add_error(
                    "parent",
                    _("The parent step is being deleted: delete or move its sub-steps, too."),
                )
            elif target is None:
                form.add_error("parent", _("The parent step belongs to another measure."))
            elif by_key.get(target.parent_ref) is form:
                form.add_error(
                    "parent", _("Two steps cannot be each other's parent step (a cycle).")
                )
            elif target.parent_ref:
                form.add_error("parent", _("Sub-steps may only be one level deep."))

    def group_of(self, form):
        return getattr(form, "parent_ref", "") or None

    def stored_group_of(self, instance):
        return str(instance.parent_id) if instance.parent_id else None

    def apply_group(self, instance, group, saved):
        if group is None:
            instance.parent = None
        elif group in saved:
            instance.parent = saved[group]
        else:
            instance.parent_id = int(group)

    def save_order(self):
        return lambda form: 1 if self.group_of(form) else 0

    def delete_order(self, forms_to_delete):
        # Sub-steps before their parents: a parent's delete would cascade to them.
        return sorted(forms_to_delete, key=lambda form: form.instance.parent_id is None)
