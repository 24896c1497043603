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
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.pagination import PageNumberPagination
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
from playtomic_monitor.openapi import FIELD_MESSAGES, not_found, response_example
from playtomic_monitor.permissions import StaffWritesOrReadOnly


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
        examples=[response_example("Midday", CURRENT_EXAMPLE)],
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
        responses={200: DailyOutput, 400: FIELD_MESSAGES},
        examples=[response_example("Two days", DAILY_EXAMPLE)],
    )
    def get(self, request: Request, club_id: int) -> Response:
        club = club_for_api(club_id)
        q = _parse(RangeQuery, request, club=club)
        return Response(DailyOutput(_daily(club, q)).data)


class DailyUtilizationCsvApi(AnalyticsApi):
    @extend_schema(
        summary="Daily utilization as CSV",
        parameters=[RangeQuery],
        responses={(200, "text/csv"): OpenApiTypes.STR, 400: FIELD_MESSAGES},
        examples=[response_example("Two days", DAILY_CSV_EXAMPLE, media_type="text/csv")],
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
        responses={200: HeatmapOutput, 400: FIELD_MESSAGES},
        examples=[response_example("Tuesday 19:00", HEATMAP_EXAMPLE)],
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
        responses={200: CourtUtilizationOutput(many=True), 400: FIELD_MESSAGES},
        examples=[response_example("One court", COURTS_EXAMPLE)],
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
        responses={200: ClubSummaryOutput(many=True), 400: FIELD_MESSAGES},
        examples=[response_example("One club", COMPARE_EXAMPLE)],
    )
    def get(self, request: Request) -> Response:
        q = _parse(CompareQuery, request)
        summary = selectors.club_comparison(clubs=q["clubs"], **_range_kwargs(q))
        return Response(ClubSummaryOutput(summary, many=True).data)


class FillCurveApi(AnalyticsApi):
    @extend_schema(
        summary="Share of cells already taken N hours/days before their start",
        parameters=[FillCurveQuery],
        responses={200: FillPointOutput(many=True), 400: FIELD_MESSAGES},
        examples=[response_example("Two days ahead", FILL_CURVE_EXAMPLE)],
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
        responses={200: LeadTimesOutput, 400: FIELD_MESSAGES},
        examples=[response_example("Saturday 10:00", LEAD_TIMES_EXAMPLE)],
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
        responses={200: PriceHourOutput(many=True), 400: FIELD_MESSAGES},
        examples=[response_example("Evening", PRICES_EXAMPLE)],
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
        responses={200: ChancePointOutput(many=True), 400: FIELD_MESSAGES},
        examples=[response_example("Tuesday 19:00, one day ahead", CHANCE_EXAMPLE)],
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
        responses={200: GridOutput, 400: FIELD_MESSAGES},
        examples=[response_example("Two cells", GRID_EXAMPLE)],
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
        responses={200: SlotChangeOutput(many=True), 400: FIELD_MESSAGES},
        # One item: drf-spectacular wraps it in the page envelope.
        examples=[response_example("Booked", SLOT_CHANGE_EXAMPLE)],
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
        responses={(200, "text/csv"): OpenApiTypes.STR, 400: FIELD_MESSAGES},
        examples=[response_example("Booked", CHANGES_CSV_EXAMPLE, media_type="text/csv")],
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
        examples=[response_example("A poll", POLL_RUN_EXAMPLE)],
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
