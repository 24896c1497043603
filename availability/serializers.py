"""Input (query parameters) and output shapes of the availability API. Output serializers read
the selectors' dataclasses attribute by attribute."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from availability import dateranges, selectors
from availability.models import PollRun, SlotChange
from clubs.models import Club
from playtomic_monitor.api import MAX_DB_ID, LocalTimeField, ModelOutput

MAX_COMPARED_CLUBS = 8


class BoundedDateField(serializers.DateField):
    """An ISO date the analytics accept (availability.dateranges)."""

    def to_internal_value(self, value: Any) -> date:
        try:
            return dateranges.parse_date(str(value))
        except dateranges.DateError as exc:
            raise serializers.ValidationError(exc.message) from exc


@contextmanager
def _range_refusal() -> Iterator[None]:
    """A refused range as a 400 naming the parameter to blame."""
    try:
        yield
    except dateranges.DateRangeError as exc:
        raise serializers.ValidationError({exc.field: exc.message}) from exc


class RangeQuery(serializers.Serializer[Any]):
    """A club-local date range (inclusive). Defaults to the last four weeks up to today in the
    club's zone; the club comes in the context."""

    from_date = BoundedDateField(required=False)
    to_date = BoundedDateField(required=False)
    sport = serializers.CharField(required=False, max_length=20)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        club: Club | None = self.context.get("club")
        today = selectors.local_today(club) if club else timezone.now().date()
        with _range_refusal():
            attrs["from_date"], attrs["to_date"] = dateranges.date_range(
                attrs.get("from_date"), attrs.get("to_date"), today=today
            )
        attrs["sport"] = (attrs.get("sport") or "").strip().upper() or None
        return attrs


class SportQuery(serializers.Serializer[Any]):
    sport = serializers.CharField(required=False, max_length=20)


class FillCurveQuery(RangeQuery):
    weekday = serializers.IntegerField(
        required=False, min_value=1, max_value=7, help_text="ISO weekday, 1 = Monday"
    )
    hour = serializers.IntegerField(required=False, min_value=0, max_value=23)


class ChanceQuery(RangeQuery):
    weekday = serializers.IntegerField(min_value=1, max_value=7, help_text="ISO, 1 = Monday")
    time = LocalTimeField(help_text="Local start time, HH:MM on the hour or half hour")

    def validate_time(self, value: Any) -> Any:
        if value.minute not in (0, 30) or value.second:
            raise serializers.ValidationError(_("Cells start on the hour or the half hour."))
        return value


class AvailabilityAtQuery(serializers.Serializer[Any]):
    at = serializers.DateTimeField(required=False, help_text="Instant (ISO 8601); default now")
    date = BoundedDateField(required=False, help_text="Club-local date; default at's date")
    sport = serializers.CharField(required=False, max_length=20)

    def validate_at(self, value: datetime) -> datetime:
        if value > timezone.now() + timedelta(minutes=1):
            raise serializers.ValidationError(_("at must not be in the future."))
        if value < datetime.combine(dateranges.EARLIEST_DATE, time(0), tzinfo=UTC):
            raise serializers.ValidationError(
                _("at must not be before %(earliest)s.") % {"earliest": dateranges.EARLIEST_DATE}
            )
        return value


class ChangesQuery(serializers.Serializer[Any]):
    from_date = BoundedDateField(required=False)
    to_date = BoundedDateField(required=False)
    kind = serializers.MultipleChoiceField(choices=SlotChange.Kind.choices, required=False)
    court = serializers.IntegerField(required=False, min_value=1, max_value=MAX_DB_ID)
    sport = serializers.CharField(required=False, max_length=20)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start, end = attrs.get("from_date"), attrs.get("to_date")
        if start and end:
            with _range_refusal():
                dateranges.check_range(start, end)
        return attrs


class PollRunQuery(serializers.Serializer[Any]):
    outcome = serializers.ChoiceField(choices=PollRun.Outcome.choices, required=False)


