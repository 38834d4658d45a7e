"""sitemap.xml: the public indicators and the indicator index of each plan that has one."""

from django.urls import reverse

from access import rules
from actionplan.sitemaps import _PublicSitemap

from .models import Indicator


def _public():
    return rules.visible_indicators(None, Indicator.objects.all())


class IndicatorSitemap(_PublicSitemap):
    priority = 0.5

    def items(self):
        return _public().select_related("plan").order_by("plan", "name", "pk")

    def lastmod(self, indicator):
        return indicator.plan.content_changed_at or indicator.plan.updated_at


class IndicatorIndexSitemap(_PublicSitemap):
    priority = 0.5

    def items(self):
        return sorted(set(_public().values_list("plan__slug", flat=True)))

    def location(self, slug):
        return reverse("indicators:indicator_list", kwargs={"plan_slug": slug})
