"""Group pages, and joining by an invite link. Lookups go through `groups_for`, so another
group's page is a 404; the services refuse what a member's role does not allow (a 403)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any, Concatenate, ParamSpec

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from groups import selectors, services
from groups.forms import GroupForm, InviteForm, LendForm, RoleForm, SignUpForm
from groups.models import Group, Membership
from playtomic_monitor.api import SignUpThrottle
from playtomic_monitor.authentication import signed_in_user
from playtomic_monitor.form_errors import form_add_errors

# The secret of a link just made, kept in the session until the group page shows it once.
NEW_LINK_SESSION_KEY = "groups:new-link:{group_id}"
# Signing up logs the new person in directly, past django-axes' backend (no password to check).
SIGN_UP_BACKEND = "django.contrib.auth.backends.ModelBackend"

P = ParamSpec("P")


def _group_for(request: HttpRequest, pk: int) -> Group:
    return get_object_or_404(selectors.groups_for(request.user), pk=pk)


def _group_action(
    view: Callable[Concatenate[HttpRequest, Group, P], HttpResponse],
) -> Callable[..., HttpResponse]:
    """A signed-in member's POST about one of their groups: the view is given the group its
    URL's `pk` names (another group's is a 404)."""

    @login_required
    @require_POST
    @wraps(view)
    def action(request: HttpRequest, pk: int, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        return view(request, _group_for(request, pk), *args, **kwargs)

    return action


@contextmanager
def _refusal_shown(request: HttpRequest) -> Iterator[None]:
    """Wrap a service call and what follows its success: when the service refuses (a
    ValidationError), the rest of the block is skipped and the refusal becomes the page's
    error messages."""
    try:
        yield
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)


def join_link(request: HttpRequest, secret: str) -> str:
    return request.build_absolute_uri(reverse("join", kwargs={"token": secret}))


@login_required
def group_list(request: HttpRequest) -> HttpResponse:
    form = GroupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            group = services.group_create(
                name=form.cleaned_data["name"], created_by=signed_in_user(request)
            )
        except ValidationError as exc:
            form_add_errors(form, exc)
        else:
            messages.success(request, _("Group made. Invite your friends with a link."))
            return redirect("groups:detail", pk=group.pk)
    context = {"groups": selectors.group_summaries_for(request.user), "form": form}
    return render(request, "groups/group_list.html", context)


@login_required
def group_detail(request: HttpRequest, pk: int) -> HttpResponse:
    group = _group_for(request, pk)
    me = selectors.membership_of(request.user, group)
    assert me is not None
    now = timezone.now()
    invites: list[Any] = []
    if me.is_admin and not group.is_personal:
        invites = list(selectors.invites_of(group)[:50])
        for invite in invites:
            invite.status = invite.status_at(now)
    context = {
        "group": group,
        "me": me,
        "members": selectors.members(group),
        "invites": invites,
        "new_link": request.session.pop(NEW_LINK_SESSION_KEY.format(group_id=group.pk), None),
        "invite_form": InviteForm(),
        "lent": selectors.lent_accounts(group),
        "lend_form": LendForm(user=signed_in_user(request), group=group),
        "roles": Membership.Role,
        # What higher apps show of the group (its upcoming games), wired in settings.
        "sections": [
            import_string(path)(request=request, group=group)
            for path in settings.GROUP_PAGE_SECTIONS
        ],
    }
    return render(request, "groups/group_detail.html", context)


@_group_action
def invite_create(request: HttpRequest, group: Group) -> HttpResponse:
    form = InviteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose who can use the link and for how long."))
        return redirect("groups:detail", pk=group.pk)
    with _refusal_shown(request):
        secret = services.invite_create(
            group=group,
            actor=signed_in_user(request),
            max_uses=form.max_uses(),
            days=form.cleaned_data["days"],
        )[1]
        request.session[NEW_LINK_SESSION_KEY.format(group_id=group.pk)] = join_link(request, secret)
    return redirect("groups:detail", pk=group.pk)


@_group_action
def invite_revoke(request: HttpRequest, group: Group, invite_pk: int) -> HttpResponse:
    invite = get_object_or_404(selectors.invites_of(group), pk=invite_pk)
    if services.invite_revoke(invite=invite, actor=signed_in_user(request)):
        messages.success(request, _("Link %(prefix)s… withdrawn.") % {"prefix": invite.prefix})
    return redirect("groups:detail", pk=group.pk)


def _membership_in(group: Group, membership_pk: int) -> Membership:
    return get_object_or_404(
        Membership.objects.select_related("user", "group"),
        group=group,
        pk=membership_pk,
    )


@_group_action
def member_remove(request: HttpRequest, group: Group, membership_pk: int) -> HttpResponse:
    membership = _membership_in(group, membership_pk)
    with _refusal_shown(request):
        services.membership_remove(membership=membership, actor=signed_in_user(request))
        name = selectors.display_name(membership.user)
        messages.success(request, _("%(name)s is no longer in the group.") % {"name": name})
    return redirect("groups:detail", pk=group.pk)


@_group_action
def member_role(request: HttpRequest, group: Group, membership_pk: int) -> HttpResponse:
    membership = _membership_in(group, membership_pk)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose admin or member."))
        return redirect("groups:detail", pk=group.pk)
    with _refusal_shown(request):
        services.membership_set_role(
            membership=membership, actor=signed_in_user(request), role=form.cleaned_data["role"]
        )
        messages.success(
            request,
            _("%(name)s is now %(role)s.")
            % {
                "name": selectors.display_name(membership.user),
                "role": membership.get_role_display(),
            },
        )
    return redirect("groups:detail", pk=group.pk)


@_group_action
def member_make_owner(request: HttpRequest, group: Group, membership_pk: int) -> HttpResponse:
    membership = _membership_in(group, membership_pk)
    with _refusal_shown(request):
        services.group_transfer_ownership(group=group, actor=signed_in_user(request), to=membership)
        name = selectors.display_name(membership.user)
        messages.success(
            request, _("%(name)s owns the group now; you stay on as an admin.") % {"name": name}
        )
    return redirect("groups:detail", pk=group.pk)


@_group_action
def group_leave(request: HttpRequest, group: Group) -> HttpResponse:
    with _refusal_shown(request):
        services.membership_leave(group=group, user=signed_in_user(request))
        messages.success(request, _("You left %(group)s.") % {"group": group.name})
        return redirect("groups:list")
    return redirect("groups:detail", pk=group.pk)


@_group_action
def account_lend(request: HttpRequest, group: Group) -> HttpResponse:
    form = LendForm(request.POST, user=signed_in_user(request), group=group)
    if not form.is_valid():
        messages.error(request, _("Choose one of your own accounts."))
        return redirect("groups:detail", pk=group.pk)
    account = form.accounts[form.cleaned_data["account"]]
    with _refusal_shown(request):
        services.account_lend(account=account, group=group, user=signed_in_user(request))
        messages.success(
            request, _("%(account)s is lent to the group.") % {"account": str(account)}
        )
    return redirect("groups:detail", pk=group.pk)


@_group_action
def account_withdraw(request: HttpRequest, group: Group, loan_pk: int) -> HttpResponse:
    loan = get_object_or_404(selectors.lent_accounts(group), pk=loan_pk)
    services.account_withdraw(loan=loan, user=signed_in_user(request))
    messages.success(request, _("%(account)s is withdrawn.") % {"account": str(loan.account)})
    return redirect("groups:detail", pk=group.pk)


def join(request: HttpRequest, token: str) -> HttpResponse:
    """An invite link. A signed-in person joins with one click; anyone else signs up (email,
    password, name) and joins in the same step, or logs in first and comes back here."""
    invite = selectors.invite_by_secret(token)
    if invite is None:
        refused = {"refusal": _("This invite link is not valid.")}
        return render(request, "groups/join.html", refused, status=404)
    refusal = services.invite_refusal(invite)
    if refusal:
        return render(request, "groups/join.html", {"refusal": refusal}, status=410)
    context: dict[str, Any] = {
        "invite": invite,
        "group": invite.group,
        "inviter": selectors.display_name(invite.created_by) if invite.created_by else None,
        "next": request.path,
    }
    if request.user.is_authenticated:
        return _join_signed_in(request, token, invite.group, context)
    form = SignUpForm(request.POST or None)
    context["form"] = form
    if request.method == "POST":
        throttle = SignUpThrottle()
        if not throttle.allow_request(request, None):  # type: ignore[arg-type]
            form.add_error(None, _("Too many sign-ups from your address. Try again later."))
            return render(request, "groups/join.html", context, status=429)
        if form.is_valid():
            return _sign_up(request, token, form, context)
    return render(request, "groups/join.html", context)


def _join_signed_in(
    request: HttpRequest, token: str, group: Group, context: dict[str, Any]
) -> HttpResponse:
    if selectors.is_member(request.user, group):
        messages.info(request, _("You are in %(group)s already.") % {"group": group.name})
        return redirect("groups:detail", pk=group.pk)
    if request.method != "POST":
        return render(request, "groups/join.html", context)
    try:
        services.invite_accept(secret=token, user=signed_in_user(request))
    except ValidationError as exc:
        return render(request, "groups/join.html", {"refusal": " ".join(exc.messages)}, status=410)
    messages.success(request, _("Welcome to %(group)s.") % {"group": group.name})
    return redirect("groups:detail", pk=group.pk)


def _sign_up(
    request: HttpRequest, token: str, form: SignUpForm, context: dict[str, Any]
) -> HttpResponse:
    data = form.cleaned_data
    try:
        membership = services.invite_sign_up(
            secret=token,
            email=data["email"],
            password=data["password1"],
            display_name=data["display_name"],
        )
    except ValidationError as exc:
        form_add_errors(form, exc, renamed=form.SERVICE_FIELDS)
        return render(request, "groups/join.html", context)
    login(request, membership.user, backend=SIGN_UP_BACKEND)
    messages.success(
        request,
        _("Welcome to %(group)s. Next time, log in as %(username)s.")
        % {"group": membership.group.name, "username": membership.user.get_username()},
    )
    return redirect("groups:detail", pk=membership.group_id)
