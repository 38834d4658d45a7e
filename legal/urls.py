from django.urls import path

from . import views

app_name = "legal"

urlpatterns = [
    path("impressum/", views.legal_page, {"kind": "impressum"}, name="impressum"),
    path("datenschutz/", views.legal_page, {"kind": "datenschutz"}, name="datenschutz"),
    path(
        "barrierefreiheit/",
        views.legal_page,
        {"kind": "barrierefreiheit"},
        name="barrierefreiheit",
    ),
]
