"""vCard 4.0 (RFC 6350) of a consenting person or of an organisation, written by ``vobject``.

Only what the public directory shows goes in: a person's own phone and e-mail with their
consent (callers make sure the person consented), an organisation's published details.
"""

import vobject

from .models import Organisation, Person


def _org_names(org: Organisation) -> list[str]:
    """ORG is “organisation;unit”: the parent first, as in “Stadt Leipzig;Kulturamt”."""
    return [org.parent.name, org.name] if org.parent_id else [org.name]


def _card(kind: str, full_name: str, url: str) -> vobject.base.Component:
    card = vobject.vCard()
    card.add("version").value = "4.0"
    card.add("kind").value = kind
    card.add("fn").value = full_name
    card.add("source").value = url
    card.add("url").value = url
    return card


def _add_contact(card, *, phone: str, email: str) -> None:
    if phone:
        tel = card.add("tel")
        tel.value = phone
        tel.params["VALUE"] = ["text"]
        tel.type_param = "work"
    if email:
        mail = card.add("email")
        mail.value = email
        mail.type_param = "work"


def person_vcard(person: Person, *, url: str) -> str:
    card = _card("individual", person.full_name, url)
    card.add("n").value = vobject.vcard.Name(
        family=person.last_name, given=person.first_name, prefix=person.title
    )
    if person.function:
        card.add("title").value = person.function
    if person.organisation_id:
        card.add("org").value = _org_names(person.organisation)
    _add_contact(card, phone=person.public_phone(), email=person.public_email())
    return card.serialize()


def organisation_vcard(org: Organisation, *, url: str) -> str:
    card = _card("org", org.name, url)
    card.add("n").value = vobject.vcard.Name(family=org.name)
    card.add("org").value = _org_names(org)
    if org.address:
        lines = [line.strip() for line in org.address.splitlines() if line.strip()]
        card.add("adr").value = vobject.vcard.Address(street=", ".join(lines))
    _add_contact(card, phone=org.phone, email=org.email)
    if org.website:
        card.add("url").value = org.website
    return card.serialize()
