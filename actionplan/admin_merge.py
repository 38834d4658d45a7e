"""The coordinators' "merge into …" action of the managed lists (target groups, budget
categories, funding sources): links move to the entry kept, the duplicates are deleted, the
history records both (``actionplan.vocabulary``)."""

from django import forms
from django.apps import apps
from django.contrib import admin, messages
from django.db import transaction
from django.template.response import TemplateResponse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from access import rules

from .vocabulary import vocabulary_merge


def _normal(name: str) -> str:
    return " ".join(name.split()).casefold()


class VocabularyForm(forms.ModelForm):
    """Refuses a name that differs from an existing entry only in case or spaces."""

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        others = self._meta.model.objects.exclude(pk=self.instance.pk)
        clash = next((o for o in others.only("name") if _normal(o.name) == _normal(name)), None)
        if clash is not None and clash.name != name:  # the same name: the unique check says so
            raise forms.ValidationError(
                _("“%(name)s” is already in the list; use it or merge the entries.")
                % {"name": clash.name}
            )
        return name


class MergeForm(forms.Form):
    keep = forms.ModelChoiceField(label=_("Keep this entry"), queryset=None)

    def __init__(self, *args, model, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["keep"].queryset = model.objects.order_by("name")


class VocabularyMergeMixin:
    """Adds the action ``merge`` to a managed list's admin, for those who maintain the lists."""

    form = VocabularyForm

    def has_merge_permission(self, request):
        return rules.can_add(request.user, self.model)

    @admin.action(description=_("Merge into another entry"), permissions=["merge"])
    def merge(self, request, queryset):
        selected = list(queryset.order_by("name"))
        form = MergeForm(
            request.POST if request.POST.get("post") == "yes" else None, model=self.model
        )
        if form.is_bound and form.is_valid():
            keep = form.cleaned_data["keep"]
            duplicates = [entry for entry in selected if entry.pk != keep.pk]
            if not rules.can_change(request.user, keep) or not all(
                rules.can_delete(request.user, entry) for entry in duplicates
            ):
                message = gettext("You may not merge these entries.")
                self.message_user(request, message, messages.ERROR)
                return None
            with transaction.atomic():
                for entry in duplicates:
                    vocabulary_merge(apps, entry, keep, user_id=request.user.pk)
            self.message_user(
                request,
                ngettext(
                    "%(count)d entry merged into “%(keep)s”.",
                    "%(count)d entries merged into “%(keep)s”.",
                    len(duplicates),
                )
                % {"count": len(duplicates), "keep": keep.name},
                messages.SUCCESS,
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Merge into another entry"),
            "opts": self.opts,
            "form": form,
            "selected": selected,
            "action": "merge",
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "actionplan/admin/vocabulary_merge.html", context)
