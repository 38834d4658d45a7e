"""The three legal pages and robots.txt. Not in the public page cache
(actionplan/public_cache.py caches plan pages only): an edit in the admin shows at once."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from .models import LegalPage

# Paths for staff only: no search engine needs to knock.
PRIVATE = ("admin", "importe")


@require_GET
def legal_page(request, kind):
    page = get_object_or_404(LegalPage, kind=kind)
    title, body, text_language = page.shown()
    context = {"page": page, "title": title, "body": body, "text_language": text_language}
    # German text on an English page: said so, and marked as German for screen readers
    context["german_only"] = text_language != (get_language() or "de")[:2]
    return render(request, "legal/legalpage_detail.html", context)


@require_GET
def robots_txt(request):
    sitemap = request.build_absolute_uri(reverse("django.contrib.sitemaps.views.sitemap"))
    lines = ["User-agent: *"]
    # the German paths and their English twins (i18n_patterns prefixes /en/)
    lines += [f"Disallow: {prefix}/{path}/" for prefix in ("", "/en") for path in PRIVATE]
    lines.append(f"Sitemap: {sitemap}")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
