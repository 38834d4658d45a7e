from django.conf import settings
from django.db import migrations, models
from django.utils import timezone


def members_become_staff(apps, schema_editor):
    """Every account with a membership carries the staff flag (access.rules.should_be_staff),
    recorded in the audit log like any change of the flag."""
    app_label, model_name = settings.AUTH_USER_MODEL.split(".")
    user_model = apps.get_model(app_label, model_name)
    membership = apps.get_model("access", "Membership")
    audit_event = apps.get_model("access", "AuditEvent")
    members = user_model.objects.filter(
        pk__in=membership.objects.values("user_id"), is_staff=False
    )
    now = timezone.now()
    events = [
        audit_event(
            at=now,
            actor_name="",
            action="permissions_changed",
            detail=f"{user.username}: staff=True superuser={user.is_superuser} "
            f"active={user.is_active} (membership)",
        )
        for user in members
    ]
    members.update(is_staff=True)
    audit_event.objects.bulk_create(events)


class Migration(migrations.Migration):
    dependencies = [
        ("access", "0002_audit_contact_actions"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditevent",
            name="action",
            field=models.CharField(
                choices=[
                    ("login", "logged in"),
                    ("login_failed", "login failed"),
                    ("logout", "logged out"),
                    ("membership_added", "membership added"),
                    ("membership_changed", "membership changed"),
                    ("membership_removed", "membership removed"),
                    ("permissions_changed", "permissions changed"),
                    ("submitted", "submitted for review"),
                    ("published", "published"),
                    ("sent_back", "sent back"),
                    ("archived", "archived"),
                    ("unpublished", "withdrawn"),
                    ("imported", "imported"),
                    ("exported", "exported"),
                    ("contacts_merged", "contacts merged"),
                    ("person_erased", "person erased"),
                    ("invited", "invited"),
                ],
                max_length=30,
                verbose_name="action",
            ),
        ),
        migrations.RunPython(members_become_staff, migrations.RunPython.noop),
    ]
