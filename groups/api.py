"""DRF API of groups. Every group is looked up among the caller's own (`groups_for`), so
another group is a 404; admins' operations are a 403 to plain members. An invite's secret is in
the answer that made it and nowhere else; a lent account shows its label, never its email or
password."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import exceptions, generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.selectors import accounts_for
from groups import selectors, services
from groups.api_examples import (
    GROUP_EXAMPLE,
    INVITE_CREATED_EXAMPLE,
    INVITE_EXAMPLE,
    LENT_ACCOUNT_EXAMPLE,
    MEMBER_EXAMPLE,
)
from groups.models import Group, Invite, LentAccount, Membership
from groups.views import join_link
from playtomic_monitor.api import MAX_DB_ID
from playtomic_monitor.authentication import signed_in_user
from playtomic_monitor.openapi import FIELD_MESSAGES, not_found, response_example


class GroupOutput(serializers.ModelSerializer[Group]):
    is_personal = serializers.BooleanField(read_only=True, help_text="A group of one: just you")
    role = serializers.ChoiceField(
        choices=Membership.Role.choices, read_only=True, help_text="Your role in the group"
    )
    member_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Group
        fields = ["id", "name", "is_personal", "role", "member_count", "created_at"]


class GroupInput(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=services.NAME_MAX_LENGTH)


class MemberOutput(serializers.ModelSerializer[Membership]):
    name = serializers.CharField(
        source="display_name", read_only=True, help_text="The name they gave, else their username"
    )

    class Meta:
        model = Membership
        fields = ["id", "user", "name", "role", "joined_at"]
        read_only_fields = fields


class InviteOutput(serializers.ModelSerializer[Invite]):
    created_by_name = serializers.CharField(read_only=True, allow_null=True)
    status = serializers.SerializerMethodField()

    class Meta:
        model = Invite
        fields = [
            "id",
            "prefix",
            "created_by_name",
            "created_at",
            "expires_at",
            "max_uses",
            "uses",
            "revoked_at",
            "status",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=Invite.Status.choices))
    def get_status(self, invite: Invite) -> str:
        return str(invite.status_at(timezone.now()))


class InviteCreatedOutput(InviteOutput):
    """The new invite with its secret: shown in this answer only, never again."""

    token = serializers.SerializerMethodField()
    link = serializers.SerializerMethodField()

    class Meta(InviteOutput.Meta):
        fields = [*InviteOutput.Meta.fields, "token", "link"]
        read_only_fields = fields

    def get_token(self, invite: Invite) -> str:
        return str(self.context["token"])

    def get_link(self, invite: Invite) -> str:
        return join_link(self.context["request"], self.context["token"])


class InviteInput(serializers.Serializer[Any]):
    max_uses = serializers.IntegerField(
        min_value=1,
        max_value=services.INVITE_MAX_USES,
        allow_null=True,
        default=1,
        help_text="1: a single-use link; null: no limit",
    )
    days = serializers.IntegerField(
        min_value=1, max_value=services.INVITE_MAX_DAYS, default=services.INVITE_DEFAULT_DAYS
    )


class LentAccountOutput(serializers.ModelSerializer[LentAccount]):
    account_label = serializers.SerializerMethodField()
    lent_by_name = serializers.CharField(read_only=True)

    class Meta:
        model = LentAccount
        fields = ["id", "account", "account_label", "lent_by", "lent_by_name", "lent_at"]
        read_only_fields = fields

    def get_account_label(self, loan: LentAccount) -> str:
        return str(loan.account)


class LendInput(serializers.Serializer[Any]):
    account = serializers.IntegerField(
        min_value=1, max_value=MAX_DB_ID, help_text="One of your own Playtomic accounts"
    )


def _group(request: Request, group_id: int) -> Group:
    return get_object_or_404(selectors.groups_for(request.user), pk=group_id)


def _admin_group(request: Request, group_id: int) -> Group:
    group = _group(request, group_id)
    if not selectors.is_admin(request.user, group):
        raise exceptions.PermissionDenied(_("Only the group's admins can do that."))
    return group


GROUP_NOT_FOUND = not_found("Not one of your groups")
NOT_ALLOWED = OpenApiResponse(
    description='Your role in the group does not allow it: {"detail": "<message>"}'
)
ADMINS_ONLY = {403: NOT_ALLOWED, 404: GROUP_NOT_FOUND}


@extend_schema_view(get=extend_schema(examples=[response_example("Groups", GROUP_EXAMPLE)]))
class GroupListApi(generics.ListCreateAPIView[Group]):
    """Your groups (a personal group of one too, once you have one); make a new group, which
    you own."""

    serializer_class = GroupOutput

    def get_queryset(self) -> QuerySet[Group]:
        return selectors.group_summaries_for(self.request.user)

    @extend_schema(
        request=GroupInput,
        responses={201: GroupOutput, 400: FIELD_MESSAGES},
        examples=[response_example("Made", {**GROUP_EXAMPLE, "member_count": 1}, 201)],
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = GroupInput(data=request.data)
        data.is_valid(raise_exception=True)
        group = services.group_create(
            name=data.validated_data["name"], created_by=signed_in_user(request)
        )
        made = self.get_queryset().get(pk=group.pk)
        return Response(GroupOutput(made).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    get=extend_schema(
        responses={200: GroupOutput, 404: GROUP_NOT_FOUND},
        examples=[response_example("A group", GROUP_EXAMPLE)],
    )
)
class GroupDetailApi(generics.RetrieveAPIView[Group]):
    serializer_class = GroupOutput
    lookup_url_kwarg = "group_id"

    def get_queryset(self) -> QuerySet[Group]:
        return selectors.group_summaries_for(self.request.user)


# Rows of one of the caller's groups (`group_id`; another group is a 404, a group they may not
# manage a 403 when `admins_only`), read by `rows`. (No docstring: it would become every
# operation's description.)
class GroupRowsApi(generics.ListAPIView[Any]):
    rows: ClassVar[Callable[[Group], QuerySet[Any]]]
    admins_only: ClassVar[bool] = False

    def get_queryset(self) -> QuerySet[Any]:
        find = _admin_group if self.admins_only else _group
        return type(self).rows(find(self.request, self.kwargs["group_id"]))


@extend_schema_view(get=extend_schema(examples=[response_example("Members", MEMBER_EXAMPLE)]))
class MemberListApi(GroupRowsApi):
    """The group's members: owner, admins, then members. Names only, no emails."""

    serializer_class = MemberOutput
    rows = selectors.members


