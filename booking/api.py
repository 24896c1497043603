"""DRF API: owner-scoped querysets (another member's object is a 404), explicit input and
output serializers, secrets write-only and never serialised back."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import (
    extend_schema,
    extend_schema_field,
    extend_schema_serializer,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import PlaytomicAccount
from accounts.selectors import accounts_for
from booking import selectors
from booking.api_examples import ATTEMPT_EXAMPLE, RULE_EXAMPLE, STATS_EXAMPLE
from booking.models import AttemptEvent, BookingAttempt, BookingRule
from booking.services.rules import RULE_FIELDS, rule_delete, rule_save
from clubs.models import Club
from playtomic_monitor.api import MAX_DB_ID, LocalTimeField
from playtomic_monitor.openapi import response_example


class LearnedReleaseOutput(serializers.Serializer[Any]):
    """The club's release instant as its observed releases show it, beside the rule's."""

    kind = serializers.ChoiceField(choices=["rolling", "fixed"])
    events = serializers.IntegerField(help_text="Consistent observed releases it rests on")
    description = serializers.CharField()
    target_date = serializers.DateField(help_text="The date both instants are given for")
    learned_from = serializers.DateTimeField(allow_null=True)
    learned_to = serializers.DateTimeField(allow_null=True)
    policy_release_at = serializers.DateTimeField(
        allow_null=True, help_text="The rule's own release instant for that date"
    )
    disagrees = serializers.BooleanField(help_text="More than a minute outside what was seen")
    difference_seconds = serializers.FloatField()


class RuleOutput(serializers.ModelSerializer[BookingRule]):
    club_name = serializers.CharField(source="club.name", read_only=True)
    club_timezone = serializers.CharField(source="club.timezone", read_only=True)
    next_release_local = serializers.SerializerMethodField()
    earliest_start = LocalTimeField()
    latest_start = LocalTimeField()
    fallback_earliest_start = LocalTimeField(allow_null=True)
    fallback_latest_start = LocalTimeField(allow_null=True)
    fallback_clubs = serializers.SerializerMethodField(
        help_text="Club ids tried after `club`, in order"
    )
    release_local_time = LocalTimeField(allow_null=True)
    learned_release = serializers.SerializerMethodField()

    class Meta:
        model = BookingRule
        exclude = ["owner", "periodic_task"]

    def get_next_release_local(self, rule: BookingRule) -> str | None:
        if rule.next_release_at is None:
            return None
        return rule.next_release_at.astimezone(rule.club.zone).isoformat()

    def get_fallback_clubs(self, rule: BookingRule) -> list[int]:
        return [link.club_id for link in rule.fallback_links.all()]

    @extend_schema_field(LearnedReleaseOutput(allow_null=True))
    def get_learned_release(self, rule: BookingRule) -> dict[str, Any] | None:
        check = selectors.rule_release_check(rule, now=timezone.now())
        if check is None:
            return None
        return {
            "kind": check.learned.kind,
            "events": check.learned.events,
            "description": check.learned.describe(),
            "target_date": check.target_date,
            "learned_from": check.learned_from,
            "learned_to": check.learned_to,
            "policy_release_at": check.policy_at,
            "disagrees": check.disagrees,
            "difference_seconds": check.difference.total_seconds(),
        }


class UsableAccountField(serializers.PrimaryKeyRelatedField[PlaytomicAccount]):
    """An account the requesting member may book with. Another member's account and an id
    that does not exist get the same answer, so the API is no oracle of which ids exist."""

    default_error_messages = {
        "does_not_exist": "Unknown account.",
        "incorrect_type": "Unknown account.",
    }

    def get_queryset(self) -> QuerySet[PlaytomicAccount]:
        return accounts_for(self.context["request"].user)

    def to_internal_value(self, data: Any) -> PlaytomicAccount:
        text = str(data)
        if not text.isdecimal() or not 1 <= int(text) <= MAX_DB_ID:
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(int(text))  # type: ignore[arg-type]


class ClubField(serializers.PrimaryKeyRelatedField[Club]):
    """A club id; one no row can have is refused before it reaches the database."""

    default_error_messages = {"does_not_exist": "Unknown club {pk_value}."}

    def to_internal_value(self, data: Any) -> Club:
        text = str(data)
        if not text.isdecimal() or not 1 <= int(text) <= MAX_DB_ID:
            self.fail("does_not_exist", pk_value=str(data)[:20])
        return super().to_internal_value(int(text))  # type: ignore[arg-type]


class RuleInput(serializers.ModelSerializer[BookingRule]):
    club = serializers.PrimaryKeyRelatedField(queryset=Club.objects.all())
    accounts = UsableAccountField(many=True)
    earliest_start = LocalTimeField()
    latest_start = LocalTimeField()
    fallback_earliest_start = LocalTimeField(allow_null=True, required=False)
    fallback_latest_start = LocalTimeField(allow_null=True, required=False)
    fallback_clubs = ClubField(
        many=True,
        queryset=Club.objects.all(),
        required=False,
        help_text="Club ids tried after `club`, in order of preference",
    )
    release_local_time = LocalTimeField(allow_null=True, required=False)

    class Meta:
        model = BookingRule
        fields = [*RULE_FIELDS, "accounts", "fallback_clubs"]


@extend_schema_view(
    list=extend_schema(examples=[response_example("Rules", RULE_EXAMPLE)]),
    retrieve=extend_schema(examples=[response_example("A rule", RULE_EXAMPLE)]),
    create=extend_schema(
        request=RuleInput,
        responses={201: RuleOutput},
        examples=[response_example("Created", RULE_EXAMPLE, 201)],
    ),
    update=extend_schema(
        request=RuleInput,
        responses={200: RuleOutput},
        examples=[response_example("Updated", RULE_EXAMPLE)],
    ),
    partial_update=extend_schema(
        request=RuleInput,
        responses={200: RuleOutput},
        examples=[
            response_example(
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
        # Absent: the rule keeps its fallback clubs (a partial update).
        fallback_clubs = fields.pop("fallback_clubs", None)
        return rule_save(
            owner=request.user,  # type: ignore[arg-type]
            rule=rule,
            accounts=accounts,
            fallback_clubs=fallback_clubs,
            **fields,
        )

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        rule = self._save(request, None, partial=False)
        return Response(RuleOutput(rule).data, status=status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        rule = self._save(request, self.get_object(), partial=kwargs.get("partial", False))
        return Response(RuleOutput(rule).data)

    def perform_destroy(self, instance: BookingRule) -> None:
        rule_delete(rule=instance)


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


@extend_schema_view(
    retrieve=extend_schema(examples=[response_example("An attempt", ATTEMPT_EXAMPLE)])
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

    @extend_schema(
        parameters=[AttemptQuery], examples=[response_example("Attempts", ATTEMPT_EXAMPLE)]
    )
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
        examples=[response_example("Stats", STATS_EXAMPLE)],
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
