from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class MembershipQuerySet(models.QuerySet):
    """Bulk writes that send no signals keep the staff flag in step as well (``delete`` sends
    ``post_delete`` per row, so the signal handles it)."""

    def bulk_create(self, objs, *args, **kwargs):
        created = super().bulk_create(objs, *args, **kwargs)
        self._sync_staff({m.user_id for m in created})
        return created

    def bulk_update(self, objs, fields, *args, **kwargs):
        objs = list(objs)
        before = set()
        if "user" in fields or "user_id" in fields:
            pks = [m.pk for m in objs if m.pk is not None]
            before = set(
                self.model._default_manager.filter(pk__in=pks).values_list("user_id", flat=True)
            )
        result = super().bulk_update(objs, fields, *args, **kwargs)
        if before:
            self._sync_staff(before | {m.user_id for m in objs})
        return result

    def update(self, **kwargs):
        if "user" not in kwargs and "user_id" not in kwargs:
            return super().update(**kwargs)
        before = set(self.values_list("user_id", flat=True))
        result = super().update(**kwargs)
        after = kwargs.get("user_id", kwargs.get("user"))
        self._sync_staff(before | {getattr(after, "pk", after)})
        return result

    @staticmethod
    def _sync_staff(user_ids):
        from .services import staff_sync  # services import this module

        staff_sync(user_ids=user_ids)


class Membership(models.Model):
    """A user's role in one plan or one campaign, for editors bound to an organisation."""

    class Role(models.TextChoices):
        COORDINATOR = "coordinator", _("coordinator")
        EDITOR = "editor", _("editor")
        READER = "reader", _("reader")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    plan = models.ForeignKey(
        "actionplan.Plan",
        verbose_name=_("plan"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="memberships",
    )
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("campaign"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="memberships",
    )
    role = models.CharField(_("role"), max_length=20, choices=Role)
    organisation = models.ForeignKey(
        "contacts.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
        help_text=_(
            "Editors of a plan edit the measures in which this organisation, or a unit below "
            "it, holds a responsibility."
        ),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    history = HistoricalRecords()

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["plan", "campaign", "role", "user"]
        constraints = [
            models.CheckConstraint(
                condition=Q(plan__isnull=False, campaign__isnull=True)
                | Q(plan__isnull=True, campaign__isnull=False),
                name="access_membership_plan_xor_campaign",
                violation_error_message=_("Choose either a plan or a campaign."),
            ),
            models.CheckConstraint(
                condition=~Q(role="editor", plan__isnull=False, organisation__isnull=True),
                name="access_membership_plan_editor_has_organisation",
                violation_error_message=_("An editor of a plan needs an organisation."),
            ),
            models.UniqueConstraint(
                fields=["user", "plan", "role", "organisation"],
                condition=Q(plan__isnull=False, organisation__isnull=False),
                name="access_membership_unique_plan_org_role",
                violation_error_message=_("This membership exists already."),
            ),
            models.UniqueConstraint(
                fields=["user", "plan", "role"],
                condition=Q(plan__isnull=False, organisation__isnull=True),
                name="access_membership_unique_plan_role",
                violation_error_message=_("This membership exists already."),
            ),
            models.UniqueConstraint(
                fields=["user", "campaign", "role"],
                condition=Q(campaign__isnull=False),
                name="access_membership_unique_campaign_role",
                violation_error_message=_("This membership exists already."),
            ),
        ]

    def __str__(self):
        target = self.plan or self.campaign
        role = self.get_role_display()
        if self.organisation_id:
            return f"{self.user} – {role} ({self.organisation}) – {target}"
        return f"{self.user} – {role} – {target}"


class AuditEvent(models.Model):
    """Who did what, when and from where: logins, memberships, publications, reviews, imports."""

    class Action(models.TextChoices):
        LOGIN = "login", _("logged in")
        LOGIN_FAILED = "login_failed", _("login failed")
        LOGOUT = "logout", _("logged out")
        MEMBERSHIP_ADDED = "membership_added", _("membership added")
        MEMBERSHIP_CHANGED = "membership_changed", _("membership changed")
        MEMBERSHIP_REMOVED = "membership_removed", _("membership removed")
        PERMISSIONS_CHANGED = "permissions_changed", _("permissions changed")
        SUBMITTED = "submitted", _("submitted for review")
        PUBLISHED = "published", _("published")
        SENT_BACK = "sent_back", _("sent back")
        STATUS_CHANGED = "status_changed", _("implementation status changed")
        ARCHIVED = "archived", _("archived")
        UNPUBLISHED = "unpublished", _("withdrawn")
        IMPORTED = "imported", _("imported")
        EXPORTED = "exported", _("exported")
        CONTACTS_MERGED = "contacts_merged", _("contacts merged")
        PERSON_ERASED = "person_erased", _("person erased")
        CONSENT_CHANGED = "consent_changed", _("publication consent changed")
        INVITED = "invited", _("invited")
        # the second factor (twofactor/)
        TWO_FACTOR_ENROLLED = "2fa_enrolled", _("two-factor authentication set up")
        TWO_FACTOR_FAILED = "2fa_failed", _("wrong second-factor code")
        TWO_FACTOR_RECOVERY_USED = "2fa_recovery_used", _("recovery code used")
        TWO_FACTOR_CODES_RENEWED = "2fa_codes_renewed", _("recovery codes renewed")
        TWO_FACTOR_REMOVED = "2fa_removed", _("two-factor authentication removed")
        TWO_FACTOR_RESET = "2fa_reset", _("two-factor authentication reset")

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audit_events",
    )
    actor_name = models.CharField(
        _("user name"), max_length=150, blank=True, help_text=_("as entered, also on failure")
    )
    action = models.CharField(_("action"), max_length=30, choices=Action)
    plan = models.ForeignKey(
        "actionplan.Plan",
        verbose_name=_("plan"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audit_events",
    )
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("campaign"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audit_events",
    )
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=255, blank=True)
    detail = models.TextField(_("detail"), blank=True)
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit log")
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.get_action_display()}"
