"""The public directory: organisations as a tree, persons who consented to publication, and
their vCards. Who appears and what of theirs is listed, access.rules and the person's consent
decide (contacts/selectors.py)."""

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.text import slugify

from . import selectors, vcards
from .models import Organisation
from .public_cache import directory_page


@directory_page
def directory(request):
    people = list(selectors.directory_people(request.user))
    return render(
        request,
        "contacts/directory.html",
        {"tree": selectors.organisation_tree(request.user, people), "people": people},
    )


def _organisation_or_404(request, pk):
    return get_object_or_404(
        Organisation.objects.visible_to(request.user).select_related("parent"), pk=pk
    )


def _person_or_404(request, pk):
    """Only a consenting person the user may see; any other answers 404, as if absent."""
    person = selectors.directory_person(request.user, pk)
    if person is None:
        raise Http404
    return person


@directory_page
def organisation_detail(request, pk):
    org = _organisation_or_404(request, pk)
    children, people = selectors.organisation_members(request.user, org)
    return render(
        request,
        "contacts/organisation_detail.html",
        {
            "organisation": org,
            "ancestors": [org.parent] if org.parent_id else [],
            "children": children,
            "people": people,
            "involvement": selectors.organisation_involvement(request.user, org),
        },
    )


@directory_page
def person_detail(request, pk):
    person = _person_or_404(request, pk)
    return render(
        request,
        "contacts/person_detail.html",
        {"person": person, "involvement": selectors.person_involvement(request.user, person)},
    )


def _vcard_response(text: str, name: str) -> HttpResponse:
    response = HttpResponse(text, content_type="text/vcard; charset=utf-8")
    filename = slugify(name) or "kontakt"
    response["Content-Disposition"] = f'attachment; filename="{filename}.vcf"'
    return response


@directory_page
def person_vcard(request, pk):
    person = _person_or_404(request, pk)
    url = request.build_absolute_uri(person.get_absolute_url())
    return _vcard_response(vcards.person_vcard(person, url=url), person.full_name)


@directory_page
def organisation_vcard(request, pk):
    org = _organisation_or_404(request, pk)
    url = request.build_absolute_uri(org.get_absolute_url())
    return _vcard_response(vcards.organisation_vcard(org, url=url), org.name)
