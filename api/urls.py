from django.urls import path, re_path
from rest_framework.routers import DefaultRouter

from . import views

app_name = "api"


class Router(DefaultRouter):
    APIRootView = views.ApiRootView
    include_format_suffixes = False


router = Router(use_regex_path=False)
router.register("plans", views.PlanViewSet, basename="plan")
router.register("fields", views.FieldViewSet, basename="field")
router.register("measures", views.MeasureViewSet, basename="measure")
router.register("campaigns", views.CampaignViewSet, basename="campaign")
router.register("organisations", views.OrganisationViewSet, basename="organisation")
router.register("persons", views.PersonViewSet, basename="person")
router.register("indicators", views.IndicatorViewSet, basename="indicator")

urlpatterns = [
    path("schema/", views.SchemaView.as_view(urlconf=None), name="schema"),
    *router.urls,
    # Last: any other address below the API answers a JSON 404 (after APPEND_SLASH's redirect).
    re_path(r"^(?:.*/)?$", views.NotFoundView.as_view(), name="not-found"),
]
