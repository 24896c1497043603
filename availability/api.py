"""Availability API: utilization, analytics from the transitions, snapshots, changes, poll runs,
CSV exports, and the manual fetch (queued for the poll workers: 202 and the run to watch).
Every figure is in the club's local time."""

from __future__ import annotations

import csv
import itertools
from collections.abc import Callable, Iterable
from typing import Any, ClassVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from availability import selectors
from availability.api_examples import (
    BROKER_DOWN_EXAMPLE,
    CHANCE_EXAMPLE,
    CHANGES_CSV_EXAMPLE,
    COMPARE_EXAMPLE,
    COURTS_EXAMPLE,
    CURRENT_EXAMPLE,
    DAILY_CSV_EXAMPLE,
    DAILY_EXAMPLE,
    FILL_CURVE_EXAMPLE,
    GRID_EXAMPLE,
    HEATMAP_EXAMPLE,
    LEAD_TIMES_EXAMPLE,
    POLL_RUN_EXAMPLE,
    PRICES_EXAMPLE,
    QUEUED_RUN_EXAMPLE,
    SLOT_CHANGE_EXAMPLE,
)
from availability.models import PollRun
from availability.serializers import (
    AvailabilityAtQuery,
    ChancePointOutput,
    ChanceQuery,
    ChangesQuery,
    ClubSummaryOutput,
    CompareQuery,
    CourtUtilizationOutput,
    CurrentUtilizationOutput,
    DailyOutput,
    FetchQuery,
    FillCurveQuery,
    FillPointOutput,
    GridOutput,
    HeatmapOutput,
    LeadTimesOutput,
    PollRunOutput,
    PollRunQuery,
    PollRunRequestedOutput,
    PriceHourOutput,
    RangeQuery,
    SlotChangeOutput,
    SportQuery,
)
from availability.services.polling import poll_request
from clubs.api import club_for_api
from clubs.models import Club
from playtomic_monitor.api_views import PagedApiView, validated
from playtomic_monitor.openapi import FIELD_MESSAGES, Decorated, not_found, response_example
from playtomic_monitor.permissions import StaffWritesOrReadOnly


def _range_kwargs(q: dict[str, Any]) -> dict[str, Any]:
    return {"date_from": q["from_date"], "date_to": q["to_date"], "sport_id": q["sport"]}


def _sport(q: dict[str, Any]) -> str | None:
    return (q.get("sport") or "").upper() or None


def _csv_schema(
    summary: str, query: type[serializers.Serializer[Any]], example_name: str, example: str
) -> Callable[[Decorated], Decorated]:
    """The schema of a CSV export: the file, or field messages for a refused query."""
    return extend_schema(
        summary=summary,
        parameters=[query],
        responses={(200, "text/csv"): OpenApiTypes.STR, 400: FIELD_MESSAGES},
        examples=[response_example(example_name, example, media_type="text/csv")],
    )


