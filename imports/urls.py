from django.urls import path

from . import views

app_name = "imports"

urlpatterns = [
    path("<uuid:job_id>/", views.job_status, name="job_status"),
    path("<uuid:job_id>/bestaetigen/", views.job_confirm, name="job_confirm"),
    path("<uuid:job_id>/abbrechen/", views.job_cancel, name="job_cancel"),
    path(
        "plan/<slug:plan_slug>/arbeitsmappe.<str:file_format>",
        views.plan_workbook_export,
        name="plan_workbook_export",
    ),
    path(
        "plan/<slug:plan_slug>/arbeitsmappe/import/",
        views.plan_workbook_import,
        name="plan_workbook_import",
    ),
]
