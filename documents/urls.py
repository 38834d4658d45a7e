"""Document download and export-job URLs.

Included by ``actionplan/urls.py`` into its namespace: the names (``actionplan:plan_pdf``,
``actionplan:pdf_export_status`` …) sit beside the pages they belong to.
"""

from django.urls import path

from . import views

urlpatterns = [
    path("plaene/<slug:plan_slug>/pdf/", views.plan_pdf, name="plan_pdf"),
    path(
        "plaene/<slug:plan_slug>/stand/pdf/",
        views.plan_progress_pdf,
        name="plan_progress_pdf",
    ),
    path(
        "plaene/<slug:plan_slug>/handlungsfelder/<slug:field_slug>/pdf/",
        views.field_pdf,
        name="field_pdf",
    ),
    path(
        "plaene/<slug:plan_slug>/handlungsfelder/<slug:field_slug>/massnahmen/"
        "<slug:measure_slug>/pdf/",
        views.measure_pdf,
        name="measure_pdf",
    ),
    path("pdf-exporte/<uuid:export_id>/", views.pdf_export_status, name="pdf_export_status"),
    path(
        "pdf-exporte/<uuid:export_id>/abbrechen/",
        views.pdf_export_cancel,
        name="pdf_export_cancel",
    ),
    path(
        "pdf-exporte/<uuid:export_id>/download/",
        views.pdf_export_download,
        name="pdf_export_download",
    ),
]
