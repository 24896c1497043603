"""Write paths of groups: creating one, roles, invites (and signing up through one), and
lending Playtomic accounts to a group.

Who may do what is checked here, not only in the views: `PermissionDenied` when the actor's
role does not allow it (a 403), `ValidationError` when the rule of the group refuses it (the
owner leaving, an expired invite: a message on the page, a 400 in the API). Changes to who
holds which role lock the group's row, so two admins acting at once cannot leave a group
without its owner or a lent account behind a member who has left.
"""

from __future__ import annotations

import re
from datetime import timedelta

from django.contrib.auth import password_validation
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import PlaytomicAccount
from groups import selectors
from groups.models import Group, Invite, LentAccount, Membership
from playtomic_monitor.bearer_secrets import secret_new

Role = Membership.Role

NAME_MAX_LENGTH = 100
INVITE_PREFIX_LENGTH = 8
INVITE_DEFAULT_DAYS = 7
INVITE_MAX_DAYS = 30
# More than a group of friends needs; None is "no limit".
INVITE_MAX_USES = 100
DISPLAY_NAME_MAX_LENGTH = 150
EMAIL_MAX_LENGTH = 254
# What Django accepts in a username (UnicodeUsernameValidator); anything else becomes "_".
NOT_IN_USERNAME = re.compile(r"[^\w.@+-]")
USERNAME_MAX_LENGTH = 150


def _invite_refusals() -> dict[str, str]:
    return {
        Invite.Status.EXPIRED: _("This invite link has expired. Ask for a new one."),
        Invite.Status.REVOKED: _("This invite link was withdrawn. Ask for a new one."),
        Invite.Status.USED_UP: _("This invite link has been used already. Ask for a new one."),
    }


def invite_refusal(invite: Invite) -> str | None:
    """Why `invite` lets nobody in now, or None while it is active."""
    return _invite_refusals().get(invite.status_at(timezone.now()))


def _locked(group: Group) -> Group:
    """The group's row, locked until the transaction ends (on SQLite the IMMEDIATE transaction
    already serialises writers)."""
    return Group.objects.select_for_update().get(pk=group.pk)


def _membership(user: User, group: Group) -> Membership:
    membership = selectors.membership_of(user, group)
    if membership is None:
        raise PermissionDenied(_("You are not in this group."))
    return membership


def _require_admin(user: User, group: Group) -> Membership:
    membership = _membership(user, group)
    if not membership.is_admin:
        raise PermissionDenied(_("Only the group's admins can do that."))
    return membership


def _require_owner(user: User, group: Group) -> Membership:
    membership = _membership(user, group)
    if membership.role != Role.OWNER:
        raise PermissionDenied(_("Only the group's owner can do that."))
    return membership


def _clean_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": _("Give the group a name.")})
    if len(name) > NAME_MAX_LENGTH or "\x00" in name:
        raise ValidationError(
            {"name": _("Use at most %(limit)d characters.") % {"limit": NAME_MAX_LENGTH}}
        )
    return name


def _withdraw_loans(*, group: Group, user_id: int) -> None:
    """A member who is no longer in the group takes their lent accounts with them."""
    LentAccount.objects.filter(group=group, account__owner_id=user_id).delete()


# --- Groups and roles ---------------------------------------------------------------------


def group_create(*, name: str, created_by: User) -> Group:
    """A new group with `created_by` as its owner."""
    name = _clean_name(name)
    with transaction.atomic():
        group = Group.objects.create(name=name, created_by=created_by)
        Membership.objects.create(group=group, user=created_by, role=Role.OWNER)
    return group


def personal_group_for(*, user: User) -> Group:
    """The user's group of one, made the first time it is asked for: personal booking rules
    belong to it, so they are scoped like a group's. Nobody can be invited to it and nothing is
    lent to it (its one member's own accounts are usable anyway)."""
    group = Group.objects.filter(personal_for=user).first()
    if group is not None:
        return group
    try:
        with transaction.atomic():
            group = Group.objects.create(
                name=selectors.display_name(user)[:NAME_MAX_LENGTH],
                created_by=user,
                personal_for=user,
            )
            Membership.objects.create(group=group, user=user, role=Role.OWNER)
    except IntegrityError:
        # Made meanwhile by another request: `personal_for` is unique.
        return Group.objects.get(personal_for=user)
    return group