class CompareQuery(RangeQuery):
    clubs = serializers.CharField(help_text="Comma-separated club ids, e.g. 1,2,3")

    def validate_clubs(self, value: str) -> list[Club]:
        try:
            ids = [int(part) for part in value.split(",") if part.strip()]
        except ValueError as exc:
            raise serializers.ValidationError(_("Give club ids separated by commas.")) from exc
        if not ids:
            raise serializers.ValidationError(_("Give at least one club id."))
        if any(not 1 <= i <= MAX_DB_ID for i in ids):
            raise serializers.ValidationError(_("Club ids are positive whole numbers."))
        if len(ids) > MAX_COMPARED_CLUBS:
            raise serializers.ValidationError(
                _("Compare at most %(most)s clubs.") % {"most": MAX_COMPARED_CLUBS}
            )
        clubs = Club.objects.in_bulk(ids)
        unknown = [str(i) for i in ids if i not in clubs]
        if unknown:
            raise serializers.ValidationError(
                _("Unknown club: %(clubs)s.") % {"clubs": ", ".join(unknown)}
            )
        return [clubs[i] for i in dict.fromkeys(ids)]


class FetchQuery(serializers.Serializer[Any]):
    days = serializers.IntegerField(
        required=False, min_value=0, max_value=30, help_text="Days after today; default config"
    )


# --- Output ---------------------------------------------------------------------------------


class UtilizationOutput(serializers.Serializer[Any]):
    taken = serializers.IntegerField()
    free = serializers.IntegerField()
    not_released = serializers.IntegerField()
    observed = serializers.IntegerField(help_text="Cells seen free or taken")
    expected = serializers.IntegerField(
        allow_null=True, help_text="Open cells by the opening hours"
    )
    utilization = serializers.FloatField(allow_null=True, help_text="taken / observed")
    coverage = serializers.FloatField(allow_null=True, help_text="observed / expected")


class CurrentUtilizationOutput(serializers.Serializer[Any]):
    local_date = serializers.DateField()
    now = serializers.DateTimeField()
    so_far = UtilizationOutput()
    rest_of_day = UtilizationOutput()
    whole_day = UtilizationOutput()


class DayUtilizationOutput(serializers.Serializer[Any]):
    local_date = serializers.DateField()
    figures = UtilizationOutput()


class DailyOutput(serializers.Serializer[Any]):
    club = serializers.IntegerField()
    from_date = serializers.DateField()
    to_date = serializers.DateField()
    total = UtilizationOutput()
    days = DayUtilizationOutput(many=True)


class HeatCellOutput(serializers.Serializer[Any]):
    weekday = serializers.IntegerField(help_text="ISO weekday, 1 = Monday")
    hour = serializers.IntegerField(help_text="Club-local hour")
    taken = serializers.IntegerField()
    free = serializers.IntegerField()
    utilization = serializers.FloatField(allow_null=True)
    expected = serializers.IntegerField(
        allow_null=True,
        help_text="Open cells of this weekday and hour over the range, by the opening hours",
    )
    coverage = serializers.FloatField(allow_null=True, help_text="(taken + free) / expected")


# The range of local dates an answer covers, first of its fields (no docstring: it would
# become the schema's description of every subclass).
class _RangeOutput(serializers.Serializer[Any]):
    from_date = serializers.DateField()
    to_date = serializers.DateField()


# The court a row is about, first of its fields.
class _CourtOutput(serializers.Serializer[Any]):
    court_id = serializers.IntegerField(source="court.id")
    name = serializers.CharField(source="court.name")


# A point of a curve over how long before a slot's start, first of its fields.
class _LeadPointOutput(serializers.Serializer[Any]):
    lead_minutes = serializers.IntegerField()
    lead_label = serializers.CharField(source="label")


class HeatmapOutput(_RangeOutput):
    cells = HeatCellOutput(many=True)


class CourtUtilizationOutput(_CourtOutput):
    sport_id = serializers.CharField(source="court.sport_id")
    figures = UtilizationOutput()


class FillPointOutput(_LeadPointOutput):
    taken = serializers.IntegerField()
    known = serializers.IntegerField()
    share_taken = serializers.FloatField(allow_null=True)


