from django.urls import path

from . import views

app_name = "reports"

_REPORT = "plaene/<slug:plan_slug>/sachstandsberichte/<int:pk>/"

urlpatterns = [
    path(f"{_REPORT}pdf/", views.report_pdf, name="report_pdf"),
    path(f"{_REPORT}word/", views.report_docx, name="report_docx"),
]
