"""Public campaign pages: the list with its filters and one campaign with everything it holds."""

from django import forms
from django.shortcuts import get_object_or_404, render
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from actionplan.models import TargetGroup
from contacts.models import Organisation

from . import selectors
from .charts import key_figure_groups
from .models import Campaign, Market
from .public_cache import public_campaign_page


class CampaignFilterForm(forms.Form):
    """Validates the GET parameters of the campaign list; bad values are reported, not fatal."""

    region = forms.ChoiceField(label=_("City/region"), required=False, choices=[])
    organiser = forms.ModelChoiceField(
        label=_("Organiser"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("All organisers"),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("All statuses")),
            *[(value, capfirst(label)) for value, label in Campaign.Lifecycle.choices],
        ],
    )
    target_group = forms.ModelChoiceField(
        label=_("Target group"),
        queryset=TargetGroup.objects.none(),
        required=False,
        empty_label=_("All target groups"),
    )
    market = forms.ModelChoiceField(
        label=_("Target market"),
        queryset=Market.objects.none(),
        required=False,
        empty_label=_("All target markets"),
    )
    year = forms.TypedChoiceField(
        label=_("Year"), coerce=int, required=False, empty_value=None, choices=[]
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        choices = selectors.filter_choices(user)
        self.fields["region"].choices = [("", _("All regions"))] + [
            (region, region) for region in choices["regions"]
        ]
        self.fields["organiser"].queryset = choices["organisers"]
        self.fields["target_group"].queryset = choices["target_groups"]
        self.fields["market"].queryset = choices["markets"]
        self.fields["market"].label_from_instance = lambda market: market.display_name
        self.fields["year"].choices = [("", _("All years"))] + [
            (year, str(year)) for year in choices["years"]
        ]

    def to_filter(self) -> selectors.CampaignFilter:
        """The valid part of the input; invalid fields count as not given."""
        self.is_valid()
        data = self.cleaned_data
        return selectors.CampaignFilter(
            region=data.get("region") or None,
            organiser=data.get("organiser"),
            lifecycle=data.get("status") or None,
            target_group=data.get("target_group"),
            market=data.get("market"),
            year=data.get("year"),
        )


@public_campaign_page(params=tuple(CampaignFilterForm.base_fields))
def campaign_list(request):
    form = CampaignFilterForm(request.GET or None, user=request.user)
    flt = form.to_filter() if form.is_bound else selectors.CampaignFilter()
    campaigns = list(selectors.campaigns_for_list(request.user, flt))
    return render(
        request,
        "campaigns/campaign_list.html",
        {"form": form, "filter": flt, "campaigns": campaigns},
    )


@public_campaign_page
def campaign_detail(request, slug):
    campaign = get_object_or_404(selectors.campaign_for_page(request.user, slug))
    return render(
        request,
        "campaigns/campaign_detail.html",
        {
            "campaign": campaign,
            "partners": partner_groups(campaign.partner_links.all()),
            "key_figures": key_figure_groups(campaign.key_figures.all()),
        },
    )


def partner_groups(links) -> list[tuple[str, list]]:
    """Partners by role, in the order the roles are declared."""
    links = list(links)
    return [
        (label, members)
        for value, label in Campaign.partners.through.Role.choices
        if (members := [link for link in links if link.role == value])
    ]
