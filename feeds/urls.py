from django.urls import path

from . import views

app_name = "feeds"

urlpatterns = [
    path("plaene/<slug:plan_slug>/termine.ics", views.plan_ical, name="plan_ical"),
    path("plaene/<slug:plan_slug>/aenderungen.atom", views.plan_atom, name="plan_atom"),
    path("kampagnen/<slug:campaign_slug>/termine.ics", views.campaign_ical, name="campaign_ical"),
]
