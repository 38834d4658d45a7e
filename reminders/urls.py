from django.urls import path

from . import views

app_name = "reminders"

urlpatterns = [
    path("abmelden/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
