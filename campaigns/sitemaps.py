"""sitemap.xml entries for the campaigns: the list and every campaign anonymous visitors see."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from access import rules

from .models import Campaign


class _PublicSitemap(Sitemap):
    i18n = True
    alternates = True
    x_default = True


class CampaignIndexSitemap(_PublicSitemap):
    priority = 0.8

    def items(self):
        return ["campaigns:campaign_list"]

    def location(self, item):
        return reverse(item)


class CampaignSitemap(_PublicSitemap):
    priority = 0.7

    def items(self):
        return rules.visible_campaigns(None, Campaign.objects.order_by("pk"))

    def lastmod(self, campaign):
        return campaign.content_changed_at or campaign.updated_at
