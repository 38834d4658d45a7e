from django.contrib import admin
from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("", admin.site.admin_view(views.preferences), name="preferences"),
    path("abmelden/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
