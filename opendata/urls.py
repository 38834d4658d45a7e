from django.urls import path

from . import views

app_name = "opendata"

urlpatterns = [
    path("plaene/<slug:plan_slug>/offene-daten/csv.zip", views.plan_csv, name="plan_csv"),
    path("plaene/<slug:plan_slug>/offene-daten/daten.json", views.plan_json, name="plan_json"),
    path(
        "plaene/<slug:plan_slug>/offene-daten/metadaten.jsonld",
        views.plan_metadata,
        name="plan_metadata",
    ),
]
