from django.urls import path

from . import views

app_name = "embeds"

urlpatterns = [
    path("plaene/<slug:plan_slug>/einbetten/", views.plan_embed, name="plan"),
    path(
        "plaene/<slug:plan_slug>/handlungsfelder/<slug:field_slug>/massnahmen/<slug:measure_slug>/"
        "einbetten/",
        views.measure_embed,
        name="measure",
    ),
]
