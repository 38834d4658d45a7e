from django.contrib import admin

from actionplan.admin import VocabularyAdmin

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