@extend_schema_view(
    get=extend_schema(
        responses={200: InviteOutput(many=True), **ADMINS_ONLY},
        examples=[response_example("Invites", INVITE_EXAMPLE)],
    )
)
class InviteListApi(GroupRowsApi):
    """The group's invite links (admins only), newest first, by prefix: their secrets are not
    kept. Making one answers its link, the only time it is shown."""

    serializer_class = InviteOutput
    rows = selectors.invites_of
    admins_only = True

    @extend_schema(
        request=InviteInput,
        responses={201: InviteCreatedOutput, 400: FIELD_MESSAGES, **ADMINS_ONLY},
        examples=[response_example("Made", INVITE_CREATED_EXAMPLE, 201)],
    )
    def post(self, request: Request, group_id: int) -> Response:
        group = _admin_group(request, group_id)
        data = InviteInput(data=request.data)
        data.is_valid(raise_exception=True)
        invite, secret = services.invite_create(
            group=group,
            actor=signed_in_user(request),
            max_uses=data.validated_data["max_uses"],
            days=data.validated_data["days"],
        )
        made = selectors.invites_of(group).get(pk=invite.pk)
        body = InviteCreatedOutput(made, context={"request": request, "token": secret}).data
        return Response(body, status=status.HTTP_201_CREATED)


class InviteRevokeApi(APIView):
    """Withdraw an invite link (admins only): nobody else joins with it."""

    @extend_schema(
        request=None,
        responses={200: InviteOutput, **ADMINS_ONLY},
        examples=[
            response_example(
                "Withdrawn",
                {**INVITE_EXAMPLE, "revoked_at": "2026-11-21T09:00:00Z", "status": "revoked"},
            )
        ],
    )
    def post(self, request: Request, group_id: int, invite_id: int) -> Response:
        group = _admin_group(request, group_id)
        invite = get_object_or_404(selectors.invites_of(group), pk=invite_id)
        services.invite_revoke(invite=invite, actor=signed_in_user(request))
        return Response(InviteOutput(invite).data)


@extend_schema_view(
    get=extend_schema(examples=[response_example("Lent accounts", LENT_ACCOUNT_EXAMPLE)])
)
class LentAccountListApi(GroupRowsApi):
    """The Playtomic accounts members lent the group, which it may book with; lend one of your
    own. Labels only: an account's email and password are never shown."""

    serializer_class = LentAccountOutput
    rows = selectors.lent_accounts

    @extend_schema(
        request=LendInput,
        responses={201: LentAccountOutput, 400: FIELD_MESSAGES, 404: GROUP_NOT_FOUND},
        examples=[response_example("Lent", LENT_ACCOUNT_EXAMPLE, 201)],
    )
    def post(self, request: Request, group_id: int) -> Response:
        group = _group(request, group_id)
        data = LendInput(data=request.data)
        data.is_valid(raise_exception=True)
        account = accounts_for(request.user).filter(pk=data.validated_data["account"]).first()
        if account is None:
            raise exceptions.ValidationError({"account": [_("Unknown account.")]})
        loan = services.account_lend(account=account, group=group, user=signed_in_user(request))
        made = selectors.lent_accounts(group).get(pk=loan.pk)
        return Response(LentAccountOutput(made).data, status=status.HTTP_201_CREATED)


class LentAccountDetailApi(APIView):
    """Withdraw a lent account from the group (its owner only, at any time)."""

    @extend_schema(
        request=None,
        responses={
            204: None,
            403: NOT_ALLOWED,
            404: not_found("Not one of your groups, or not lent to it"),
        },
    )
    def delete(self, request: Request, group_id: int, loan_id: int) -> Response:
        group = _group(request, group_id)
        loan = get_object_or_404(selectors.lent_accounts(group), pk=loan_id)
        services.account_withdraw(loan=loan, user=signed_in_user(request))
        return Response(status=status.HTTP_204_NO_CONTENT)
