"""The admin's form for a document: the file is checked by its content before anything is
stored (``attachments.validation``); type, size and checksum come from that check."""

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms.models import BaseInlineFormSet

from imports.uploads import REFUSED_ATTR

from . import validation
from .models import Attachment
from .signals import delete_file


class AttachmentForm(forms.ModelForm):
    #: set by the inline (``AttachmentInline.get_formset``): the request, for the uploader
    request = None

    class Meta:
        model = Attachment
        fields = ("title", "file", "description")
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2, "cols": 30}),
            # no link to the stored file: it is served only through the download view
            "file": forms.FileInput,
        }

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload and "file" in self.changed_data:
            self.checked = validation.check_upload(upload)
        return upload

    def save(self, commit=True):
        instance = super().save(commit=False)
        checked = getattr(self, "checked", None)
        if checked is not None:
            if instance.pk is not None:
                old = Attachment.objects.filter(pk=instance.pk).values_list("file", flat=True)
                old_name = old.first()
                if old_name:
                    storage = instance.file.storage
                    transaction.on_commit(lambda: delete_file(storage, old_name))
            upload = self.cleaned_data["file"]
            instance.file_name = validation.safe_name(upload.name, checked)
            instance.content_type = checked.content_type
            instance.size = checked.size
            instance.sha256 = checked.sha256
            if instance.pk is None and self.request is not None:
                instance.uploaded_by = self.request.user
        if commit:
            instance.save()
        return instance


class AttachmentFormSet(BaseInlineFormSet):
    request = None

    def clean(self):
        super().clean()
        refused = getattr(self.request, REFUSED_ATTR, None) if self.request else None
        if refused:
            # the upload handler dropped a file over the limit while it streamed in
            raise ValidationError(validation.too_large_message(refused), code="too_large")
