from django.urls import path

from . import views

app_name = "indicators"

urlpatterns = [
    path("plaene/<slug:plan_slug>/indikatoren/", views.indicator_list, name="indicator_list"),
    path(
        "plaene/<slug:plan_slug>/indikatoren/<slug:indicator_slug>/",
        views.indicator_detail,
        name="indicator_detail",
    ),
]
