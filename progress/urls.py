from django.urls import path

from . import views

app_name = "progress"

urlpatterns = [
    path("plaene/<slug:plan_slug>/stand/", views.plan_dashboard, name="plan_dashboard"),
]