def group_transfer_ownership(*, group: Group, actor: User, to: Membership) -> None:
    """The owner hands the group to another member and stays on as an admin."""
    with transaction.atomic():
        _locked(group)
        current = _require_owner(actor, group)
        if group.is_personal:
            raise ValidationError(_("A personal group has only you in it."))
        if to.group_id != group.pk or to.pk == current.pk:
            raise ValidationError(_("Choose another member of this group."))
        # Demote first: the database allows one owner per group at any moment.
        Membership.objects.filter(pk=current.pk).update(role=Role.ADMIN)
        updated = Membership.objects.filter(pk=to.pk, group=group).update(role=Role.OWNER)
        if not updated:
            raise ValidationError(_("Choose another member of this group."))
    to.role = Role.OWNER


def membership_set_role(*, membership: Membership, actor: User, role: str) -> Membership:
    """The owner makes a member an admin, or an admin a member again."""
    if role not in (Role.ADMIN, Role.MEMBER):
        raise ValidationError({"role": _("Choose admin or member.")})
    with transaction.atomic():
        _locked(membership.group)
        _require_owner(actor, membership.group)
        current = Membership.objects.filter(pk=membership.pk).first()
        if current is None:
            raise ValidationError(_("They are no longer in this group."))
        if current.role == Role.OWNER:
            raise ValidationError(_("Hand the group over to change the owner's role."))
        Membership.objects.filter(pk=membership.pk).update(role=role)
    membership.role = role
    return membership


def membership_remove(*, membership: Membership, actor: User) -> None:
    """An admin removes a member (only the owner removes an admin). Nobody removes the owner:
    they hand the group over first. The member's lent accounts leave with them."""
    group = membership.group
    with transaction.atomic():
        _locked(group)
        acting = _require_admin(actor, group)
        current = Membership.objects.filter(pk=membership.pk).first()
        if current is None:
            return
        if current.role == Role.OWNER:
            raise ValidationError(_("The owner cannot be removed."))
        if current.role == Role.ADMIN and acting.role != Role.OWNER and current.pk != acting.pk:
            raise PermissionDenied(_("Only the owner can remove an admin."))
        _withdraw_loans(group=group, user_id=current.user_id)
        current.delete()


def membership_leave(*, group: Group, user: User) -> None:
    """`user` leaves `group`, withdrawing the accounts they lent it. The owner cannot leave
    before handing the group over, so a group always has one."""
    with transaction.atomic():
        _locked(group)
        membership = _membership(user, group)
        if membership.role == Role.OWNER:
            raise ValidationError(
                _("Hand the group over to another member before leaving it.")
                if not group.is_personal
                else _("You cannot leave your personal group.")
            )
        _withdraw_loans(group=group, user_id=user.pk)
        membership.delete()


# --- Invites ------------------------------------------------------------------------------


def invite_create(
    *,
    group: Group,
    actor: User,
    max_uses: int | None = 1,
    days: int = INVITE_DEFAULT_DAYS,
) -> tuple[Invite, str]:
    """A new invite link of `group` and its secret: the only time the secret exists outside the
    link's holder. `max_uses` 1 is a single-use link, None one without a limit."""
    _require_admin(actor, group)
    if group.is_personal:
        raise ValidationError(_("Nobody can be invited to a personal group."))
    errors: dict[str, str] = {}
    if max_uses is not None and not 1 <= max_uses <= INVITE_MAX_USES:
        errors["max_uses"] = _("Between 1 and %(limit)d people, or no limit.") % {
            "limit": INVITE_MAX_USES
        }
    if not 1 <= days <= INVITE_MAX_DAYS:
        errors["days"] = _("Between 1 and %(limit)d days.") % {"limit": INVITE_MAX_DAYS}
    if errors:
        raise ValidationError(errors)
    new = secret_new(prefix_length=INVITE_PREFIX_LENGTH)
    invite = Invite.objects.create(
        group=group,
        created_by=actor,
        **new.stored,
        expires_at=timezone.now() + timedelta(days=days),
        max_uses=max_uses,
    )
    return invite, new.secret


def invite_revoke(*, invite: Invite, actor: User) -> bool:
    """The link lets nobody else in from now on. False if it was revoked already."""
    _require_admin(actor, invite.group)
    now = timezone.now()
    changed = Invite.objects.filter(pk=invite.pk, revoked_at__isnull=True).update(revoked_at=now)
    if changed:
        invite.revoked_at = now
    return bool(changed)


