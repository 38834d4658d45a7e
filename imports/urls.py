from django.urls import path

from . import views

app_name = "imports"

urlpatterns = [
    path("<uuid:job_id>/", views.job_status, name="job_status"),
    path("<uuid:job_id>/bestaetigen/", views.job_confirm, name="job_confirm"),
    path("<uuid:job_id>/abbrechen/", views.job_cancel, name="job_cancel"),
]