def _csv_response(
    name: str, header: list[str], rows: Iterable[list[Any]], *, stream: bool = False
) -> HttpResponseBase:
    """A CSV attachment called `name`: `header`, then `rows` (None as an empty cell), written
    as it is sent when `stream`."""
    writer = csv.writer(_Echo())
    lines = itertools.chain([writer.writerow(header)], map(writer.writerow, rows))
    content_type = "text/csv; charset=utf-8"
    response: HttpResponse | StreamingHttpResponse
    if stream:
        response = StreamingHttpResponse(lines, content_type=content_type)
    else:
        response = HttpResponse("".join(lines), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


class _Echo:
    """A file that hands back what is written to it: csv.writer's rows as strings."""

    def write(self, value: str) -> str:
        return value


# The daily export's columns after the date: the day's figures of those names.
_DAILY_FIGURES = ["taken", "free", "not_released", "expected", "utilization", "coverage"]
_CHANGES_COLUMNS = [
    "observed_at",
    "court",
    "local_date",
    "local_start",
    "kind",
    "old_state",
    "new_state",
    "lead_minutes",
    "price",
]


class AnalyticsApi(APIView):
    permission_classes = [StaffWritesOrReadOnly]


# Figures of one club over a club-local date range: the query (`query`, a RangeQuery read with
# the club's today) goes to `answer`, whose result `output` shapes. The operation's schema is
# built from the same attributes. (No docstring: it would become every operation's description.)
class ClubRangeApi(AnalyticsApi):
    summary: ClassVar[str]
    query: ClassVar[type[RangeQuery]] = RangeQuery
    output: ClassVar[type[serializers.Serializer[Any]]]
    many: ClassVar[bool] = False
    example: ClassVar[OpenApiExample]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not hasattr(cls, "summary"):
            return  # a base of such views (ClubRangeRowsApi), no operation of its own
        extend_schema_view(
            get=extend_schema(
                summary=cls.summary,
                parameters=[cls.query],
                responses={200: cls.output(many=cls.many), 400: FIELD_MESSAGES},
                examples=[cls.example],
            )
        )(cls)

    def answer(self, club: Club, q: dict[str, Any]) -> Any:
        raise NotImplementedError

    def get(self, request: Request, club_id: int) -> Response:
        club = club_for_api(club_id)
        q = validated(self.query, request.query_params, club=club)
        return Response(self.output(self.answer(club, q), many=self.many).data)


# Rows of one club over a range, each shaped by `output`: by default those `rows` (a selector)
# reads for the club and the range.
class ClubRangeRowsApi(ClubRangeApi):
    many = True
    rows: ClassVar[Callable[..., Any]]

    def answer(self, club: Club, q: dict[str, Any]) -> Any:
        return type(self).rows(club=club, **_range_kwargs(q))


def _dated(q: dict[str, Any], **figures: Any) -> dict[str, Any]:
    """`figures` with the range they cover."""
    return {"from_date": q["from_date"], "to_date": q["to_date"], **figures}


class CurrentUtilizationApi(AnalyticsApi):
    @extend_schema(
        summary="Today's utilization in the club's zone: so far, rest of the day, whole day",
        parameters=[SportQuery],
        responses=CurrentUtilizationOutput,
        examples=[response_example("Midday", CURRENT_EXAMPLE)],
    )
    def get(self, request: Request, club_id: int) -> Response:
        club = club_for_api(club_id)
        q = validated(SportQuery, request.query_params)
        current = selectors.utilization_current(club=club, sport_id=_sport(q))
        return Response(CurrentUtilizationOutput(current).data)


class DailyUtilizationApi(ClubRangeApi):
    summary = "Utilization per club-local day (default: the last 28 days)"
    output = DailyOutput
    example = response_example("Two days", DAILY_EXAMPLE)

    def answer(self, club: Club, q: dict[str, Any]) -> dict[str, Any]:
        days = selectors.utilization_daily(club=club, **_range_kwargs(q))
        return _dated(q, club=club.pk, total=selectors.utilization_total(days), days=days)


class DailyUtilizationCsvApi(AnalyticsApi):
    @_csv_schema("Daily utilization as CSV", RangeQuery, "Two days", DAILY_CSV_EXAMPLE)
    def get(self, request: Request, club_id: int) -> HttpResponseBase:
        club = club_for_api(club_id)
        q = validated(RangeQuery, request.query_params, club=club)
        days = selectors.utilization_daily(club=club, **_range_kwargs(q))
        rows = (
            [day.local_date, *(getattr(day.figures, f) for f in _DAILY_FIGURES)] for day in days
        )
        name = f"utilization-{club.pk}-{q['from_date']}-{q['to_date']}.csv"
        return _csv_response(name, ["local_date", *_DAILY_FIGURES], rows)


class HeatmapApi(ClubRangeApi):
    summary = "Weekday x local hour utilization"
    output = HeatmapOutput
    example = response_example("Tuesday 19:00", HEATMAP_EXAMPLE)

    def answer(self, club: Club, q: dict[str, Any]) -> dict[str, Any]:
        return _dated(q, cells=selectors.utilization_heatmap(club=club, **_range_kwargs(q)).cells)


class CourtUtilizationApi(ClubRangeRowsApi):
    summary = "Utilization per court"
    output = CourtUtilizationOutput
    example = response_example("One court", COURTS_EXAMPLE)
    rows = selectors.utilization_per_court


class CompareApi(AnalyticsApi):
    @extend_schema(
        summary="Several clubs side by side",
        parameters=[CompareQuery],
        responses={200: ClubSummaryOutput(many=True), 400: FIELD_MESSAGES},
        examples=[response_example("One club", COMPARE_EXAMPLE)],
    )
    def get(self, request: Request) -> Response:
        q = validated(CompareQuery, request.query_params)
        summary = selectors.club_comparison(clubs=q["clubs"], **_range_kwargs(q))
        return Response(ClubSummaryOutput(summary, many=True).data)


class FillCurveApi(ClubRangeRowsApi):
    summary = "Share of cells already taken N hours/days before their start"
    query = FillCurveQuery
    output = FillPointOutput
    example = response_example("Two days ahead", FILL_CURVE_EXAMPLE)

    def answer(self, club: Club, q: dict[str, Any]) -> Any:
        weekday, hour = q.get("weekday"), q.get("hour")
        return selectors.fill_curve(
            club=club,
            **_range_kwargs(q),
            weekdays=None if weekday is None else [weekday],
            hours=None if hour is None else [hour],
        )


class LeadTimesApi(ClubRangeApi):
    summary = "How far ahead each weekday/hour sells out, and the cancellation rate"
    output = LeadTimesOutput
    example = response_example("Saturday 10:00", LEAD_TIMES_EXAMPLE)

    def answer(self, club: Club, q: dict[str, Any]) -> dict[str, Any]:
        scope = {"club": club, **_range_kwargs(q)}
        return _dated(
            q,
            sellout=selectors.sellout_lead_times(**scope),
            cancellations=selectors.cancellation_rate(**scope),
        )


class ChanceApi(ClubRangeRowsApi):
    summary = "Observed chance that a court is still free N hours/days before a wanted slot"
    query = ChanceQuery
    output = ChancePointOutput
    example = response_example("Tuesday 19:00, one day ahead", CHANCE_EXAMPLE)

    def answer(self, club: Club, q: dict[str, Any]) -> Any:
        return selectors.chance_free(
            club=club, weekday=q["weekday"], start_time=q["time"], **_range_kwargs(q)
        )


class AvailabilityApi(AnalyticsApi):
    @extend_schema(
        summary="Courts x cells of a local date, as known at instant `at` (default: now)",
        parameters=[AvailabilityAtQuery],
        responses={200: GridOutput, 400: FIELD_MESSAGES},
        examples=[response_example("Two cells", GRID_EXAMPLE)],
    )
    def get(self, request: Request, club_id: int) -> Response:
        club = club_for_api(club_id)
        q = validated(AvailabilityAtQuery, request.query_params)
        sport = _sport(q)
        at = q.get("at")
        if at is None:
            local_date = q.get("date") or selectors.local_today(club)
            grid = selectors.availability_grid(club=club, local_date=local_date, sport_id=sport)
        else:
            grid = selectors.availability_at(
                club=club, at=at, local_date=q.get("date"), sport_id=sport
            )
        return Response(GridOutput(grid).data)


class PricesApi(ClubRangeRowsApi):
    summary = "Prices offered by local hour (hourly rate)"
    output = PriceHourOutput
    example = response_example("Evening", PRICES_EXAMPLE)
    rows = selectors.prices_by_hour


def _changes(club: Club, q: dict[str, Any]) -> Any:
    return selectors.slot_changes(
        club=club,
        date_from=q.get("from_date"),
        date_to=q.get("to_date"),
        kinds=sorted(q.get("kind") or []),
        court_id=q.get("court"),
        sport_id=_sport(q),
    )


class ChangesApi(AnalyticsApi, PagedApiView):
    @extend_schema(
        summary="Transitions of cells (paginated, newest first)",
        parameters=[ChangesQuery],
        responses={200: SlotChangeOutput(many=True), 400: FIELD_MESSAGES},
        # One item: drf-spectacular wraps it in the page envelope.
        examples=[response_example("Booked", SLOT_CHANGE_EXAMPLE)],
    )
    def get(self, request: Request, club_id: int) -> Response:
        club = club_for_api(club_id)
        q = validated(ChangesQuery, request.query_params)
        return self.page_response(request, _changes(club, q), SlotChangeOutput)


class ChangesCsvApi(AnalyticsApi):
    @_csv_schema("Transitions as CSV (streamed)", ChangesQuery, "Booked", CHANGES_CSV_EXAMPLE)
    def get(self, request: Request, club_id: int) -> HttpResponseBase:
        club = club_for_api(club_id)
        changes = _changes(club, validated(ChangesQuery, request.query_params))
        zone = club.zone
        rows = (
            [
                c.observed_at.isoformat(),
                c.court.name,
                c.local_date,
                c.start.astimezone(zone).strftime("%H:%M"),
                c.kind,
                c.old_state,
                c.new_state,
                c.lead_minutes,
                c.price,
            ]
            for c in changes.iterator(chunk_size=2000)
        )
        name = f"changes-{club.pk}.csv"
        return _csv_response(name, _CHANGES_COLUMNS, rows, stream=True)


class PollRunsApi(AnalyticsApi, PagedApiView):
    @extend_schema(
        summary="Poll runs of the club (paginated, newest first)",
        parameters=[PollRunQuery],
        responses=PollRunOutput(many=True),
        # One item: drf-spectacular wraps it in the page envelope.
        examples=[response_example("A poll", POLL_RUN_EXAMPLE)],
    )
    def get(self, request: Request, club_id: int) -> Response:
        club = club_for_api(club_id)
        q = validated(PollRunQuery, request.query_params)
        runs = selectors.poll_runs(club=club, outcome=q.get("outcome"))
        return self.page_response(request, runs, PollRunOutput)


class PollRunDetailApi(AnalyticsApi):
    @extend_schema(
        summary="One poll run of the club: read a queued fetch until `finished_at` is set",
        responses={200: PollRunOutput, 404: not_found("No such run")},
        examples=[response_example("A poll", POLL_RUN_EXAMPLE)],
    )
    def get(self, request: Request, club_id: int, run_id: int) -> Response:
        club = club_for_api(club_id)
        run = get_object_or_404(selectors.poll_runs(club=club), pk=run_id)
        return Response(PollRunOutput(run).data)


class FetchAvailabilityApi(AnalyticsApi):
    @extend_schema(
        summary="Queue a poll of the club (today plus `days` days) for the poll workers",
        description=(
            "Answers at once with the queued run (202, `Location` = `url`). A poll worker "
            "fills it; read it at `url` until `finished_at` is set: `days_ok` grows as each "
            "day is stored. 503 when the task broker could not take the job (the run is "
            "stored as failed, `error_kind` broker_unavailable)."
        ),
        parameters=[FetchQuery],
        request=None,
        responses={
            202: PollRunRequestedOutput,
            400: FIELD_MESSAGES,
            503: OpenApiResponse(PollRunRequestedOutput, description="Broker unavailable"),
        },
        examples=[
            response_example("Queued", QUEUED_RUN_EXAMPLE, 202),
            response_example("Broker down", BROKER_DOWN_EXAMPLE, 503),
        ],
    )
    def post(self, request: Request, club_id: int) -> Response:
        club = club_for_api(club_id)
        q = validated(FetchQuery, request.query_params)
        try:
            run: PollRun = poll_request(club=club, days_ahead=q.get("days"))
        except DjangoValidationError as exc:
            # The service names its argument; callers of this endpoint know it as `days`.
            raise serializers.ValidationError({"days": exc.messages}) from exc
        body = PollRunRequestedOutput(run, context={"request": request}).data
        if run.outcome == PollRun.Outcome.FAILED:
            return Response(body, status=status.HTTP_503_SERVICE_UNAVAILABLE)
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["url"]})
