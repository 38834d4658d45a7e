from django.contrib import admin
from django.urls import path

from . import views

app_name = "workbench"

urlpatterns = [
    path(
        "<slug:plan_slug>/",
        admin.site.admin_view(views.quality_check),
        name="quality_check",
    ),
]
