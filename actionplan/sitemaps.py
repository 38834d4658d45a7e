"""sitemap.xml: published plans, their fields and measures, and the published campaigns, in
every language."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from campaigns.sitemaps import CampaignIndexSitemap, CampaignSitemap

from .models import FieldOfAction, Measure, Plan


class _PublicSitemap(Sitemap):
    i18n = True
    alternates = True
    x_default = True


class IndexSitemap(_PublicSitemap):
    priority = 1.0

    def items(self):
        return ["actionplan:plan_list"]

    def location(self, item):
        return reverse(item)


class PlanSitemap(_PublicSitemap):
    priority = 0.9

    def items(self):
        return Plan.objects.published().order_by("pk")

    def lastmod(self, plan):
        return plan.content_changed_at or plan.updated_at


class PlanPageSitemap(_PublicSitemap):
    """The timeline and the measure list of each published plan."""

    priority = 0.5

    def items(self):
        return [
            (name, slug)
            for slug in Plan.objects.published().order_by("pk").values_list("slug", flat=True)
            for name in ("actionplan:plan_timeline", "actionplan:measure_list")
        ]

    def location(self, item):
        name, slug = item
        return reverse(name, kwargs={"plan_slug": slug})


class FieldSitemap(_PublicSitemap):
    priority = 0.7

    def items(self):
        return FieldOfAction.objects.published().select_related("plan").order_by("plan", "position")


class MeasureSitemap(_PublicSitemap):
    priority = 0.6

    def items(self):
        return (
            Measure.objects.published()
            .select_related("field__plan")
            .order_by("field__plan", "field__position", "position")
        )


class DirectorySitemap(_PublicSitemap):
    """The contacts directory, every organisation and every person who consented."""

    priority = 0.4

    def items(self):
        from contacts.models import Organisation, Person

        return [
            "contacts:directory",
            *Organisation.objects.visible_to(None).order_by("pk"),
            *Person.objects.in_directory(None).order_by("pk"),
        ]

    def location(self, item):
        return reverse(item) if isinstance(item, str) else item.get_absolute_url()


SITEMAPS = {
    "index": IndexSitemap,
    "plans": PlanSitemap,
    "plan-pages": PlanPageSitemap,
    "fields": FieldSitemap,
    "measures": MeasureSitemap,
    "contacts": DirectorySitemap,
    "campaign-index": CampaignIndexSitemap,
    "campaigns": CampaignSitemap,
}
