from django.urls import path

from documents.urls import urlpatterns as document_urlpatterns

from . import views

app_name = "actionplan"

urlpatterns = [
    path("", views.plan_list, name="plan_list"),
    path("plaene/<slug:plan_slug>/", views.plan_detail, name="plan_detail"),
    path("plaene/<slug:plan_slug>/zeitplan/", views.plan_timeline_view, name="plan_timeline"),
    path("plaene/<slug:plan_slug>/massnahmen/", views.measure_list, name="measure_list"),
    path(
        "plaene/<slug:plan_slug>/handlungsfelder/<slug:field_slug>/",
        views.field_detail,
        name="field_detail",
    ),
    path(
        "plaene/<slug:plan_slug>/handlungsfelder/<slug:field_slug>/massnahmen/<slug:measure_slug>/",
        views.measure_detail,
        name="measure_detail",
    ),
]

urlpatterns += document_urlpatterns
