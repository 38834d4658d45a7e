"""The public site search: one GET form, results grouped by kind (search/selectors.py).

Answers vary with every term, so they are not cached; they render no CSRF token and touch no
session, so an anonymous answer carries no cookie (config/middleware.py).
"""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.cache import patch_cache_control

from . import selectors
from .forms import SearchForm


def results(request):
    # an empty box is a visit to the search page, not a mistake
    form = SearchForm(request.GET) if request.GET.get("q", "").strip() else SearchForm()
    context = {
        "form": form,
        "search_query": request.GET.get("q", "")[: selectors.MAX_LENGTH],
        "min_length": selectors.MIN_LENGTH,
        "max_length": selectors.MAX_LENGTH,
    }
    status = 200
    if form.is_bound and form.is_valid():
        term = form.cleaned_data["q"]
        key = form.cleaned_data["kind"]
        context["term"] = term
        if key:
            kind = selectors.KINDS_BY_KEY[key]
            page = Paginator(kind.queryset(request.user, term), selectors.PAGE_SIZE).get_page(
                request.GET.get("page")
            )
            context.update(kind=kind, page=page, hits=selectors.hits(kind, page, term))
        else:
            groups = selectors.overview(request.user, term)
            context.update(groups=groups, total=sum(group.total for group in groups))
    elif form.is_bound and form.has_error("q", "max_length"):
        status = 400
    response = render(request, "search/results.html", context, status=status)
    # never stored by a shared cache: a member's drafts and a visitor's terms stay theirs
    patch_cache_control(response, no_store=True)
    return response
