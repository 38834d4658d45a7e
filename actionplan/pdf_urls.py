"""PDF download and export-job URLs, included by ``actionplan/urls.py``."""

from django.urls import path

from . import pdf_views

urlpatterns = [
    path("plaene/<slug:plan_slug>/pdf/", pdf_views.plan_pdf, name="plan_pdf"),
    path(
        "plaene/<slug:plan_slug>/handlungsfelder/<slug:field_slug>/pdf/",
        pdf_views.field_pdf,
        name="field_pdf",
    ),
    path(
        "plaene/<slug:plan_slug>/handlungsfelder/<slug:field_slug>/massnahmen/"
        "<slug:measure_slug>/pdf/",
        pdf_views.measure_pdf,
        name="measure_pdf",
    ),
    path("pdf-exporte/<uuid:export_id>/", pdf_views.pdf_export_status, name="pdf_export_status"),
    path(
        "pdf-exporte/<uuid:export_id>/download/",
        pdf_views.pdf_export_download,
        name="pdf_export_download",
    ),
]
