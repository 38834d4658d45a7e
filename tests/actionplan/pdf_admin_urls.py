"""URLconf for the admin integration tests: a site with the PDF mixins wired in, the way
the lead wires them into actionplan/admin.py."""

from django.contrib import admin
from django.urls import include, path

from actionplan.models import FieldOfAction, Measure, Plan
from actionplan.models_pdf import PdfExport
from actionplan.pdf_admin import (
    FieldPdfAdminMixin,
    MeasurePdfAdminMixin,
    PdfExportAdmin,
    PlanPdfAdminMixin,
)

site = admin.AdminSite(name="admin")


class PlanAdmin(PlanPdfAdminMixin, admin.ModelAdmin):
    pass


class FieldOfActionAdmin(FieldPdfAdminMixin, admin.ModelAdmin):
    pass


class MeasureAdmin(MeasurePdfAdminMixin, admin.ModelAdmin):
    pass


site.register(Plan, PlanAdmin)
site.register(FieldOfAction, FieldOfActionAdmin)
site.register(Measure, MeasureAdmin)
site.register(PdfExport, PdfExportAdmin)

urlpatterns = [
    path("admin/", site.urls),
    path("", include("actionplan.pdf_urls")),
]
