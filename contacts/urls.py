from django.urls import path

from . import views

app_name = "contacts"

urlpatterns = [
    path("kontakte/", views.directory, name="directory"),
    path(
        "kontakte/organisationen/<int:pk>/", views.organisation_detail, name="organisation_detail"
    ),
    path(
        "kontakte/organisationen/<int:pk>/vcard.vcf",
        views.organisation_vcard,
        name="organisation_vcard",
    ),
    path("kontakte/personen/<int:pk>/", views.person_detail, name="person_detail"),
    path("kontakte/personen/<int:pk>/vcard.vcf", views.person_vcard, name="person_vcard"),
]
