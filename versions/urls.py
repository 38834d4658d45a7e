from django.urls import path

from . import views

app_name = "versions"

_VERSION = "plaene/<slug:plan_slug>/versionen/<slug:version_slug>/"

urlpatterns = [
    path(_VERSION, views.version_detail, name="version_detail"),
    path(f"{_VERSION}aenderungen/", views.version_changes, name="version_changes"),
    path(f"{_VERSION}pdf/", views.version_pdf, name="version_pdf"),
    path(
        f"{_VERSION}handlungsfelder/<slug:field_slug>/",
        views.version_field,
        name="version_field",
    ),
    path(
        f"{_VERSION}handlungsfelder/<slug:field_slug>/massnahmen/<slug:measure_slug>/",
        views.version_measure,
        name="version_measure",
    ),
]
