"""DRF API: owner-scoped querysets (another member's object is a 404), explicit input and
output serializers, secrets write-only and never serialised back."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_serializer, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from booking import selectors, services
from booking.models import AttemptEvent, BookingAttempt, BookingRule, PlaytomicAccount
from clubs.models import Club
from playtomic_monitor.api import MAX_DB_ID


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
    )
    @action(detail=True, methods=["post"], url_path="test-login")
    def test_login(self, request: Request, pk: str | None = None) -> Response:
        account = self.get_object()
        ok = services.account_test_login(account=account)
        account.refresh_from_db()
        return Response({"ok": ok, "account": AccountOutput(account).data})


class RuleOutput(serializers.ModelSerializer[BookingRule]):
    club_name = serializers.CharField(source="club.name", read_only=True)
    club_timezone = serializers.CharField(source="club.timezone", read_only=True)
    next_release_local = serializers.SerializerMethodField()

    class Meta:
        model = BookingRule
        exclude = ["owner", "periodic_task"]

    def get_next_release_local(self, rule: BookingRule) -> str | None:
        if rule.next_release_at is None:
            return None
        return rule.next_release_at.astimezone(rule.club.zone).isoformat()


class RuleInput(serializers.ModelSerializer[BookingRule]):
    club = serializers.PrimaryKeyRelatedField(queryset=Club.objects.all())
    accounts = serializers.PrimaryKeyRelatedField(
        many=True, queryset=PlaytomicAccount.objects.all()
    )

    class Meta:
        model = BookingRule
        exclude = ["owner", "periodic_task", "next_release_at", "next_target_date"]

    def validate_accounts(self, value: list[PlaytomicAccount]) -> list[PlaytomicAccount]:
        user = self.context["request"].user
        if any(a.owner_id != user.pk for a in value):
            # Same answer as for an id that does not exist: no hint that it does.
            raise serializers.ValidationError("Unknown account.")
        return value


class RuleViewSet(viewsets.ModelViewSet[BookingRule]):
    serializer_class = RuleOutput

    def get_queryset(self) -> QuerySet[BookingRule]:
        return selectors.rules_for(self.request.user)

    def get_serializer_class(self) -> Any:
        return RuleInput if self.action in ("create", "update", "partial_update") else RuleOutput

    def _save(self, request: Request, rule: BookingRule | None, partial: bool) -> BookingRule:
        data = RuleInput(
            instance=rule, data=request.data, partial=partial, context={"request": request}
        )
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        accounts = fields.pop("accounts", None)
        if accounts is None:
            accounts = list(rule.accounts.all()) if rule else []
        return services.rule_save(
            owner=request.user,  # type: ignore[arg-type]
            rule=rule,
            accounts=accounts,
            **fields,
        )

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        rule = self._save(request, None, partial=False)
        return Response(RuleOutput(rule).data, status=status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        rule = self._save(request, self.get_object(), partial=kwargs.get("partial", False))
        return Response(RuleOutput(rule).data)

    def perform_destroy(self, instance: BookingRule) -> None:
        services.rule_delete(rule=instance)


class EventOutput(serializers.ModelSerializer[AttemptEvent]):
    class Meta:
        model = AttemptEvent
        fields = ["round", "at", "ms_from_release", "kind", "message", "data"]


class AttemptOutput(serializers.ModelSerializer[BookingAttempt]):
    rule_name = serializers.CharField(source="rule.name", read_only=True)
    court_name = serializers.CharField(
        source="court.name", read_only=True, default=None, allow_null=True
    )
    events = EventOutput(many=True, read_only=True)

    class Meta:
        model = BookingAttempt
        exclude = ["claim_token"]


class AttemptQuery(serializers.Serializer[Any]):
    rule = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_DB_ID, help_text="Only this rule's attempts"
    )


class AttemptViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[BookingAttempt]
):
    serializer_class = AttemptOutput

    def get_queryset(self) -> QuerySet[BookingAttempt]:
        queryset = selectors.attempts_for(self.request.user).prefetch_related("events")
        if self.action == "list":
            query = AttemptQuery(data=self.request.query_params)
            query.is_valid(raise_exception=True)
            if rule := query.validated_data.get("rule"):
                queryset = queryset.filter(rule_id=rule)
        return queryset

    @extend_schema(parameters=[AttemptQuery])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)


class SuccessRateOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    label = serializers.CharField()  # type: ignore[assignment]
    attempts = serializers.IntegerField()
    booked = serializers.IntegerField()
    failed = serializers.IntegerField()
    missed = serializers.IntegerField()
    success_rate = serializers.FloatField(allow_null=True)


@extend_schema_serializer(many=False)
class StatsOutput(serializers.Serializer[Any]):
    by_rule = SuccessRateOutput(many=True)
    by_account = SuccessRateOutput(many=True)


class StatsViewSet(viewsets.ViewSet):
    @extend_schema(responses=StatsOutput, summary="Success rate per rule and per account")
    def list(self, request: Request) -> Response:
        def rows(items: list[selectors.SuccessRate]) -> list[dict[str, Any]]:
            return [
                {
                    "id": r.key,
                    "label": r.label,
                    "attempts": r.attempts,
                    "booked": r.booked,
                    "failed": r.failed,
                    "missed": r.missed,
                    "success_rate": r.rate,
                }
                for r in items
            ]

        return Response(
            {
                "by_rule": rows(selectors.success_rate_by_rule(request.user)),
                "by_account": rows(selectors.success_rate_by_account(request.user)),
            }
        )
