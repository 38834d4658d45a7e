from django import forms
from django.utils.translation import gettext_lazy as _
from import_export.forms import ConfirmImportForm, ImportForm

from . import uploads


class LimitedImportForm(ImportForm):
    """The upload form; a file over the size limit is refused before anything reads it."""

    def __init__(self, formats, resources, *, refused_size=None, **kwargs):
        self.refused_size = refused_size
        super().__init__(formats, resources, **kwargs)
        limit = uploads.max_bytes() // (1024 * 1024)
        self.fields["import_file"].help_text = _("At most %(limit)s MB.") % {"limit": limit}

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        if upload.size > uploads.max_bytes():
            raise forms.ValidationError(uploads.too_large_message(upload.size), code="too_large")
        return upload

    def full_clean(self):
        super().full_clean()
        if self.refused_size is not None and self.is_bound:
            # The upload handler threw the file away, so the field only knows it is missing.
            self.errors["import_file"] = self.error_class(
                [uploads.too_large_message(self.refused_size)]
            )
            self.cleaned_data.pop("import_file", None)


class PreviewConfirmForm(ConfirmImportForm):
    """The confirm step, carrying the fingerprint of the records as the preview saw them."""

    preview_token = forms.CharField(widget=forms.HiddenInput(), required=False)
