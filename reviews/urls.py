from django.contrib import admin
from django.urls import path

from . import views

app_name = "reviews"


def _admin(view):
    return admin.site.admin_view(view)


urlpatterns = [
    path("<int:pk>/", _admin(views.compare), name="compare"),
    path("<int:pk>/freigeben/", _admin(views.approve), name="approve"),
    path("<int:pk>/zurueckschicken/", _admin(views.send_back), name="send_back"),
    path("<int:pk>/zurueckziehen/", _admin(views.withdraw), name="withdraw"),
    path("<int:pk>/einreichen/", _admin(views.submit), name="submit"),
]
