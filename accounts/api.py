"""DRF API of Playtomic accounts: owner-scoped (another member's account is a 404); email and
password are write-only and never serialised back."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts import selectors, services
from accounts.api_examples import ACCOUNT_EXAMPLE
from accounts.models import PlaytomicAccount
from playtomic_monitor.openapi import model_viewset_schema, response_example


class AccountOutput(serializers.ModelSerializer[PlaytomicAccount]):
    class Meta:
        model = PlaytomicAccount
        fields = [
            "id",
            "label",
            "playtomic_user_id",
            "status",
            "last_error",
            "last_login_at",
            "tokens_rotated_at",
            "created_at",
        ]


class AccountInput(serializers.Serializer[Any]):
    # `label` shadows Field.label in the stubs; it is the account's label here.
    label = serializers.CharField(  # type: ignore[assignment]
        max_length=100, required=False, allow_blank=True
    )
    email = serializers.EmailField(write_only=True, required=False)
    password = serializers.CharField(
        write_only=True, required=False, style={"input_type": "password"}
    )


@model_viewset_schema(
    request=AccountInput,
    response=AccountOutput,
    listed=response_example("Accounts", ACCOUNT_EXAMPLE),
    one=response_example("An account", ACCOUNT_EXAMPLE),
    created=response_example("Added", {**ACCOUNT_EXAMPLE, "status": "new"}, 201),
    updated=response_example("Updated", ACCOUNT_EXAMPLE),
    patched=response_example("Relabelled", {**ACCOUNT_EXAMPLE, "label": "Club account"}),
)
class AccountViewSet(viewsets.ModelViewSet[PlaytomicAccount]):
    serializer_class = AccountOutput

    def get_queryset(self) -> QuerySet[PlaytomicAccount]:
        return selectors.accounts_for(self.request.user)

    def get_serializer_class(self) -> Any:
        return (
            AccountInput if self.action in ("create", "update", "partial_update") else AccountOutput
        )

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = AccountInput(data=request.data)
        data.is_valid(raise_exception=True)
        account = services.account_create(
            owner=request.user,  # type: ignore[arg-type]
            email=data.validated_data.get("email", ""),
            password=data.validated_data.get("password", ""),
            label=data.validated_data.get("label", ""),
        )
        return Response(AccountOutput(account).data, status=status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        account = self.get_object()
        data = AccountInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.account_update(account=account, **data.validated_data)
        return Response(AccountOutput(account).data)

    @extend_schema(
        request=None,
        responses=inline_serializer(
            "TestLoginOutput", {"ok": serializers.BooleanField(), "account": AccountOutput()}
        ),
        examples=[response_example("Logged in", {"ok": True, "account": ACCOUNT_EXAMPLE})],
    )
    @action(detail=True, methods=["post"], url_path="test-login")
    def test_login(self, request: Request, pk: str | None = None) -> Response:
        account = self.get_object()
        ok = services.account_test_login(account=account)
        account.refresh_from_db()
        return Response({"ok": ok, "account": AccountOutput(account).data})
