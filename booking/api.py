"""DRF API: group-scoped querysets (a rule or attempt of a group the caller is not in is a
404; changing a rule they may only read is a 403), explicit input and output serializers,
secrets write-only and never serialised back."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import (
    OpenApiExample,
    extend_schema,
    extend_schema_field,
    extend_schema_serializer,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import PlaytomicAccount
from booking import games, play, selectors
from booking.api_examples import (
    ATTEMPT_EXAMPLE,
    GAME_EXAMPLE,
    PLAY_EXAMPLE,
    RULE_DISABLED_EXAMPLE,
    RULE_EXAMPLE,
    STATS_EXAMPLE,
)
from booking.models import AttemptEvent, BookingAttempt, BookingRule
from booking.services.rules import RULE_FIELDS, rule_delete, rule_groups_for, rule_save
from clubs.models import Club
from groups.models import Group, LentAccount
from groups.selectors import display_name, groups_for
from playtomic_monitor.api import MAX_DB_ID, IdField, LocalTimeField
from playtomic_monitor.api_views import validated
from playtomic_monitor.openapi import (
    Decorated,
    model_viewset_schema,
    not_found,
    response_example,
)


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


class PlayerOutput(serializers.Serializer[Any]):
    user = serializers.IntegerField(help_text="The member's user id")
    name = serializers.CharField()
    registered = serializers.BooleanField(
        help_text="Registered on the match (their own Playtomic account is known)"
    )


# The rule's days as Python numbers them (the YAML names them); pages show checkboxes.
WEEKDAYS_HELP = "Days of the week to book, 0 = Monday ... 6 = Sunday"


class RuleOutput(serializers.ModelSerializer[BookingRule]):
    group_name = serializers.CharField(source="group.name", read_only=True)
    created_by = serializers.IntegerField(source="owner_id", read_only=True)
    created_by_name = serializers.SerializerMethodField()
    can_edit = serializers.SerializerMethodField(
        help_text="Whether you may change or delete it (its creator and the group's admins)"
    )
    players = serializers.SerializerMethodField(help_text="Members who play, in order")
    open_seats = serializers.SerializerMethodField()
    withdrawn_accounts = serializers.SerializerMethodField(
        help_text="Accounts of the rule no longer lent to the group: not used"
    )
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
        extra_kwargs = {"weekdays": {"help_text": WEEKDAYS_HELP}}

    def get_created_by_name(self, rule: BookingRule) -> str:
        return display_name(rule.owner)

    def get_can_edit(self, rule: BookingRule) -> bool:
        request = self.context.get("request")
        return request is not None and selectors.rule_editable_by(rule, request.user)

    @extend_schema_field(PlayerOutput(many=True))
    def get_players(self, rule: BookingRule) -> list[dict[str, Any]]:
        return [
            {"user": p.user_id, "name": p.name, "registered": bool(p.playtomic_user_id)}
            for p in selectors.rule_players(rule)
        ]

    def get_open_seats(self, rule: BookingRule) -> int:
        return max(0, rule.number_of_players - len(rule.player_links.all()))

    def get_withdrawn_accounts(self, rule: BookingRule) -> list[int]:
        return [account.pk for account in selectors.rule_withdrawn_accounts(rule)]

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


class UsableAccountField(IdField[PlaytomicAccount]):
    """An account the requesting member may name: their own, one lent to one of their groups,
    or one a rule of their groups already books with (an admin editing someone's rule). The
    service decides whether the rule's group may use it. Any other id gets the same answer as
    one that does not exist, so the API is no oracle of which ids exist."""

    default_error_messages = {
        "does_not_exist": gettext_lazy("Unknown account."),
        "incorrect_type": gettext_lazy("Unknown account."),
    }

    def get_queryset(self) -> QuerySet[PlaytomicAccount]:
        user = self.context["request"].user
        groups = groups_for(user).values("pk")
        lent = LentAccount.objects.filter(group__in=groups).values("account_id")
        on_rules = BookingRule.accounts.through.objects.filter(
            bookingrule__group__in=groups
        ).values("playtomicaccount_id")
        return PlaytomicAccount.objects.filter(
            Q(owner_id=user.pk) | Q(pk__in=lent) | Q(pk__in=on_rules)
        )


class ClubField(IdField[Club]):
    """A club id; one no row can have is refused before it reaches the database."""

    default_error_messages = {"does_not_exist": gettext_lazy("Unknown club {pk_value}.")}


class CallerGroupField(IdField[Group]):
    """One of the caller's groups; any other id is unknown."""

    default_error_messages = {
        "does_not_exist": gettext_lazy("Unknown group."),
        "incorrect_type": gettext_lazy("Unknown group."),
    }

    def get_queryset(self) -> QuerySet[Group]:
        return groups_for(self.context["request"].user)


class MemberField(IdField[User]):
    """A member of one of the caller's groups (the service checks it is one of the rule's)."""

    default_error_messages = {
        "does_not_exist": gettext_lazy("Unknown member."),
        "incorrect_type": gettext_lazy("Unknown member."),
    }

    def get_queryset(self) -> QuerySet[User]:
        groups = groups_for(self.context["request"].user).values("pk")
        return User.objects.filter(group_memberships__group__in=groups).distinct()


class RuleInput(serializers.ModelSerializer[BookingRule]):
    group = CallerGroupField(
        required=False,
        help_text="One of your groups; a new rule without it is personal. A rule stays in its "
        "group.",
    )
    players = MemberField(
        many=True,
        required=False,
        help_text="Members of the rule's group who play, in order (at most number_of_players)",
    )
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
        fields = [*RULE_FIELDS, "group", "players", "accounts", "fallback_clubs"]
        extra_kwargs = {"weekdays": {"help_text": WEEKDAYS_HELP}}
        # The service says when the group already has a rule of that name.
        validators: list[Any] = []


@model_viewset_schema(
    request=RuleInput,
    response=RuleOutput,
    listed=response_example("Rules", RULE_EXAMPLE),
    one=response_example("A rule", RULE_EXAMPLE),
    created=response_example("Created", RULE_EXAMPLE, 201),
    updated=response_example("Updated", RULE_EXAMPLE),
    patched=response_example("Disabled", RULE_DISABLED_EXAMPLE),
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
        # Absent: the rule keeps its fallback clubs and players (a partial update).
        fallback_clubs = fields.pop("fallback_clubs", None)
        players = fields.pop("players", None)
        group = fields.pop("group", None)
        return rule_save(
            owner=request.user,  # type: ignore[arg-type]
            rule=rule,
            group=group,
            accounts=accounts,
            fallback_clubs=fallback_clubs,
            players=players,
            **fields,
        )

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        rule = self._save(request, None, partial=False)
        return Response(
            RuleOutput(rule, context={"request": request}).data, status=status.HTTP_201_CREATED
        )

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        rule = self._save(request, self.get_object(), partial=kwargs.get("partial", False))
        return Response(RuleOutput(rule, context={"request": request}).data)

    def perform_destroy(self, instance: BookingRule) -> None:
        rule_delete(rule=instance, actor=self.request.user)  # type: ignore[arg-type]


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
        only = validated(AttemptQuery, self.request.query_params) if self.action == "list" else {}
        if rule := only.get("rule"):
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


GROUP_NOT_FOUND = not_found("Not one of your groups")


class GroupQuery(serializers.Serializer[Any]):
    group = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_DB_ID, help_text="Only this group's"
    )


def _caller_group(request: Request, group_id: int | None) -> Group | None:
    if group_id is None:
        return None
    return get_object_or_404(groups_for(request.user), pk=group_id)


def _group_rows_schema(
    query: type[serializers.Serializer[Any]],
    output: type[serializers.Serializer[Any]],
    example: OpenApiExample,
) -> Callable[[Decorated], Decorated]:
    """The schema of rows of the caller's groups, or of the one `group` of the query names."""
    return extend_schema(
        parameters=[query],
        responses={200: output(many=True), 404: GROUP_NOT_FOUND},
        examples=[example],
    )


class GameOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField(help_text="The attempt that booked it")
    group = serializers.IntegerField()
    group_name = serializers.CharField()
    rule_name = serializers.CharField()
    club = serializers.IntegerField()
    club_name = serializers.CharField()
    club_timezone = serializers.CharField()
    court_name = serializers.CharField()
    start = serializers.DateTimeField(help_text="UTC")
    local_start = serializers.CharField(help_text="Club-local, ISO 8601 with the offset")
    when = serializers.CharField(help_text='Club-local, as read: "Tue 15 Dec 2026, 19:00 CET"')
    duration_minutes = serializers.IntegerField()
    price = serializers.CharField()
    paid_by = serializers.CharField(help_text="The label of the account that booked and paid")
    payment_method = serializers.CharField()
    split_parts = serializers.IntegerField(
        allow_null=True, help_text="Parts the price was split into (1: paid in full)"
    )
    players = serializers.ListField(child=serializers.CharField())
    open_seats = serializers.IntegerField()
    match_id = serializers.CharField()
    match_url = serializers.URLField(allow_null=True)


class GameListApi(APIView):
    """Our games: the upcoming booked games of your groups (or of one), earliest first."""

    @_group_rows_schema(GroupQuery, GameOutput, response_example("Games", [GAME_EXAMPLE]))
    def get(self, request: Request) -> Response:
        query = validated(GroupQuery, request.query_params)
        group = _caller_group(request, query.get("group"))
        found = games.games_for(request.user, since=timezone.now(), group=group)
        return Response(GameOutput([games.game_json(g) for g in found], many=True).data)


class PlayQuery(serializers.Serializer[Any]):
    group = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_DB_ID,
        help_text="One of your groups (default: your first shared group, else your own)",
    )
    club = serializers.IntegerField(required=False, min_value=1, max_value=MAX_DB_ID)
    day = serializers.DateField(required=False, help_text="A club-local date")
    time_from = LocalTimeField(required=False, help_text="Club-local start, from")
    time_to = LocalTimeField(required=False, help_text="Club-local start, until (inclusive)")
    duration = serializers.IntegerField(required=False, min_value=30, max_value=360)
    surface = serializers.ChoiceField(choices=[play.INDOOR, play.OUTDOOR], required=False)
    max_price = serializers.DecimalField(
        required=False, max_digits=10, decimal_places=2, min_value=0
    )
    days = serializers.IntegerField(
        required=False, min_value=1, max_value=play.MAX_DAYS, default=play.DEFAULT_DAYS
    )


