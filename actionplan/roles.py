"""Staff roles: which admin permissions the editors' and coordinators' groups hold.

`setup_roles()` is idempotent and declarative: it sets each group's permissions to exactly the
list below, so running it again after a change here (or after someone fiddled in the admin)
brings the groups back in line. Run it with `manage.py setup_roles` after `migrate`.
"""

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import transaction

EDITORS = "Redaktion"
COORDINATORS = "Koordination"

PUBLISH_CODENAME = "publish_plan"
PUBLISH_PERMISSION = f"actionplan.{PUBLISH_CODENAME}"

ALL = ("add", "change", "delete", "view")
EDIT = ("add", "change", "view")
# Rows edited as inlines need "delete" so editors can remove a step or a schedule line.
EDIT_ROWS = ALL

EDITOR_PERMISSIONS: dict[tuple[str, str], tuple[str, ...]] = {
    # Editors change a plan's texts but never its status (see PlanAdmin) and never delete it.
    ("actionplan", "plan"): EDIT,
    ("actionplan", "fieldofaction"): EDIT,
    ("actionplan", "measure"): EDIT,
    ("actionplan", "fieldcontact"): EDIT_ROWS,
    ("actionplan", "baselinefinding"): EDIT_ROWS,
    ("actionplan", "step"): EDIT_ROWS,
    ("actionplan", "scheduleentry"): EDIT_ROWS,
    ("actionplan", "responsibility"): EDIT_ROWS,
    ("actionplan", "budgetline"): EDIT_ROWS,
    ("actionplan", "targetgroup"): EDIT,
    ("actionplan", "budgetcategory"): ("view",),
    ("actionplan", "fundingsource"): ("view",),
    ("contacts", "organisation"): EDIT,
    ("contacts", "person"): EDIT,
}

COORDINATOR_PERMISSIONS: dict[tuple[str, str], tuple[str, ...]] = {
    key: ALL for key in EDITOR_PERMISSIONS
}


def ensure_publish_permission() -> Permission:
    """The `actionplan.publish_plan` permission, created if Plan.Meta does not declare it yet."""
    from actionplan.models import Plan

    content_type = ContentType.objects.get_for_model(Plan)
    permission, _created = Permission.objects.get_or_create(
        content_type=content_type,
        codename=PUBLISH_CODENAME,
        defaults={"name": "Can publish plans"},
    )
    return permission


def _permissions(spec: dict[tuple[str, str], tuple[str, ...]]) -> list[Permission]:
    wanted = {
        (app_label, f"{action}_{model}")
        for (app_label, model), actions in spec.items()
        for action in actions
    }
    found = list(
        Permission.objects.filter(
            content_type__app_label__in={app for app, _codename in wanted},
            codename__in={codename for _app, codename in wanted},
        ).select_related("content_type")
    )
    found = [p for p in found if (p.content_type.app_label, p.codename) in wanted]
    missing = wanted - {(p.content_type.app_label, p.codename) for p in found}
    if missing:
        raise LookupError(f"Permissions missing (run migrate first): {sorted(missing)}")
    return found


@transaction.atomic
def setup_roles() -> dict[str, Group]:
    """Create or update the editors' and coordinators' groups with their permissions."""
    publish = ensure_publish_permission()
    editors, _created = Group.objects.get_or_create(name=EDITORS)
    editors.permissions.set(_permissions(EDITOR_PERMISSIONS))
    coordinators, _created = Group.objects.get_or_create(name=COORDINATORS)
    coordinators.permissions.set([*_permissions(COORDINATOR_PERMISSIONS), publish])
    return {EDITORS: editors, COORDINATORS: coordinators}
