"""PDF export in the admin: a “PDF” button on the change form and an action on the list.

Members of a plan get its drafts too (marked “Entwurf” on every page); large documents go to
the worker.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.http import Http404
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext_lazy as _

from access.admin import RoleAdminMixin

from .models import PdfExport, PdfPartJob
from .services import export_request, request_for
from .views import serve_or_enqueue


@admin.action(description=_("Export as PDF"), permissions=["view"])
def export_pdf(modeladmin, request, queryset):
    objects = list(queryset[:51])
    if len(objects) == 1:
        return serve_or_enqueue(
            request, request_for(request.user, objects[0], language=get_language())
        )
    if len(objects) > 50:
        modeladmin.message_user(
            request, _("Please select at most 50 entries for a PDF export."), messages.WARNING
        )
        return None
    exports = [
        export_request(
            request_for(request.user, obj, language=get_language()), requested_by=request.user
        )
        for obj in objects
    ]
    links = format_html_join(
        ", ", '<a href="{}">{}</a>', ((e.get_absolute_url(), str(e)) for e in exports)
    )
    count = len(exports)
    message = ngettext(
        "%(count)d PDF export started: ", "%(count)d PDF exports started: ", count
    ) % {"count": count}
    modeladmin.message_user(request, format_html("{}{}", message, links), messages.SUCCESS)
    return None


class PdfAdminMixin:
    """A “PDF” button on the change form and a PDF action on the list.

    ``pdf_action = False`` leaves the list action out: documents that never go through the
    background jobs (the campaign brief) have the button only.
    """

    change_form_template = "documents/admin/change_form.html"
    pdf_action = True

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        urls = [
            path(
                "<path:object_id>/pdf/",
                self.admin_site.admin_view(self.pdf_view),
                name="{}_{}_pdf".format(*info),
            )
        ]
        return urls + super().get_urls()

    def get_actions(self, request):
        actions = super().get_actions(request)
        if self.pdf_action and self.has_view_permission(request):
            actions["export_pdf"] = self.get_action(export_pdf)
        return actions

    def pdf_view(self, request, object_id):
        obj = self.get_object(request, unquote(object_id))
        if obj is None or not self.has_view_permission(request, obj):
            raise Http404
        return serve_or_enqueue(request, request_for(request.user, obj, language=get_language()))


class PdfPartJobInline(admin.TabularInline):
    """The chapters of an export rendered as jobs of their own: which are laid out."""

    model = PdfPartJob
    fields = ["position", "label", "status", "finished_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class PdfExportAdmin(RoleAdminMixin, admin.ModelAdmin):
    inlines = [PdfPartJobInline]
    list_display = [
        "__str__",
        "status",
        "draft",
        "requested_by",
        "created_at",
        "finished_at",
        "size",
        "download",
    ]
    list_filter = ["status", "draft"]
    list_select_related = ["plan", "field", "measure", "requested_by"]
    readonly_fields = [f.name for f in PdfExport._meta.fields] + ["download"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("file"))
    def download(self, obj):
        if obj.status != PdfExport.Status.DONE or not obj.file:
            return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), _("status"))
        url = reverse("actionplan:pdf_export_download", kwargs={"export_id": obj.pk})
        return format_html('<a href="{}">{}</a>', url, _("download"))


admin.site.register(PdfExport, PdfExportAdmin)
