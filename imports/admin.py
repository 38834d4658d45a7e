"""Import and export in the admin, for every model that offers them.

``PermissionedImportExportMixin`` lives here, in the imports app, because it is the imports
subsystem's face in the admin (upload limit, preview, confirm/cancel, background jobs), shared by
``actionplan`` and ``contacts``; ``campaigns`` exports rows (``PermissionedExportMixin``) and
imports campaign documents (``CampaignDocumentAdminMixin``). Who may import or export is not
decided here but asked of ``access.rules``.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from import_export.admin import ExportMixin, ImportExportMixin
from import_export.signals import post_import

from access import rules
from access.admin import NotFoundOutsideScopeMixin

from . import campaign_upload, formats, services, storage, uploads
from .forms import LimitedImportForm, PreviewConfirmForm
from .models import ImportJob
from .views import CampaignDocumentForm
from .views import _stored_upload as stored_upload

# Who may import rows, by app. Measure rows are further checked per plan
# (actionplan/resources.py). Campaigns come in as documents (CampaignDocumentAdminMixin).
IMPORT_RULES = {
    "actionplan": rules.can_import,
    "contacts": rules.may_manage_contacts,
}


def visible_for_export(user, queryset):
    """Only what the user may see goes into a spreadsheet."""
    if hasattr(queryset, "visible_to"):
        return queryset.visible_to(user)
    model = queryset.model._meta.label_lower
    if model == "contacts.person":
        return rules.visible_persons(user, queryset)
    if model == "contacts.organisation":
        return rules.visible_organisations(user, queryset)
    if model.startswith("campaigns.") and hasattr(queryset.model, "campaign"):
        from campaigns.models import Campaign

        return queryset.filter(campaign__in=Campaign.objects.visible_to(user))
    return queryset.none()


class PermissionedImportExportMixin(ImportExportMixin):
    """Import and export follow ``access.rules``, not just staff status.

    Imports: the upload is refused above ``PLANWERK_UPLOAD_MAX_BYTES`` before it is parsed;
    the preview's file is deleted when the import is confirmed, cancelled or an hour old; the
    import runs in one transaction and is refused when the records it would change were edited
    after the preview; files with many rows go to the background worker.
    """

    # CSV and TSV neutralise formula injection (imports/formats.py); no format that a
    # spreadsheet would evaluate is offered without it.
    formats = export_formats = import_formats = formats.FORMATS
    import_form_class = LimitedImportForm
    confirm_form_class = PreviewConfirmForm
    import_template_name = "imports/admin_import.html"
    tmp_storage_class = storage.ImportUploadStorage

    # --- permissions ---------------------------------------------------------------------

    def has_export_permission(self, request):
        return rules.can_export(request.user)

    def has_import_permission(self, request):
        rule = IMPORT_RULES.get(self.opts.app_label)
        return rule is not None and rule(request.user)

    def get_export_queryset(self, request):
        return visible_for_export(request.user, super().get_export_queryset(request))

    # --- urls ------------------------------------------------------------------------------

    def get_urls(self):
        info = self.get_model_info()
        return [
            path(
                "cancel_import/",
                self.admin_site.admin_view(self.cancel_import),
                name="{}_{}_cancel_import".format(*info),
            ),
            *super().get_urls(),
        ]

    def _url(self, name: str) -> str:
        info = self.get_model_info()
        return reverse(f"admin:{info[0]}_{info[1]}_{name}", current_app=self.admin_site.name)

    # --- forms -----------------------------------------------------------------------------

    def get_import_form_kwargs(self, request):
        kwargs = super().get_import_form_kwargs(request)
        kwargs["refused_size"] = uploads.refused_size(request)
        return kwargs

    def write_to_tmp_storage(self, import_file, input_format):
        tmp = services.tmp_storage(None, input_format)
        tmp.save_chunks(import_file.chunks())
        return tmp

    # --- views -----------------------------------------------------------------------------

    def import_action(self, request, **kwargs):
        """Upload → size check → store → parse → preview (inline) or background job."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        if request.method == "POST":
            storage.purge_stale_uploads()
        context = self.get_import_context_data()
        import_formats = self.get_import_formats()
        form = self.create_import_form(request)
        resources = []
        if request.method == "POST" and form.is_valid():
            format_index = int(form.cleaned_data["format"])
            input_format = import_formats[format_index]()
            import_file = form.cleaned_data["import_file"]
            tmp = self.write_to_tmp_storage(import_file, input_format)
            import_file.tmp_storage_name = tmp.name
            keep_file = False
            try:
                dataset = services.read_dataset(tmp, input_format, file_name=import_file.name)
                resource_index = self.get_resource_index(form)
                resource_class = self.get_import_resource_classes(request)[resource_index]
                if len(dataset) > services.inline_max_rows():
                    job = services.import_job_start(
                        model=self.model,
                        storage_name=tmp.name,
                        original_file_name=import_file.name,
                        format_index=format_index,
                        resource_index=resource_index,
                        rows_total=len(dataset),
                        acting_user=request.user,
                    )
                    keep_file = True
                    return redirect(job.get_absolute_url())
                resource = resource_class(**self.get_import_resource_kwargs(request, form=form))
                resources = [resource]
                token = resource.fingerprint(dataset)
                result = services.run_import(
                    resource, dataset, user=request.user, dry_run=True, file_name=import_file.name
                )
                context["result"] = result
                context["import_messages"] = services.result_messages(result, resource)
                if not result.has_errors() and not result.has_validation_errors():
                    confirm_form = self.create_confirm_form(request, import_form=form)
                    confirm_form.initial["preview_token"] = token
                    context["confirm_form"] = confirm_form
                    keep_file = True
            except services.ImportRefused as refused:
                form.add_error("import_file", str(refused))
            finally:
                if not keep_file:
                    tmp.remove()
        if not resources:
            res_kwargs = self.get_import_resource_kwargs(request=request, form=form, **kwargs)
            resources = [rc(**res_kwargs) for rc in self.get_import_resource_classes(request)]

        context.update(self.admin_site.each_context(request))
        context["title"] = _("Import")
        context["form"] = form
        context["opts"] = self.model._meta
        context["media"] = self.media + form.media
        context["fields_list"] = [
            (r.get_display_name(), [f.column_name for f in r.get_user_visible_fields()])
            for r in resources
        ]
        context["import_error_display"] = ("message",)
        context["max_upload_mb"] = uploads.max_bytes() // (1024 * 1024)
        request.current_app = self.admin_site.name
        return TemplateResponse(request, [self.import_template_name], context)

    @method_decorator(require_POST)
    def process_import(self, request, **kwargs):
        """Import the previewed file, unless its records changed since; always delete it."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        confirm_form = self.create_confirm_form(request)
        if not confirm_form.is_valid():
            messages.error(
                request, gettext("The confirmation was incomplete. Nothing was imported.")
            )
            return redirect(self._url("import"))
        data = confirm_form.cleaned_data
        input_format = self.get_import_formats()[int(data["format"])]()
        tmp = services.tmp_storage(data["import_file_name"], input_format)
        try:
            dataset = services.read_dataset(tmp, input_format, file_name=data["original_file_name"])
            resource_class = self.choose_import_resource_class(confirm_form, request)
            resource = resource_class(**self.get_import_resource_kwargs(request, form=confirm_form))
            if resource.fingerprint(dataset) != data.get("preview_token"):
                raise services.ImportRefused(services.stale_message())
            result = services.run_import(
                resource,
                dataset,
                user=request.user,
                dry_run=False,
                file_name=data["original_file_name"],
            )
        except services.ImportRefused as refused:
            messages.error(request, str(refused))
            return redirect(self._url("import"))
        finally:
            tmp.remove()
        if result.has_errors() or result.has_validation_errors():
            for message in services.result_messages(result, resource)[:20]:
                messages.error(request, self._format_message(message))
            messages.error(request, gettext("Nothing was imported."))
            return redirect(self._url("import"))
        self.generate_log_entries(result, request)
        self.add_success_message(result, request)
        post_import.send(sender=None, model=self.model)
        return HttpResponseRedirect(self._url("changelist"))

    @method_decorator(require_POST)
    def cancel_import(self, request):
        """Drop a previewed upload without importing it."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        name = request.POST.get("import_file_name", "")
        if name:
            storage.ImportUploadStorage(name=name).remove()
        messages.info(request, gettext("Import cancelled. The uploaded file was deleted."))
        return redirect(self._url("import"))

    @staticmethod
    def _format_message(message: services.RowMessage) -> str:
        if message.row is None:
            return message.text
        return gettext("Row %(row)s: %(text)s") % {"row": message.row, "text": message.text}


