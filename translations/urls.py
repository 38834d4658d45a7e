from django.urls import path

from . import views

app_name = "translations"

urlpatterns = [
    path(
        "plan/<slug:plan_slug>/",
        views.plan_translation,
        name="plan_translation",
    ),
    path(
        "plan/<slug:plan_slug>/uebersetzung.<str:file_format>",
        views.plan_translation_export,
        name="plan_translation_export",
    ),
    path("kampagne/<slug:slug>/", views.campaign_translation, name="campaign_translation"),
    path(
        "kampagne/<slug:slug>/uebersetzung.<str:file_format>",
        views.campaign_translation_export,
        name="campaign_translation_export",
    ),
]