class PlayOptionOutput(serializers.Serializer[Any]):
    club = serializers.IntegerField()
    club_name = serializers.CharField()
    club_timezone = serializers.CharField()
    court = serializers.IntegerField()
    court_name = serializers.CharField()
    indoor = serializers.BooleanField(allow_null=True)
    start = serializers.DateTimeField(help_text="UTC")
    local_start = serializers.CharField()
    when = serializers.CharField()
    duration_minutes = serializers.IntegerField()
    price = serializers.DecimalField(
        max_digits=10, decimal_places=2, allow_null=True, help_text="Estimated from the rates seen"
    )
    currency = serializers.CharField()
    seen_at = serializers.DateTimeField(help_text="When its cells were last seen free (oldest)")
    booking_url = serializers.URLField(help_text="Book it on Playtomic")


class PlayApi(APIView):
    """When can we play? Free slots at the group's clubs in the coming days that fit its
    enabled rules (weekdays, windows, durations, players), earliest first, each with a link to
    book it on Playtomic."""

    @_group_rows_schema(PlayQuery, PlayOptionOutput, response_example("Free slots", [PLAY_EXAMPLE]))
    def get(self, request: Request) -> Response:
        data = validated(PlayQuery, request.query_params)
        group = _caller_group(request, data.get("group"))
        if group is None:
            choices = rule_groups_for(request.user)  # type: ignore[arg-type]
            group = next((g for g in choices if not g.is_personal), choices[0])
        filters = play.PlayFilters(
            club=data.get("club"),
            day=data.get("day"),
            time_from=data.get("time_from"),
            time_to=data.get("time_to"),
            duration=data.get("duration"),
            surface=data.get("surface"),
            max_price=data.get("max_price"),
        )
        options = play.play_options(group, now=timezone.now(), filters=filters, days=data["days"])
        rows = [
            {
                "club": o.club.pk,
                "club_name": o.club.name,
                "club_timezone": o.club.timezone,
                "court": o.court.pk,
                "court_name": o.court.name,
                "indoor": o.court.indoor,
                "start": o.start,
                "local_start": o.local_start.isoformat(),
                "when": o.when,
                "duration_minutes": o.duration,
                "price": o.price,
                "currency": o.currency,
                "seen_at": o.seen_at,
                "booking_url": o.link,
            }
            for o in options
        ]
        return Response(PlayOptionOutput(rows, many=True).data)