@admin.register(ImportJob)
class ImportJobAdmin(NotFoundOutsideScopeMixin, admin.ModelAdmin):
    list_display = ("original_file_name", "model_name", "status", "requested_by", "created_at")
    list_filter = ("status", "app_label")
    readonly_fields = [f.name for f in ImportJob._meta.fields]

    def has_module_permission(self, request):
        return rules.is_superuser(request.user)

    def has_view_permission(self, request, obj=None):
        return rules.is_superuser(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class PlanWorkbookAdminMixin:
    """The whole-plan workbook on the plan's change page: export links and the import, for
    those ``access.rules`` allows; and a list action that exports one selected plan."""

    change_form_template = "imports/admin/plan_change_form.html"

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk:
            context["can_export_workbook"] = rules.can_export_plan(request.user, obj)
            context["can_import_workbook"] = rules.can_import(request.user, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    @admin.action(description=_("Export as workbook (XLSX)"))
    def export_workbook(self, request, queryset):
        plans = list(queryset[:2])
        if len(plans) != 1:
            self.message_user(
                request, gettext("Please select exactly one plan to export."), messages.WARNING
            )
            return None
        if not rules.can_export_plan(request.user, plans[0]):
            raise PermissionDenied
        return redirect("imports:plan_workbook_export", plan_slug=plans[0].slug, file_format="xlsx")


class PermissionedExportMixin(ExportMixin):
    """Spreadsheet export only (CSV, TSV, XLSX, all with formula protection), for models whose
    files are imported another way (campaigns: as a campaign document)."""

    formats = export_formats = formats.FORMATS

    def has_export_permission(self, request):
        return rules.can_export(request.user)

    def get_export_queryset(self, request):
        return visible_for_export(request.user, super().get_export_queryset(request))


class CampaignDocumentAdminMixin:
    """The campaign document (``planwerk-campaigns`` JSON) in the campaign changelist.

    Import: upload → preview (a dry run of ``campaign_document_import``: the problems, each with
    its document path, or the list of changes) → confirm, which applies exactly the previewed
    changes in one transaction or nothing. Export: the selected campaigns (list action) or all
    the user may export (button). Who may do what is asked of ``access.rules``.
    """

    # the changelist of django-import-export (its export button), plus the document links
    import_export_change_list_template = "imports/admin/campaign_change_list.html"
    campaign_document_template = "imports/campaign_document_import.html"

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "document/import/",
                self.admin_site.admin_view(self.campaign_document_import_view),
                name="{}_{}_document_import".format(*info),
            ),
            path(
                "document/export/",
                self.admin_site.admin_view(self.campaign_document_export_view),
                name="{}_{}_document_export".format(*info),
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_import_campaign_document": rules.can_import_campaigns(request.user),
            "can_export_campaign_document": rules.can_export(request.user),
        }
        return super().changelist_view(request, extra_context)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if rules.can_export(request.user):
            action = self.get_action("export_campaign_document")
            actions[action[1]] = action
        return actions

    def _document_url(self, name: str) -> str:
        info = self.opts.app_label, self.opts.model_name
        return reverse(f"admin:{info[0]}_{info[1]}_{name}", current_app=self.admin_site.name)

    # --- export ----------------------------------------------------------------------------

    @admin.action(description=_("Export as campaign document"))
    def export_campaign_document(self, request, queryset):
        if not rules.can_export(request.user):
            raise PermissionDenied
        return campaign_upload.document_response(
            campaign_upload.exportable_campaigns(request.user, queryset)
        )

    def campaign_document_export_view(self, request):
        """Every campaign the user may export, as one document."""
        if not rules.can_export(request.user):
            raise PermissionDenied
        return campaign_upload.document_response(
            campaign_upload.exportable_campaigns(request.user, self.model.objects.all())
        )

    # --- import ----------------------------------------------------------------------------

    def campaign_document_import_view(self, request):
        """Upload → preview → confirm or cancel."""
        if not rules.can_import_campaigns(request.user):
            raise PermissionDenied
        if request.method == "POST" and "confirm" in request.POST:
            return self._campaign_document_confirm(request)
        if request.method == "POST" and "cancel" in request.POST:
            stored_upload(request.POST.get("stored_name")).remove()
            messages.info(request, gettext("Import cancelled. The uploaded file was deleted."))
            return redirect(self._document_url("document_import"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Import campaign document"),
        }
        form = CampaignDocumentForm(refused_size=uploads.refused_size(request))
        if request.method == "POST":
            storage.purge_stale_uploads()
            form = CampaignDocumentForm(
                request.POST, request.FILES, refused_size=uploads.refused_size(request)
            )
            if form.is_valid():
                upload = form.cleaned_data["import_file"]
                stored = stored_upload("")
                stored.save_chunks(upload.chunks())
                context.update(campaign_upload.preview(request.user, stored, upload.name))
        context["form"] = form
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.campaign_document_template, context)

    def _campaign_document_confirm(self, request):
        stored = stored_upload(request.POST.get("stored_name"))
        file_name = request.POST.get("file_name", "")[:255]
        again = redirect(self._document_url("document_import"))
        try:
            result = campaign_upload.confirm(
                request.user,
                stored,
                file_name,
                expected_fingerprint=request.POST.get("fingerprint", ""),
                expected_changes=request.POST.get("changes_digest", ""),
            )
        except FileNotFoundError:
            messages.error(
                request,
                gettext(
                    "The uploaded file is no longer available (cancelled, or older than an hour). "
                    "Please upload it again."
                ),
            )
            return again
        except campaign_upload.Refused as refused:
            for problem in refused.messages[:20]:
                messages.error(request, problem)
            messages.error(request, gettext("Nothing was imported."))
            return again
        finally:
            stored.remove()
        messages.success(
            request,
            gettext("The campaign document “%(name)s” has been imported: %(summary)s.")
            % {"name": file_name, "summary": result.summary()},
        )
        return redirect(self._document_url("changelist"))
