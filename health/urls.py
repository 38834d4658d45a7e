from django.urls import path

from . import views

app_name = "health"

urlpatterns = [
    path("", views.full, name="full"),
    path("web/", views.web, name="web"),
]
