"""Active filters of a GET filter form as removable chips, for the folded filter panels.

`{% active_filters form as active %}` gives the valid, non-empty filter values of a bound form:
each chip has the field's label, the value as the reader chose it, and the URL of the same page
without that one parameter (and without `page`, since the result count changes). The panel's
"Filter (n)" counts the chips that sit inside the folded panel (`active.folded`).
"""

from dataclasses import dataclass, field

from django import forms, template

register = template.Library()


@dataclass(frozen=True)
class Chip:
    name: str
    label: str
    value: str
    remove_url: str


@dataclass
class ActiveFilters:
    chips: list[Chip] = field(default_factory=list)
    folded: int = 0

    def __bool__(self) -> bool:
        return bool(self.chips)

    def __iter__(self):
        return iter(self.chips)


def _display(bound_field, value) -> str:
    form_field = bound_field.field
    if isinstance(form_field, forms.ModelChoiceField):
        return str(form_field.label_from_instance(value))
    if isinstance(form_field, forms.ChoiceField):
        raw = bound_field.data
        for choice, label in form_field.choices:
            if str(choice) == str(raw):
                return str(label)
    return str(value)


@register.simple_tag(takes_context=True)
def active_filters(context, form, outside: str = "q", hide: str = "") -> ActiveFilters:
    """Chips for the valid, non-empty values of the bound `form`; the comma-separated field
    names in `outside` stay visible outside the folded panel and are not counted in it, those
    in `hide` get no chip (the search term of the site search, which is no filter)."""
    result = ActiveFilters()
    request = context.get("request")
    if form is None or not form.is_bound or request is None:
        return result
    form.is_valid()  # fills cleaned_data with the valid fields only
    data = getattr(form, "cleaned_data", {})
    kept_outside = {name.strip() for name in outside.split(",") if name.strip()}
    hidden = {name.strip() for name in hide.split(",") if name.strip()}
    for bound_field in form:
        name = bound_field.name
        if name in form.errors or name in hidden:
            continue
        value = data.get(name)
        if value in (None, "", [], ()):
            continue
        if isinstance(value, str):
            value = value.strip()
            if not value:
                continue
        query = request.GET.copy()
        query.pop(name, None)
        query.pop("page", None)
        encoded = query.urlencode()
        result.chips.append(
            Chip(
                name=name,
                label=str(bound_field.label or ""),
                value=_display(bound_field, value),
                remove_url=f"?{encoded}" if encoded else request.path,
            )
        )
        if name not in kept_outside:
            result.folded += 1
    return result
