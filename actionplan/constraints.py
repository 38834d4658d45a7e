"""Unique constraints as German form errors, never as an IntegrityError.

Django's model forms check a unique constraint only when every field of it is a field of the
form. Two gaps remain in the admin, and both ended in HTTP 500:

* Inline rows: the parent's foreign key is left out of each row's checks (the parent may not
  exist yet), and the formset compares only unconditional constraints among its own rows. So
  a new contact person who is already listed, two equal new memberships, or two rows that
  swap their values pass validation and fail in the database. ``UniqueRowsFormSetMixin``
  checks every unique constraint (conditional ones and ``unique_together`` included) on the
  state after the save, and refuses a swap that no save order can write.
* Fields shown read-only (an editor's measure: field of action and position): constraints that
  include such a field are skipped. ``StoredFieldsConstraintsMixin`` checks them with the
  stored value.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.db import router
from django.db.models import Q, UniqueConstraint
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from .ordering import park

PARENT = object()  # the inline's parent: the same for every row, saved or not


def unique_rules(model):
    """(fields, condition, constraint or None) for each uniqueness rule spanning fields."""
    opts = model._meta
    for constraint in opts.constraints:
        if isinstance(constraint, UniqueConstraint) and constraint.fields:
            yield tuple(constraint.fields), constraint.condition, constraint
    for fields in opts.unique_together:
        yield tuple(fields), None, None


def _value(instance, name, parent_field=None):
    if name == parent_field:
        return PARENT
    field = instance._meta.get_field(name)
    return getattr(instance, field.attname)


def condition_holds(condition, instance, parent_field=None) -> bool:
    """Evaluate a simple constraint condition (exact, isnull, in; and, or, not) in Python."""
    if isinstance(condition, Q):
        results = [condition_holds(child, instance, parent_field) for child in condition.children]
        result = all(results) if condition.connector == Q.AND else any(results)
        return not result if condition.negated else result
    lookup, expected = condition
    name, _sep, kind = lookup.partition("__")
    value = _value(instance, name, parent_field)
    if kind == "isnull":
        return (value is None) == bool(expected)
    if kind == "in":
        return value in expected
    if kind in ("", "exact"):
        if hasattr(expected, "pk"):
            expected = expected.pk
        return value == expected
    raise ValueError(f"unsupported lookup in a constraint condition: {lookup}")


def rule_error(instance, fields, constraint) -> ValidationError:
    if constraint is not None and constraint.violation_error_message not in (
        None,
        constraint.default_violation_error_message,
    ):
        return ValidationError(constraint.get_violation_error_message(), code="unique")
    return instance.unique_error_message(type(instance), fields)


class UniqueRowsFormSetMixin:
    """Checks the inline rows' unique constraints on the state after the save (see above).

    ``unique_assigned``: fields the formset assigns itself (positions); rules with them are
    left to the formset's own save.
    """

    unique_assigned = ()
    # Fields whose values may swap between rows: such rows are parked first (ordering.park),
    # as the importer does, e.g. typed positions of measures in a field of action.
    parkable = ()

    def clean(self):
        # Before Django's own check of duplicates among the rows, which names raw field names;
        # rows refused here are left out of it.
        self._check_unique_rows()
        super().clean()

    def _check_unique_rows(self):
        deleted = set(self.deleted_forms) if self.can_delete else set()
        initial = self.initial_form_count()
        kept = [
            form
            for index, form in enumerate(self.forms)
            if form not in deleted
            and (index < initial or form.has_changed())
            and not form.errors
            and hasattr(form, "cleaned_data")
        ]
        parent_field = self.fk.name
        in_form = {form.instance.pk for form in self.forms[:initial]}
        others = []
        if self.instance.pk is not None:
            others = list(
                self.model._default_manager.filter(**{parent_field: self.instance}).exclude(
                    pk__in=in_form - {None}
                )
            )
        stored = {}
        if any(form.instance.pk for form in kept):
            names = {f.attname for f in self.model._meta.concrete_fields}
            stored = {
                row["pk"]: row
                for row in self.model._default_manager.filter(
                    pk__in=[form.instance.pk for form in kept if form.instance.pk]
                ).values("pk", *names)
            }
        for fields, condition, constraint in unique_rules(self.model):
            if set(fields) & set(self.unique_assigned):
                continue
            self._check_rule(kept, others, stored, fields, condition, constraint, parent_field)

    def _key(self, instance, fields, condition, parent_field):
        key = tuple(_value(instance, name, parent_field) for name in fields)
        if None in key:
            return None  # NULLs are distinct
        if condition is not None and not condition_holds(condition, instance, parent_field):
            return None
        return key

    def _stored_key(self, row, fields, condition, parent_field):
        instance = self.model(**{k: v for k, v in row.items() if k != "pk"})
        instance.pk = row["pk"]
        return self._key(instance, fields, condition, parent_field)

    def _check_rule(self, kept, others, stored, fields, condition, constraint, parent_field):
        parkable = set(self.parkable)
        seen = {}
        for row in others:
            key = self._key(row, fields, condition, parent_field)
            if key is not None:
                seen[key] = None
        before = {}
        for form in kept:
            if form.instance.pk in stored:
                before[form.instance.pk] = self._stored_key(
                    stored[form.instance.pk], fields, condition, parent_field
                )
        taken_before = {key: pk for pk, key in before.items() if key is not None}
        for form in kept:
            instance = form.instance
            key = self._key(instance, fields, condition, parent_field)
            if key is None:
                continue
            if key in seen:
                form.add_error(None, rule_error(instance, fields, constraint))
                continue
            seen[key] = form
            holder = taken_before.get(key)
            if holder is not None and holder != instance.pk and not set(fields) & parkable:
                # Another kept row holds this value now and gives it up in the same save:
                # a swap, which no order of single-row writes can store.
                form.add_error(
                    None,
                    _(
                        "Two rows swap these values. Please change one row, save, and then "
                        "change the other."
                    ),
                )

    def save_existing_objects(self, commit=True):
        # Deletions first, so that a row may take over the value of a deleted one.
        deleted_objects = []
        if commit:
            for form in self.initial_forms:
                if form in self.deleted_forms and form.instance.pk is not None:
                    deleted_objects.append(form.instance)
                    self.delete_existing(form.instance, commit=True)
                    form.instance.pk = None  # skipped below
            for name in self.parkable:
                park(
                    self.model,
                    [
                        form.instance.pk
                        for form in self.initial_forms
                        if form.instance.pk is not None and name in form.changed_data
                    ],
                    slot=name,
                )
        saved = super().save_existing_objects(commit)
        self.deleted_objects = deleted_objects + self.deleted_objects
        return saved


class UniqueRowsInlineFormSet(UniqueRowsFormSetMixin, BaseInlineFormSet):
    """An inline formset whose unique constraints end in form errors (see the module)."""


class StoredFieldsConstraintsMixin:
    """A model form that also checks the unique constraints including fields it does not show
    (read-only for this user), with their stored values."""

    def _post_clean(self):
        super()._post_clean()
        instance = self.instance
        if instance.pk is None:
            return
        hidden = {f.name for f in instance._meta.concrete_fields if f.name not in self.fields}
        using = router.db_for_write(type(instance))
        for constraint in instance._meta.constraints:
            if not isinstance(constraint, UniqueConstraint) or not constraint.fields:
                continue
            names = set(constraint.fields)
            if not names & hidden or names & set(self.errors):
                continue
            try:
                constraint.validate(type(instance), instance, using=using)
            except ValidationError as error:
                self.add_error(None, error)


class ConstraintCheckedForm(StoredFieldsConstraintsMixin, forms.ModelForm):
    """The admin change form of a model whose constraints span read-only fields."""
