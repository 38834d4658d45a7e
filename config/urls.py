from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from access.views import PasswordSetDoneView, PasswordSetView
from actionplan.sitemaps import SITEMAPS
from indicators.sitemaps import IndicatorIndexSitemap, IndicatorSitemap
from legal.views import robots_txt

urlpatterns = [
    path(
        "sitemap.xml",
        sitemap,
        {
            "sitemaps": {
                **SITEMAPS,
                "indicator-index": IndicatorIndexSitemap,
                "indicators": IndicatorSitemap,
            }
        },
        name="django.contrib.sitemaps.views.sitemap",
    ),
    # The API is language-neutral (codes, not labels): outside i18n_patterns.
    path("api/v1/", include("api.urls")),
    path("robots.txt", robots_txt, name="robots_txt"),
    # for the load balancer and monitoring, outside the languages (health/views.py)
    path("health/", include("health.urls")),
    # single sign-on (sso/): answers 404 unless configured; outside the languages, the
    # callback's address is registered at the provider
    path("oidc/", include("sso.urls")),
]

urlpatterns += i18n_patterns(
    # before the admin's catch-all: the review of pending changes, in the admin's frame
    path("admin/aenderungen/", include("reviews.urls")),
    # the second factor (twofactor/): before the admin's catch-all, in its frame
    path("admin/zwei-faktor/", include("twofactor.urls")),
    # the quality check before publishing (workbench): in the admin's frame
    path("admin/pruefen/", include("workbench.urls")),
    path("admin/", admin.site.urls),
    # Invited members choose their password here (access.services.membership_invite).
    path(
        "konto/passwort-festlegen/<uidb64>/<token>/",
        PasswordSetView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "konto/passwort-festgelegt/",
        PasswordSetDoneView.as_view(),
        name="password_reset_complete",
    ),
    path("importe/", include("imports.urls")),
    # the round trip with a translation office (translations/): beside the imports
    path("uebersetzungen/", include("translations.urls")),
    path("dokumente/", include("attachments.urls")),
    path("erinnerungen/", include("reminders.urls")),
    path("benachrichtigungen/", include("notifications.urls")),
    path("", include("feeds.urls")),
    path("", include("opendata.urls")),
    path("", include("embeds.urls")),
    path("", include("versions.urls")),
    path("", include("reports.urls")),
    path("", include("contacts.urls")),
    path("", include("legal.urls")),
    path("kampagnen/", include("campaigns.urls")),
    path("suche/", include("search.urls")),
    path("", include("actionplan.urls")),
    path("", include("progress.urls")),
    path("", include("indicators.urls")),
    prefix_default_language=False,
)

# Inside the admin (and the import pages beside it) refusals and missing pages are shown in the
# admin's own look, with the reason and whom to ask; elsewhere Django's defaults and 404.html.
handler403 = "workbench.views.permission_denied"
handler404 = "workbench.views.page_not_found"
