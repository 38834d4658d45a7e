"""What every Planwerk import resource shares: clear row errors, the acting user in the change
history, progress reports, refusal of unknown columns, and the preview fingerprint."""

import hashlib

from django.core.exceptions import ValidationError
from django.utils.encoding import force_str
from django.utils.translation import gettext
from import_export import widgets

PROGRESS_EVERY = 25


class PlanwerkResourceMixin:
    """Mixed into each ``ModelResource`` that the admin imports with."""

    def import_instance(self, instance, row, **kwargs):
        """Field errors of many-to-many columns become row errors too (the library checks
        them only while saving, where an unknown name would be dropped or crash the row)."""
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as e:
            errors = e.update_error_dict(errors)
        for field in self.get_import_fields():
            if isinstance(field.widget, widgets.ManyToManyWidget) and field.column_name in row:
                try:
                    field.clean(row, **kwargs)
                except ValueError as e:
                    errors[field.attribute] = [ValidationError(force_str(e), code="invalid")]
        if errors:
            raise ValidationError(errors)

    def before_save_instance(self, instance, row, **kwargs):
        user = kwargs.get("user")
        if user is not None and user.is_authenticated:
            # django-simple-history reads this when there is no request (background imports).
            instance._history_user = user
        super().before_save_instance(instance, row, **kwargs)

    def import_row(self, row, instance_loader, **kwargs):
        result = super().import_row(row, instance_loader, **kwargs)
        progress = kwargs.get("progress")
        number = kwargs.get("row_number") or 0
        if progress is not None and number % PROGRESS_EVERY == 0:
            progress(number)
        return result

    def fingerprint(self, dataset) -> str:
        """A digest of the current state of every existing object the file would change.

        Taken at preview and again at confirmation: if it differs, someone changed one of those
        objects in between and the preview no longer shows what the import would do.
        """
        digest = hashlib.sha256()
        loader = self._meta.instance_loader_class(self, dataset)
        fields = self.get_import_fields()
        headers = dataset.headers or []
        for values in dataset:
            row = dict(zip(headers, values, strict=False))
            try:
                instance = self.get_instance(loader, row)
            except (ValueError, TypeError, ValidationError, ArithmeticError):
                instance = None  # the row itself is invalid; the import reports it
            if instance is None:
                continue
            digest.update(f"{instance._meta.label}:{instance.pk}:".encode())
            digest.update(str(getattr(instance, "version", "")).encode())
            for field in fields:
                digest.update(b"\x1f" + force_str(field.export(instance)).encode())
            digest.update(b"\x1e")
        return digest.hexdigest()


class StrictHeadersMixin:
    """Reject files whose headers do not match, e.g. an English export imported in German.

    Without this, rows with unknown columns would silently count as unchanged and be skipped.
    Export-only columns (read-only fields) are allowed, so an export can be imported again.
    """

    def before_import(self, dataset, **kwargs):
        known = {force_str(field.column_name) for field in self.fields.values()}
        unknown = [header for header in dataset.headers or [] if header not in known]
        missing = [
            force_str(self.fields[name].column_name)
            for name in self.get_import_id_fields()
            if force_str(self.fields[name].column_name) not in (dataset.headers or [])
        ]
        if unknown or missing:
            expected = {force_str(field.column_name) for field in self.get_import_fields()}
            raise ValueError(
                gettext(
                    "Unknown columns: %(unknown)s. Missing columns: %(missing)s. "
                    "Expected: %(expected)s."
                )
                % {
                    "unknown": ", ".join(unknown) or "–",
                    "missing": ", ".join(missing) or "–",
                    "expected": ", ".join(sorted(expected)),
                }
            )
        super().before_import(dataset, **kwargs)