class SelloutOutput(serializers.Serializer[Any]):
    weekday = serializers.IntegerField()
    hour = serializers.IntegerField()
    slots = serializers.IntegerField()
    sold_out = serializers.IntegerField()
    sold_out_share = serializers.FloatField(allow_null=True)
    median_lead_minutes = serializers.IntegerField(allow_null=True)


class CancellationOutput(serializers.Serializer[Any]):
    bookings = serializers.IntegerField()
    cancellations = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True)


class LeadTimesOutput(_RangeOutput):
    sellout = SelloutOutput(many=True)
    cancellations = CancellationOutput()


class PriceHourOutput(serializers.Serializer[Any]):
    hour = serializers.IntegerField()
    minimum = serializers.DecimalField(max_digits=8, decimal_places=2)
    average = serializers.DecimalField(max_digits=8, decimal_places=2)
    maximum = serializers.DecimalField(max_digits=8, decimal_places=2)
    samples = serializers.IntegerField()


class ChancePointOutput(_LeadPointOutput):
    dates_known = serializers.IntegerField()
    dates_with_free = serializers.IntegerField()
    chance = serializers.FloatField(allow_null=True)


class GridRowOutput(_CourtOutput):
    cells = serializers.ListField(child=serializers.CharField())
    prices = serializers.ListField(
        child=serializers.DecimalField(max_digits=8, decimal_places=2, allow_null=True)
    )


class GridOutput(serializers.Serializer[Any]):
    local_date = serializers.DateField()
    as_of = serializers.DateTimeField(allow_null=True)
    starts = serializers.ListField(child=serializers.DateTimeField())
    local_times = serializers.ListField(child=serializers.CharField())
    last_poll_at = serializers.DateTimeField(source="last_poll.started_at", allow_null=True)
    rows = GridRowOutput(many=True)


_HOUR_MAP = {"type": "object", "additionalProperties": {"type": "number", "nullable": True}}


class ClubSummaryOutput(serializers.Serializer[Any]):
    club_id = serializers.IntegerField(source="club.id")
    name = serializers.CharField(source="club.name")
    total = UtilizationOutput()
    peak_hour = serializers.IntegerField(allow_null=True)
    by_hour = serializers.SerializerMethodField(
        help_text="Club-local hour -> utilization (taken / observed) over the range"
    )
    by_hour_coverage = serializers.SerializerMethodField(
        help_text="Club-local hour -> coverage (observed / open cells of that hour)"
    )
    days = DayUtilizationOutput(many=True, source="daily")

    @extend_schema_field(_HOUR_MAP)
    def get_by_hour(self, obj: selectors.ClubSummary) -> dict[str, float | None]:
        return {str(h): u.utilization for h, u in obj.by_hour.items()}

    @extend_schema_field(_HOUR_MAP)
    def get_by_hour_coverage(self, obj: selectors.ClubSummary) -> dict[str, float | None]:
        return {str(h): u.coverage for h, u in obj.by_hour.items()}


class SlotChangeOutput(ModelOutput[SlotChange]):
    court_id = serializers.IntegerField()
    court = serializers.CharField(source="court.name")

    class Meta:
        model = SlotChange
        # Every column of the transition; its club and poll run are the question's own.
        exclude = ["club", "poll_run"]


class PollRunOutput(ModelOutput[PollRun]):
    club_id = serializers.IntegerField()
    days = serializers.ListField(child=serializers.CharField())
    days_ok = serializers.ListField(child=serializers.CharField())

    class Meta:
        model = PollRun
        fields = [
            "id",
            "club_id",
            "trigger",
            "started_at",
            "finished_at",
            "days",
            "days_ok",
            "requests_made",
            "cells_seen",
            "changes_written",
            "duration_ms",
            "outcome",
            "error_kind",
            "error_message",
        ]


class PollRunRequestedOutput(PollRunOutput):
    """A run the fetch endpoint queued: read it again at `url` until it has finished."""

    url = serializers.SerializerMethodField(help_text="Where to read the run until it finishes")

    class Meta(PollRunOutput.Meta):
        fields = [*PollRunOutput.Meta.fields, "url"]

    def get_url(self, obj: PollRun) -> str:
        path = reverse("api-poll-run", args=[obj.club_id, obj.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path