def invite_accept(*, secret: str, user: User) -> Membership:
    """`user` joins the group of the invite whose link carries `secret`, as a member. Someone
    already in the group keeps their membership and uses nothing up.

    A use is taken by a conditional UPDATE (live, and under `max_uses`), so two people joining
    by a single-use link at once get one membership and one refusal. Raises `ValidationError`
    saying why a link lets nobody in (unknown, expired, withdrawn, used up)."""
    invite = selectors.invite_by_secret(secret)
    if invite is None:
        raise ValidationError(_("This invite link is not valid."), code="unknown")
    existing = selectors.membership_of(user, invite.group)
    if existing is not None:
        return existing
    now = timezone.now()
    try:
        with transaction.atomic():
            claimed = (
                Invite.objects.filter(pk=invite.pk, revoked_at__isnull=True, expires_at__gt=now)
                .filter(Q(max_uses__isnull=True) | Q(uses__lt=F("max_uses")))
                .update(uses=F("uses") + 1)
            )
            if not claimed:
                invite.refresh_from_db()
                status = invite.status_at(now)
                refusal = _invite_refusals().get(status, _("This invite link is not valid."))
                raise ValidationError(refusal, code=status)
            return Membership.objects.create(group=invite.group, user=user, role=Role.MEMBER)
    except IntegrityError:
        # The same person joined meanwhile (another tab): the use above was rolled back.
        return Membership.objects.get(group=invite.group, user=user)


def _username_from_email(email: str) -> str:
    """The email itself as the username (people log in with it), made fit for a username and
    numbered when taken."""
    base = NOT_IN_USERNAME.sub("_", email.lower())[:USERNAME_MAX_LENGTH]
    candidate, number = base, 2
    while User.objects.filter(username__iexact=candidate).exists():
        suffix = f"-{number}"
        candidate = base[: USERNAME_MAX_LENGTH - len(suffix)] + suffix
        number += 1
    return candidate


def invite_sign_up(*, secret: str, email: str, password: str, display_name: str) -> Membership:
    """A new person signs up with the invite link: their user and their membership are made in
    one transaction, so a link that lets nobody in leaves no stray user behind. Field errors
    (`email`, `password`, `display_name`) come as one `ValidationError`; a link that lets
    nobody in as in `invite_accept`."""
    email = User.objects.normalize_email(email.strip())
    display_name = " ".join(display_name.split())
    errors: dict[str, list[str]] = {}
    if not display_name:
        errors["display_name"] = [_("Tell the group what to call you.")]
    elif len(display_name) > DISPLAY_NAME_MAX_LENGTH:
        errors["display_name"] = [
            _("Use at most %(limit)d characters.") % {"limit": DISPLAY_NAME_MAX_LENGTH}
        ]
    try:
        if len(email) > EMAIL_MAX_LENGTH:
            raise ValidationError("too long")
        validate_email(email)
    except ValidationError:
        errors["email"] = [_("Enter a valid email address.")]
    else:
        if User.objects.filter(email__iexact=email).exists():
            errors["email"] = [_("Someone has signed up with this email already. Log in instead.")]
    candidate = User(username=email, email=email, first_name=display_name)
    try:
        password_validation.validate_password(password, user=candidate)
    except ValidationError as exc:
        errors["password"] = list(exc.messages)
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                username=_username_from_email(email),
                email=email,
                password=password,
                first_name=display_name,
            )
            return invite_accept(secret=secret, user=user)
    except IntegrityError as exc:
        # Two sign-ups with one email at once: both chose the same username.
        raise ValidationError(
            {"email": [_("Someone has signed up with this email already. Log in instead.")]}
        ) from exc


# --- Lent accounts ------------------------------------------------------------------------


def account_lend(*, account: PlaytomicAccount, group: Group, user: User) -> LentAccount:
    """`user` lends their own `account` to a group they are in; lending it again changes
    nothing. The group may then book with it; nobody sees its email or password."""
    if account.owner_id != user.pk:
        raise PermissionDenied(_("Only the account's owner can lend it."))
    with transaction.atomic():
        _locked(group)
        _membership(user, group)
        if group.is_personal:
            raise ValidationError(_("Your own accounts already book for your personal group."))
        loan, _created = LentAccount.objects.get_or_create(
            group=group, account=account, defaults={"lent_by": user}
        )
    return loan


def account_withdraw(*, loan: LentAccount, user: User) -> None:
    """The account's owner takes it back from the group, at any time."""
    if loan.account.owner_id != user.pk:
        raise PermissionDenied(_("Only the account's owner can withdraw it."))
    LentAccount.objects.filter(pk=loan.pk).delete()
