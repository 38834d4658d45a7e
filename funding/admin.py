from django.contrib import admin

from actionplan.admin import VocabularyAdmin, budget_placeholders

from .models import FundingProgramme


@admin.register(FundingProgramme)
class FundingProgrammeAdmin(VocabularyAdmin):
    """The shared list of funding programmes; coordinators of any plan maintain it
    (``access.rules.SHARED_LISTS``), with the “merge into …” action of the other lists."""

    usage_relation = "budget_lines"
    list_display = ("name", "level", "fund", "period", "default_rate", "position", "usage")
    list_filter = ("level", "fund")
    search_fields = ("name", "key", "fund", "period")
    fields = ("name", "key", "level", "fund", "period", "default_rate", "position")

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        return budget_placeholders(db_field, formfield)
