"""DRF API: owner-scoped querysets (another member's object is a 404), explicit input and
output serializers, secrets write-only and never serialised back."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import (
    OpenApiExample,
    extend_schema,
    extend_schema_serializer,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from booking import selectors, services
from booking.models import AttemptEvent, BookingAttempt, BookingRule, PlaytomicAccount
from clubs.models import Club
from playtomic_monitor.api import MAX_DB_ID, LocalTimeField

# Response examples for the schema: one realistic answer per operation, no secrets.
ACCOUNT_EXAMPLE = {
    "id": 3,
    "label": "Mine",
    "playtomic_user_id": "4021577",
    "status": "ok",
    "last_error": "",
    "last_login_at": "2026-11-20T17:58:02Z",
    "tokens_rotated_at": "2026-11-20T17:58:02Z",
    "created_at": "2026-11-02T09:12:40Z",
}
RULE_EXAMPLE = {
    "id": 7,
    "club_name": "Club Padel Norte",
    "club_timezone": "Europe/Madrid",
    "next_release_local": "2026-11-23T08:00:00+01:00",
    "name": "Weekday evenings",
    "weekdays": [0, 1, 2, 3, 4],
    "earliest_start": "18:00:00",
    "latest_start": "20:00:00",
    "durations": [90, 60],
    "court_preference": [12, 14],
    "only_listed_courts": False,
    "surface": "prefer_indoor",
    "max_price": "40.00",
    "number_of_players": 4,
    "payment_methods": ["wallet", "card"],
    "rotate_accounts": False,
    "release_policy": "fixed",
    "release_days_before": 7,
    "release_local_time": "08:00:00",
    "burst_seconds": 8.0,
    "dry_run": False,
    "snipe_cancellations": True,
    "snipe_min_notice_minutes": 120,
    "snipe_inside_cancellation_window": False,
    "enabled": True,
    "next_release_at": "2026-11-23T07:00:00Z",
    "next_target_date": "2026-11-30",
    "created_at": "2026-11-02T09:15:00Z",
    "updated_at": "2026-11-20T18:00:03Z",
    "club": 2,
    "accounts": [3],
}
ATTEMPT_EXAMPLE = {
    "id": 41,
    "rule_name": "Weekday evenings",
    "court_name": "Pista 1",
    "events": [
        {
            "round": 1,
            "at": "2026-11-20T07:00:00.004Z",
            "ms_from_release": 4.2,
            "kind": "intent_sent",
            "message": "Pista 1 2026-11-27 17:00Z 90 min",
            "data": {"n": 1},
        }
    ],
    "target_date": "2026-11-27",
    "trigger": "release",
    "state": "booked",
    "round": 1,
    "release_at": "2026-11-20T07:00:00Z",
    "deadline_at": "2026-11-20T07:00:08Z",
    "dry_run": False,
    "armed_at": "2026-11-20T06:59:00.120Z",
    "fired_at": "2026-11-20T07:00:00.004Z",
    "finished_at": "2026-11-20T07:00:00.412Z",
    "clock_offset_ms": -3.1,
    "rtt_ms": 18.4,
    "requests_sent": 3,
    "reason": "confirmed",
    "slot_start": "2026-11-27T17:00:00Z",
    "duration_minutes": 90,
    "price": "36 EUR",
    "payment_method": "wallet",
    "payment_intent_id": "pi_6f1c2a",
    "match_id": "m_93b0d4",
    "created_at": "2026-11-13T07:00:01Z",
    "updated_at": "2026-11-20T07:00:00.412Z",
    "rule": 7,
    "account": 3,
    "court": 12,
}
STATS_EXAMPLE = {
    "by_rule": [
        {
            "id": 7,
            "label": "Weekday evenings",
            "attempts": 10,
            "booked": 8,
            "failed": 1,
            "missed": 1,
            "success_rate": 0.8,
        }
    ],
    "by_account": [
        {
            "id": 3,
            "label": "Mine",
            "attempts": 10,
            "booked": 8,
            "failed": 1,
            "missed": 1,
            "success_rate": 0.8,
        }
    ],
}


def _example(name: str, value: Any, status_code: int = 200) -> OpenApiExample:
    return OpenApiExample(name, value=value, response_only=True, status_codes=[str(status_code)])


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


@extend_schema_view(
    list=extend_schema(examples=[_example("Accounts", ACCOUNT_EXAMPLE)]),
    retrieve=extend_schema(examples=[_example("An account", ACCOUNT_EXAMPLE)]),
    create=extend_schema(
        request=AccountInput,
        responses={201: AccountOutput},
        examples=[_example("Added", {**ACCOUNT_EXAMPLE, "status": "new"}, 201)],
    ),
    update=extend_schema(
        request=AccountInput,
        responses={200: AccountOutput},
        examples=[_example("Updated", ACCOUNT_EXAMPLE)],
    ),
    partial_update=extend_schema(
        request=AccountInput,
        responses={200: AccountOutput},
        examples=[_example("Relabelled", {**ACCOUNT_EXAMPLE, "label": "Club account"})],
    ),
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
        examples=[_example("Logged in", {"ok": True, "account": ACCOUNT_EXAMPLE})],
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
    earliest_start = LocalTimeField()
    latest_start = LocalTimeField()
    release_local_time = LocalTimeField(allow_null=True)

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
    earliest_start = LocalTimeField()
    latest_start = LocalTimeField()
    release_local_time = LocalTimeField(allow_null=True, required=False)

    class Meta:
        model = BookingRule
        exclude = ["owner", "periodic_task", "next_release_at", "next_target_date"]

    def validate_accounts(self, value: list[PlaytomicAccount]) -> list[PlaytomicAccount]:
        user = self.context["request"].user
        if any(a.owner_id != user.pk for a in value):
            # Same answer as for an id that does not exist: no hint that it does.
            raise serializers.ValidationError("Unknown account.")
        return value


@extend_schema_view(
    list=extend_schema(examples=[_example("Rules", RULE_EXAMPLE)]),
    retrieve=extend_schema(examples=[_example("A rule", RULE_EXAMPLE)]),
    create=extend_schema(
        request=RuleInput,
        responses={201: RuleOutput},
        examples=[_example("Created", RULE_EXAMPLE, 201)],
    ),
    update=extend_schema(
        request=RuleInput,
        responses={200: RuleOutput},
        examples=[_example("Updated", RULE_EXAMPLE)],
    ),
    partial_update=extend_schema(
        request=RuleInput,
        responses={200: RuleOutput},
        examples=[
            _example(
                "Disabled",
                {
                    **RULE_EXAMPLE,
                    "enabled": False,
                    "next_release_at": None,
                    "next_target_date": None,
                    "next_release_local": None,
                },
            )
        ],
    ),
)
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


@extend_schema_view(retrieve=extend_schema(examples=[_example("An attempt", ATTEMPT_EXAMPLE)]))
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

    @extend_schema(parameters=[AttemptQuery], examples=[_example("Attempts", ATTEMPT_EXAMPLE)])
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
    @extend_schema(
        responses=StatsOutput,
        summary="Success rate per rule and per account",
        examples=[_example("Stats", STATS_EXAMPLE)],
    )
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
