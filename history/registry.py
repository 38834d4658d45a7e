"""Which history-tracked rows belong to which object: the inline children that a diff shows
and that a revert or a recovery restores together with their parent."""

from django.apps import apps

# parent model label -> (child model label, foreign key to the parent), in display order
CHILDREN: dict[str, tuple[tuple[str, str], ...]] = {
    "actionplan.plan": (("actionplan.FieldOfAction", "plan"),),
    "actionplan.measure": (
        ("actionplan.Step", "measure"),
        ("actionplan.ScheduleEntry", "measure"),
        ("actionplan.Responsibility", "measure"),
        ("actionplan.BudgetLine", "measure"),
    ),
    "actionplan.fieldofaction": (
        ("actionplan.BaselineFinding", "field"),
        ("actionplan.FieldContact", "field"),
    ),
    "campaigns.campaign": (
        ("campaigns.CampaignPartner", "campaign"),
        ("campaigns.CampaignContact", "campaign"),
        ("campaigns.Channel", "campaign"),
        ("campaigns.CampaignEvent", "campaign"),
    ),
    "campaigns.campaignevent": (("campaigns.EventParticipant", "event"),),
}

# Objects that are reverted and recovered together with their children.
REVERTIBLE = {"actionplan.measure"}

# Fields a revert or a recovery never sets back: the publication workflow decides them, and
# bookkeeping that is not content.
KEPT_ON_REVERT = {
    "actionplan.measure": {"state", "review_comment"},
}
# translation_state: the hashes kept beside each English text (translations.services), not
# content; a change of an English text shows as that text's change.
NOT_COMPARED = {
    "id",
    "version",
    "created_at",
    "updated_at",
    "content_changed_at",
    "translation_state",
}


def children_of(model) -> list[tuple[type, str]]:
    """(child model, foreign key name) of ``model``'s tracked inline rows."""
    return [
        (apps.get_model(label), fk)
        for label, fk in CHILDREN.get(model._meta.label_lower, ())
        if hasattr(apps.get_model(label), "history")
    ]


def is_revertible(model) -> bool:
    return model._meta.label_lower in REVERTIBLE
