from django.contrib import admin
from django.urls import path

from . import views

app_name = "twofactor"


def _admin(view):
    return admin.site.admin_view(view)


urlpatterns = [
    path("", _admin(views.manage), name="manage"),
    path("einrichten/", _admin(views.setup), name="setup"),
    path("anmelden/", _admin(views.verify), name="verify"),
    path("wiederherstellungscodes/", _admin(views.codes), name="codes"),
    path(
        "wiederherstellungscodes.txt",
        _admin(views.codes_download),
        name="codes_download",
    ),
    path("wiederherstellungscodes/neu/", _admin(views.codes_renew), name="codes_renew"),
    path("entfernen/", _admin(views.remove), name="remove"),
    path("zuruecksetzen/<int:user_id>/", _admin(views.reset), name="reset"),
]
