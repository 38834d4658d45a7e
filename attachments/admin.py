"""Documents in the admin: an inline on the plan, field, measure and campaign forms. Who may
change the owner may attach (``access.rules.OWNER_ROWS``)."""

from django.contrib import admin
from django.template.defaultfilters import filesizeformat
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from access.admin import RoleInlineMixin
from translations.admin import TranslatedFieldsMixin

from .forms import AttachmentForm, AttachmentFormSet
from .models import Attachment


class AttachmentInline(TranslatedFieldsMixin, RoleInlineMixin, admin.TabularInline):
    model = Attachment
    form = AttachmentForm
    formset = AttachmentFormSet
    # the upload handler gives these fields PLANWERK_ATTACHMENT_MAX_BYTES (imports/uploads.py)
    prefix = "attachments"
    extra = 0
    fields = ("title", "file", "description", "details")
    readonly_fields = ("details",)
    verbose_name = _("document")
    verbose_name_plural = _("documents (PDF, images, office documents)")

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.request = request
        formset.form = type(formset.form.__name__, (formset.form,), {"request": request})
        return formset

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("uploaded_by")

    @admin.display(description=_("file"))
    def details(self, obj):
        if obj is None or obj.pk is None:
            return "–"
        return format_html(
            '<a href="{}">{}</a><br><span class="muted">{}, {}, {}</span>',
            obj.get_absolute_url(),
            obj.file_name,
            obj.type_label,
            filesizeformat(obj.size),
            obj.uploaded_at.date().isoformat(),
        )
