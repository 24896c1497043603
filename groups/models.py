"""Groups of players: who belongs (with a role), the links that let people in, and the
Playtomic accounts members lend to the group. Every write goes through `groups.services`."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import PlaytomicAccount


class Group(models.Model):
    """Friends who play together. A group of one (`personal_for` set) stands for a person on
    their own, so personal booking rules work the same way as a group's."""

    name = models.CharField(_("name"), max_length=100)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="created_groups",
    )
    created_at = models.DateTimeField(default=timezone.now)
    # Unique, so two requests creating someone's personal group at once make one.
    personal_for = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="personal_group",
    )

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("group")
        verbose_name_plural = _("groups")

    def __str__(self) -> str:
        return self.name

    @property
    def is_personal(self) -> bool:
        return self.personal_for_id is not None


class Membership(models.Model):
    """A user in a group. Exactly one member is the owner: the constraint below allows no
    second one, and the services never leave a group without one (the owner can neither leave
    nor be removed, only hand the role over)."""

    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        ADMIN = "admin", _("Admin")
        MEMBER = "member", _("Member")

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="group_memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["group", "joined_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["group", "user"], name="membership_unique_per_group"),
            models.UniqueConstraint(
                fields=["group"], condition=Q(role="owner"), name="group_has_one_owner"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.group} ({self.role})"

    @property
    def is_admin(self) -> bool:
        """Admins and the owner manage members and invites."""
        return self.role in (self.Role.OWNER, self.Role.ADMIN)


class Invite(models.Model):
    """A link that lets people join a group. Only the SHA-256 digest of its secret is stored, so
    a database dump holds no working link; the secret is shown once, when it is made. `prefix`
    (its first characters) tells links apart in lists. `uses` only grows by a conditional
    UPDATE, so concurrent joins never exceed `max_uses` (null: no limit)."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="invites")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="group_invites",
    )
    prefix = models.CharField(max_length=12)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    max_uses = models.PositiveIntegerField(null=True, blank=True)
    uses = models.PositiveIntegerField(default=0)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        EXPIRED = "expired", _("Expired")
        REVOKED = "revoked", _("Revoked")
        USED_UP = "used_up", _("Used up")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("invite")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.group})"

    def status_at(self, now: datetime) -> Invite.Status:
        if self.revoked_at is not None:
            return self.Status.REVOKED
        if self.expires_at <= now:
            return self.Status.EXPIRED
        if self.max_uses is not None and self.uses >= self.max_uses:
            return self.Status.USED_UP
        return self.Status.ACTIVE


class LentAccount(models.Model):
    """A member's Playtomic account lent to a group: the group may book with it. Its secrets
    stay where they are (encrypted on the account, shown to nobody); the lender withdraws it by
    deleting this row, and leaving the group withdraws it too."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="lent_accounts")
    account = models.ForeignKey(PlaytomicAccount, on_delete=models.CASCADE, related_name="loans")
    lent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lent_accounts"
    )
    lent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["group", "lent_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["group", "account"], name="account_lent_once_per_group")
        ]

    def __str__(self) -> str:
        return f"{self.account} lent to {self.group}"
