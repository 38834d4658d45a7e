from django.urls import path

from documents import views as document_views

from . import views

app_name = "campaigns"

urlpatterns = [
    path("", views.campaign_list, name="campaign_list"),
    path("<slug:slug>/", views.campaign_detail, name="campaign_detail"),
    path("<slug:slug>/pdf/", document_views.campaign_pdf, name="campaign_pdf"),
]
