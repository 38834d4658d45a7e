from django.urls import path

from . import views

urlpatterns = [
    path(
        "authenticate/",
        views.AuthenticationRequestView.as_view(),
        name="oidc_authentication_init",
    ),
    path(
        "callback/",
        views.AuthenticationCallbackView.as_view(),
        name="oidc_authentication_callback",
    ),
]
