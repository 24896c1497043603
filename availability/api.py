"""Availability API: utilization, analytics from the transitions, snapshots, changes, poll runs,
CSV exports, and the manual fetch (queued for the poll workers: 202 and the run to watch).
Every figure is in the club's local time."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from availability import selectors
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
from clubs.api import StaffWritesOrReadOnly, club_for_api
from clubs.models import Club

UTILIZATION_EXAMPLE = {
    "taken": 42,
    "free": 14,
    "not_released": 0,
    "observed": 56,
    "expected": 64,
    "utilization": 0.75,
    "coverage": 0.875,
}
POLL_RUN_EXAMPLE = {
    "id": 812,
    "club_id": 1,
    "trigger": "manual",
    "started_at": "2026-03-28T11:59:58Z",
    "finished_at": "2026-03-28T12:00:01Z",
    "days": ["2026-03-28", "2026-03-29"],
    "days_ok": ["2026-03-28", "2026-03-29"],
    "requests_made": 2,
    "cells_seen": 112,
    "changes_written": 3,
    "duration_ms": 2950,
    "outcome": "ok",
    "error_kind": "",
    "error_message": "",
}
QUEUED_RUN_EXAMPLE = {
    **POLL_RUN_EXAMPLE,
    "started_at": "2026-03-28T11:59:58Z",
    "finished_at": None,
    "days_ok": [],
    "requests_made": 0,
    "cells_seen": 0,
    "changes_written": 0,
    "duration_ms": None,
    "outcome": "queued",
    "url": "https://monitor.example/api/clubs/1/poll-runs/812",
}
BROKER_DOWN_EXAMPLE = {
    **QUEUED_RUN_EXAMPLE,
    "finished_at": "2026-03-28T11:59:59Z",
    "duration_ms": 0,
    "outcome": "failed",
    "error_kind": "broker_unavailable",
    "error_message": (
        "The fetch could not be queued: the task broker did not answer, so no poll worker "
        "will run it. Try again in a minute; the system health page shows the broker's state."
    ),
}
SLOT_CHANGE_EXAMPLE = {
    "id": 5120,
    "court_id": 3,
    "court": "Pista 1",
    "start": "2026-03-28T18:00:00Z",
    "local_date": "2026-03-28",
    "kind": "taken",
    "old_state": "free",
    "new_state": "taken",
    "observed_at": "2026-03-27T09:15:00Z",
    "lead_minutes": 1965,
    "price": None,
}


def _csv_example(name: str, text: str) -> OpenApiExample:
    return OpenApiExample(name, value=text, response_only=True, media_type="text/csv")


BAD_RANGE = OpenApiResponse(
    description="Field messages, e.g. {'from_date': ['from_date must not be after to_date.']}"
)


def _parse(
    serializer_class: type[serializers.Serializer[Any]], request: Request, **ctx: Any
) -> dict[str, Any]:
    query = serializer_class(data=request.query_params, context=ctx)
    query.is_valid(raise_exception=True)
    return dict(query.validated_data)


def _range_kwargs(q: dict[str, Any]) -> dict[str, Any]:
    return {"date_from": q["from_date"], "date_to": q["to_date"], "sport_id": q["sport"]}


class AnalyticsApi(APIView):
    permission_classes = [StaffWritesOrReadOnly]


class CurrentUtilizationApi(AnalyticsApi):
    @extend_schema(
        summary="Today's utilization in the club's zone: so far, rest of the day, whole day",
        parameters=[SportQuery],
        responses=CurrentUtilizationOutput,
        examples=[
            OpenApiExample(
                "Midday",
                value={
                    "local_date": "2026-03-28",
                    "now": "2026-03-28T12:00:00Z",
                    "so_far": UTILIZATION_EXAMPLE,
                    "rest_of_day": UTILIZATION_EXAMPLE,
                    "whole_day": UTILIZATION_EXAMPLE,
                },
                response_only=True,
            )
        ],
    )
    def get(self, request: Request, club_id: int) -> Response:
        club = club_for_api(club_id)
        q = _parse(SportQuery, request)
        sport = (q.get("sport") or "").upper() or None
        current = selectors.utilization_current(club=club, sport_id=sport)
        return Response(CurrentUtilizationOutput(current).data)


def _daily(club: Club, q: dict[str, Any]) -> dict[str, Any]:
    days = selectors.utilization_daily(club=club, **_range_kwargs(q))
    return {
        "club": club.pk,
        "from_date": q["from_date"],
        "to_date": q["to_date"],
        "total": selectors.utilization_total(days),
        "days": days,
    }


class DailyUtilizationApi(AnalyticsApi):
    @extend_schema(
        summary="Utilization per club-local day (default: the last 28 days)",
        parameters=[RangeQuery],
        responses={200: DailyOutput, 400: BAD_RANGE},
        examples=[
            OpenApiExample(
                "Two days",
                value={
                    "club": 1,
                    "from_date": "2026-03-01",
                    "to_date": "2026-03-02",
                    "total": UTILIZATION_EXAMPLE,
                    "days": [{"local_date": "2026-03-01", "figures": UTILIZATION_EXAMPLE}],
                },
                response_only=True,
            )
        ],
    )
    def get(self, request: Request, club_id: int) -> Response:
        club = club_for_api(club_id)
        q = _parse(RangeQuery, request, club=club)
        return Response(DailyOutput(_daily(club, q)).data)


class DailyUtilizationCsvApi(AnalyticsApi):
    @extend_schema(
        summary="Daily utilization as CSV",
        parameters=[RangeQuery],
        responses={(200, "text/csv"): OpenApiTypes.STR, 400: BAD_RANGE},
        examples=[
            _csv_example(
                "Two days",
                "local_date,taken,free,not_released,expected,utilization,coverage\r\n"
                "2026-03-01,42,14,0,64,0.75,0.875\r\n"
                "2026-03-02,0,0,0,64,,0.0\r\n",
            )
        ],
    )
    def get(self, request: Request, club_id: int) -> HttpResponse:
        club = club_for_api(club_id)
        q = _parse(RangeQuery, request, club=club)
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        name = f"utilization-{club.pk}-{q['from_date']}-{q['to_date']}.csv"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        writer = csv.writer(response)
        writer.writerow(
            ["local_date", "taken", "free", "not_released", "expected", "utilization", "coverage"]
        )
        for day in selectors.utilization_daily(club=club, **_range_kwargs(q)):
            f = day.figures
            writer.writerow(
                [
                    day.local_date,
                    f.taken,
                    f.free,
                    f.not_released,
                    _blank(f.expected),
                    _blank(f.utilization),
                    _blank(f.coverage),
                ]
            )
        return response


def _blank(value: object) -> object:
    return "" if value is None else value


class HeatmapApi(AnalyticsApi):
    @extend_schema(
        summary="Weekday x local hour utilization",
        parameters=[RangeQuery],
        responses={200: HeatmapOutput, 400: BAD_RANGE},
        examples=[
            OpenApiExample(
                "Tuesday 19:00",
                value={
                    "from_date": "2026-03-01",
                    "to_date": "2026-03-28",
                    "cells": [
                        {
                            "weekday": 2,
                            "hour": 19,
                            "taken": 30,
                            "free": 2,
                            "utilization": 0.9375,
                            "expected": 32,
                            "coverage": 1.0,
                        }
                    ],
                },
                response_only=True,
            )
        ],
    )
    def get(self, request: Request, club_id: int) -> Response:
        club = club_for_api(club_id)
        q = _parse(RangeQuery, request, club=club)
        heat = selectors.utilization_heatmap(club=club, **_range_kwargs(q))
        data = {"from_date": q["from_date"], "to_date": q["to_date"], "cells": heat.cells}
        return Response(HeatmapOutput(data).data)


class CourtUtilizationApi(AnalyticsApi):
    @extend_schema(
        summary="Utilization per court",
        parameters=[RangeQuery],
        responses={200: CourtUtilizationOutput(many=True), 400: BAD_RANGE},
        examples=[
            OpenApiExample(
                "One court",
                value=[
                    {
                        "court_id": 3,
                        "name": "Pista 1",
                        "sport_id": "PADEL",
                        "figures": UTILIZATION_EXAMPLE,
                    }
                ],
                response_only=True,
            )
        ],
    )
    def get(self, request: Request, club_id: int) -> Response:
        club = club_for_api(club_id)
        q = _parse(RangeQuery, request, club=club)
        rows = selectors.utilization_per_court(club=club, **_range_kwargs(q))
        return Response(CourtUtilizationOutput(rows, many=True).data)


class CompareApi(AnalyticsApi):
    @extend_schema(
        summary="Several clubs side by side",
        parameters=[CompareQuery],
        responses={200: ClubSummaryOutput(many=True), 400: BAD_RANGE},
        examples=[
            OpenApiExample(
                "One club",
                value=[
                    {
                        "club_id": 1,
                        "name": "Club Padel Norte",
                        "total": UTILIZATION_EXAMPLE,
                        "peak_hour": 19,
                        "by_hour": {"18": 0.6, "19": 0.9375},
                        "by_hour_coverage": {"18": 0.875, "19": 1.0},
                        "days": [{"local_date": "2026-03-01", "figures": UTILIZATION_EXAMPLE}],
                    }
                ],
                response_only=True,
            )
        ],
    )
    def get(self, request: Request) -> Response:
        q = _parse(CompareQuery, request)
        summary = selectors.club_comparison(clubs=q["clubs"], **_range_kwargs(q))
        return Response(ClubSummaryOutput(summary, many=True).data)


class FillCurveApi(AnalyticsApi):
    @extend_schema(
        summary="Share of cells already taken N hours/days before their start",
        parameters=[FillCurveQuery],
        responses={200: FillPointOutput(many=True), 400: BAD_RANGE},
        examples=[
            OpenApiExample(
                "Two days ahead",
                value=[
                    {
                        "lead_minutes": 2880,
                        "lead_label": "2d",
                        "taken": 40,
                        "known": 64,
                        "share_taken": 0.625,
                    }
                ],
                response_only=True,
            )
        ],
    )
    def get(self, request: Request, club_id: int) -> Response:
        club = club_for_api(club_id)
        q = _parse(FillCurveQuery, request, club=club)
        weekday, hour = q.get("weekday"), q.get("hour")
        curve = selectors.fill_curve(
            club=club,
            **_range_kwargs(q),
            weekdays=None if weekday is None else [weekday],
            hours=None if hour is None else [hour],
        )
        return Response(FillPointOutput(curve, many=True).data)


class LeadTimesApi(AnalyticsApi):
    @extend_schema(
        summary="How far ahead each weekday/hour sells out, and the cancellation rate",
        parameters=[RangeQuery],
        responses={200: LeadTimesOutput, 400: BAD_RANGE},
        examples=[
            OpenApiExample(
                "Saturday 10:00",
                value={
                    "from_date": "2026-03-01",
                    "to_date": "2026-03-28",
                    "sellout": [
                        {
                            "weekday": 6,
                            "hour": 10,
                            "slots": 4,
                            "sold_out": 3,
                            "sold_out_share": 0.75,
                            "median_lead_minutes": 2880,
                        }
                    ],
                    "cancellations": {"bookings": 120, "cancellations": 9, "rate": 0.075},
                },
                response_only=True,
            )
        ],
    )
    def get(self, request: Request, club_id: int) -> Response:
        club = club_for_api(club_id)
        q = _parse(RangeQuery, request, club=club)
        data = {
            "from_date": q["from_date"],
            "to_date": q["to_date"],
            "sellout": selectors.sellout_lead_times(club=club, **_range_kwargs(q)),
            "cancellations": selectors.cancellation_rate(club=club, **_range_kwargs(q)),
        }
        return Response(LeadTimesOutput(data).data)


class PricesApi(AnalyticsApi):
    @extend_schema(
        summary="Prices offered by local hour (hourly rate)",
        parameters=[RangeQuery],
        responses={200: PriceHourOutput(many=True), 400: BAD_RANGE},
        examples=[
            OpenApiExample(
                "Evening",
                value=[
                    {
                        "hour": 19,
                        "minimum": "24.00",
                        "average": "28.50",
                        "maximum": "36.00",
                        "samples": 56,
                    }
                ],
                response_only=True,
            )
        ],
    )
    def get(self, request: Request, club_id: int) -> Response:
        club = club_for_api(club_id)
        q = _parse(RangeQuery, request, club=club)
        prices = selectors.prices_by_hour(club=club, **_range_kwargs(q))
        return Response(PriceHourOutput(prices, many=True).data)


class ChanceApi(AnalyticsApi):
    @extend_schema(
        summary="Observed chance that a court is still free N hours/days before a wanted slot",
        parameters=[ChanceQuery],
        responses={200: ChancePointOutput(many=True), 400: BAD_RANGE},
        examples=[
            OpenApiExample(
                "Tuesday 19:00, one day ahead",
                value=[
                    {
                        "lead_minutes": 1440,
                        "lead_label": "1d",
                        "dates_known": 12,
                        "dates_with_free": 3,
                        "chance": 0.25,
                    }
                ],
                response_only=True,
            )
        ],
    )
    def get(self, request: Request, club_id: int) -> Response:
        club = club_for_api(club_id)
        q = _parse(ChanceQuery, request, club=club)
        points = selectors.chance_free(
            club=club, weekday=q["weekday"], start_time=q["time"], **_range_kwargs(q)
        )
        return Response(ChancePointOutput(points, many=True).data)


class AvailabilityApi(AnalyticsApi):
    @extend_schema(
        summary="Courts x cells of a local date, as known at instant `at` (default: now)",
        parameters=[AvailabilityAtQuery],
        responses={200: GridOutput, 400: BAD_RANGE},
        examples=[
            OpenApiExample(
                "Two cells",
                value={
                    "local_date": "2026-03-28",
                    "as_of": "2026-03-28T12:00:01Z",
                    "starts": ["2026-03-28T18:00:00Z", "2026-03-28T18:30:00Z"],
                    "local_times": ["19:00", "19:30"],
                    "last_poll_at": "2026-03-28T11:59:58Z",
                    "rows": [
                        {
                            "court_id": 3,
                            "name": "Pista 1",
                            "cells": ["taken", "free"],
                            "prices": [None, "24.00"],
                        }
                    ],
                },
                response_only=True,
            )
        ],
    )
    def get(self, request: Request, club_id: int) -> Response:
        club = club_for_api(club_id)
        q = _parse(AvailabilityAtQuery, request)
        sport = (q.get("sport") or "").upper() or None
        at = q.get("at")
        if at is None:
            local_date = q.get("date") or selectors.local_today(club)
            grid = selectors.availability_grid(club=club, local_date=local_date, sport_id=sport)
        else:
            grid = selectors.availability_at(
                club=club, at=at, local_date=q.get("date"), sport_id=sport
            )
        return Response(GridOutput(grid).data)


def _changes(club: Club, q: dict[str, Any]) -> Any:
    return selectors.slot_changes(
        club=club,
        date_from=q.get("from_date"),
        date_to=q.get("to_date"),
        kinds=sorted(q.get("kind") or []),
        court_id=q.get("court"),
        sport_id=(q.get("sport") or "").upper() or None,
    )


class ChangesApi(AnalyticsApi):
    # Read by drf-spectacular, so the schema shows the paginated envelope.
    pagination_class = PageNumberPagination

    @extend_schema(
        summary="Transitions of cells (paginated, newest first)",
        parameters=[ChangesQuery],
        responses={200: SlotChangeOutput(many=True), 400: BAD_RANGE},
        # One item: drf-spectacular wraps it in the page envelope.
        examples=[OpenApiExample("Booked", value=SLOT_CHANGE_EXAMPLE, response_only=True)],
    )
    def get(self, request: Request, club_id: int) -> Response:
        club = club_for_api(club_id)
        q = _parse(ChangesQuery, request)
        paginator = self.pagination_class()
        page: list[Any] | None = paginator.paginate_queryset(_changes(club, q), request, view=self)
        return paginator.get_paginated_response(SlotChangeOutput(page, many=True).data)


class ChangesCsvApi(AnalyticsApi):
    @extend_schema(
        summary="Transitions as CSV (streamed)",
        parameters=[ChangesQuery],
        responses={(200, "text/csv"): OpenApiTypes.STR, 400: BAD_RANGE},
        examples=[
            _csv_example(
                "Booked",
                "observed_at,court,local_date,local_start,kind,old_state,new_state,"
                "lead_minutes,price\r\n"
                "2026-03-27T09:15:00+00:00,Pista 1,2026-03-28,19:00,taken,free,taken,1965,\r\n",
            )
        ],
    )
    def get(self, request: Request, club_id: int) -> StreamingHttpResponse:
        club = club_for_api(club_id)
        q = _parse(ChangesQuery, request)
        changes = _changes(club, q)
        zone = club.zone

        def rows() -> Iterator[str]:
            echo = _Echo()
            writer = csv.writer(echo)
            yield writer.writerow(
                [
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
            )
            for c in changes.iterator(chunk_size=2000):
                yield writer.writerow(
                    [
                        c.observed_at.isoformat(),
                        c.court.name,
                        c.local_date,
                        c.start.astimezone(zone).strftime("%H:%M"),
                        c.kind,
                        c.old_state,
                        c.new_state,
                        c.lead_minutes,
                        _blank(c.price),
                    ]
                )

        response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="changes-{club.pk}.csv"'
        return response


class _Echo:
    def write(self, value: str) -> str:
        return value


class PollRunsApi(AnalyticsApi):
    # Read by drf-spectacular, so the schema shows the paginated envelope.
    pagination_class = PageNumberPagination

    @extend_schema(
        summary="Poll runs of the club (paginated, newest first)",
        parameters=[PollRunQuery],
        responses=PollRunOutput(many=True),
        # One item: drf-spectacular wraps it in the page envelope.
        examples=[OpenApiExample("A poll", value=POLL_RUN_EXAMPLE, response_only=True)],
    )
    def get(self, request: Request, club_id: int) -> Response:
        club = club_for_api(club_id)
        q = _parse(PollRunQuery, request)
        paginator = self.pagination_class()
        runs = selectors.poll_runs(club=club, outcome=q.get("outcome"))
        page = paginator.paginate_queryset(runs, request, view=self)
        return paginator.get_paginated_response(PollRunOutput(page, many=True).data)


class PollRunDetailApi(AnalyticsApi):
    @extend_schema(
        summary="One poll run of the club: read a queued fetch until `finished_at` is set",
        responses={200: PollRunOutput, 404: OpenApiResponse(description="No such run")},
        examples=[OpenApiExample("A poll", value=POLL_RUN_EXAMPLE, response_only=True)],
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
            400: OpenApiResponse(description="Field messages, e.g. {'days': ['Choose ...']}"),
            503: OpenApiResponse(PollRunRequestedOutput, description="Broker unavailable"),
        },
        examples=[
            OpenApiExample(
                "Queued", value=QUEUED_RUN_EXAMPLE, response_only=True, status_codes=["202"]
            ),
            OpenApiExample(
                "Broker down", value=BROKER_DOWN_EXAMPLE, response_only=True, status_codes=["503"]
            ),
        ],
    )
    def post(self, request: Request, club_id: int) -> Response:
        club = club_for_api(club_id)
        q = _parse(FetchQuery, request)
        try:
            run: PollRun = poll_request(club=club, days_ahead=q.get("days"))
        except DjangoValidationError as exc:
            # The service names its argument; callers of this endpoint know it as `days`.
            raise serializers.ValidationError({"days": exc.messages}) from exc
        body = PollRunRequestedOutput(run, context={"request": request}).data
        if run.outcome == PollRun.Outcome.FAILED:
            return Response(body, status=status.HTTP_503_SERVICE_UNAVAILABLE)
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["url"]})
