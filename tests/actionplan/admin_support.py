"""Helpers shared by the admin tests: POST data of admin change forms."""


def _post_value(value):
    if value is None:
        return None
    if isinstance(value, bool):
        return "on" if value else None
    if isinstance(value, list | tuple | set):
        return [str(getattr(v, "pk", v)) for v in value]
    return str(getattr(value, "pk", value))


def _form_data(form) -> dict:
    data = {}
    for name in form.fields:
        value = _post_value(form[name].value())
        if value is not None:
            data[form.add_prefix(name)] = value
    return data


def change_form_data(response) -> dict:
    """The POST data an admin add/change page would send unchanged, inlines included."""
    data = _form_data(response.context["adminform"].form)
    if "lock_version" in response.context.keys():
        # The optimistic lock's hidden input (actionplan/locking.py).
        data["_version"] = str(response.context["lock_version"])
    inlines = (
        response.context["inline_admin_formsets"]
        if "inline_admin_formsets" in response.context.keys()
        else []
    )
    for inline in inlines:
        formset = inline.formset
        data.update(_form_data(formset.management_form))
        for form in formset.forms:
            data.update(_form_data(form))
    return data


def inline_prefix(response, model) -> str:
    for inline in response.context["inline_admin_formsets"]:
        if inline.formset.model is model:
            return inline.formset.prefix
    raise LookupError(model)


def add_inline_row(data: dict, prefix: str, **values) -> None:
    """Append one new row to an inline formset in POST data."""
    index = int(data[f"{prefix}-TOTAL_FORMS"])
    data[f"{prefix}-TOTAL_FORMS"] = str(index + 1)
    for name, value in values.items():
        data[f"{prefix}-{index}-{name}"] = str(value)
