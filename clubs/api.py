"""Clubs API: search Playtomic, import, list, read, rename, delete, and the monitoring config.

Thin views: parse with an input serializer, call a service or selector, render with an output
serializer. A service's ValidationError becomes a 400 with field messages (project handler).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from clubs import services
from clubs.models import Club, MonitoringConfig
from clubs.serializers import (
    ClubImportInput,
    ClubListQuery,
    ClubOutput,
    ClubSearchQuery,
    ClubUpdateInput,
    MonitoringInput,
    MonitoringOutput,
    TenantOutput,
)


class StaffWritesOrReadOnly(BasePermission):
    """Every signed-in member reads; only staff change anything."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        return request.method in SAFE_METHODS or bool(user.is_staff)


def club_for_api(club_id: int) -> Club:
    return get_object_or_404(
        Club.objects.select_related("monitoring").prefetch_related("courts"), pk=club_id
    )


CLUB_EXAMPLE = {
    "id": 1,
    "playtomic_id": "a0b1c2d3-0000-4000-8000-000000000001",
    "slug": "club-padel-norte",
    "name": "Club Padel Norte",
    "city": "Madrid",
    "timezone": "Europe/Madrid",
    "opening_hours": {"MONDAY": {"opening_time": "08:00", "closing_time": "23:00"}},
    "sport_ids": ["PADEL"],
    "courts": [{"id": 1, "name": "Pista 1", "sport_id": "PADEL", "is_active": True}],
    "monitoring": {"enabled": True, "frequency_minutes": 15, "days_ahead": 7},
}


class ClubListCreateApi(APIView):
    permission_classes = [StaffWritesOrReadOnly]
    # Read by drf-spectacular, so the schema shows the paginated envelope.
    pagination_class = PageNumberPagination

    @extend_schema(
        summary="List imported clubs",
        parameters=[ClubListQuery],
        responses=ClubOutput(many=True),
        examples=[OpenApiExample("A club", value=CLUB_EXAMPLE, response_only=True)],
    )
    def get(self, request: Request) -> Response:
        query = ClubListQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        clubs: QuerySet[Club] = Club.objects.select_related("monitoring").prefetch_related("courts")
        if text := query.validated_data.get("q"):
            clubs = clubs.filter(Q(name__icontains=text) | Q(city__icontains=text))
        monitored = query.validated_data.get("monitored")
        if monitored is True:
            clubs = clubs.filter(monitoring__enabled=True)
        elif monitored is False:
            clubs = clubs.exclude(monitoring__enabled=True)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(clubs.order_by("name", "id"), request, view=self)
        return paginator.get_paginated_response(ClubOutput(page, many=True).data)

    @extend_schema(
        summary="Import a club from Playtomic (by tenant id or slug); re-import updates it",
        request=ClubImportInput,
        responses={201: ClubOutput, 400: OpenApiResponse(description="Field messages")},
        examples=[
            OpenApiExample(
                "By tenant id",
                value={"tenant_id": "a0b1c2d3-0000-4000-8000-000000000001"},
                request_only=True,
            ),
            OpenApiExample("By slug", value={"slug": "club-padel-norte"}, request_only=True),
            OpenApiExample("Imported", value=CLUB_EXAMPLE, response_only=True),
        ],
    )
    def post(self, request: Request) -> Response:
        body = ClubImportInput(data=request.data)
        body.is_valid(raise_exception=True)
        club = services.club_import(
            tenant_id=body.validated_data.get("tenant_id"), slug=body.validated_data.get("slug")
        )
        return Response(ClubOutput(club_for_api(club.pk)).data, status=status.HTTP_201_CREATED)


class ClubSearchApi(APIView):
    permission_classes = [StaffWritesOrReadOnly]

    @extend_schema(
        summary="Search Playtomic clubs by name and/or near a place",
        parameters=[ClubSearchQuery],
        responses={200: TenantOutput(many=True), 400: OpenApiResponse(description="Messages")},
        examples=[
            OpenApiExample(
                "Found",
                value=[
                    {
                        "tenant_id": "a0b1c2d3-0000-4000-8000-000000000001",
                        "slug": "club-padel-norte",
                        "name": "Club Padel Norte",
                        "city": "Madrid",
                        "country": "Spain",
                        "timezone": "Europe/Madrid",
                        "sport_ids": ["PADEL"],
                        "courts": 8,
                        "imported_club_id": None,
                    }
                ],
                response_only=True,
            )
        ],
    )
    def get(self, request: Request) -> Response:
        query = ClubSearchQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        coordinate = (data["lat"], data["lon"]) if "lat" in data else None
        tenants = services.club_search(
            query=data.get("query"),
            coordinate=coordinate,
            radius_m=data.get("radius_m"),
            sport_id=data.get("sport_id"),
        )
        imported = dict(
            Club.objects.filter(playtomic_id__in=[t.tenant_id for t in tenants]).values_list(
                "playtomic_id", "id"
            )
        )
        return Response(TenantOutput(tenants, many=True, context={"imported": imported}).data)


class ClubDetailApi(APIView):
    permission_classes = [StaffWritesOrReadOnly]

    @extend_schema(
        summary="One club with its courts and monitoring",
        responses=ClubOutput,
        examples=[OpenApiExample("A club", value=CLUB_EXAMPLE, response_only=True)],
    )
    def get(self, request: Request, club_id: int) -> Response:
        return Response(ClubOutput(club_for_api(club_id)).data)

    @extend_schema(
        summary="Rename a club (the rest comes from Playtomic)",
        request=ClubUpdateInput,
        responses=ClubOutput,
        examples=[
            OpenApiExample("Rename", value={"name": "Norte"}, request_only=True),
            OpenApiExample("Renamed", value={**CLUB_EXAMPLE, "name": "Norte"}, response_only=True),
        ],
    )
    def patch(self, request: Request, club_id: int) -> Response:
        club = club_for_api(club_id)
        body = ClubUpdateInput(data=request.data)
        body.is_valid(raise_exception=True)
        services.club_update(club=club, name=body.validated_data["name"])
        return Response(ClubOutput(club_for_api(club_id)).data)

    @extend_schema(summary="Delete a club with its history", responses={204: None})
    def delete(self, request: Request, club_id: int) -> Response:
        services.club_delete(club=club_for_api(club_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


MONITORING_EXAMPLE = {
    "enabled": True,
    "frequency_minutes": 15,
    "start_time_local": "08:00",
    "end_time_local": "23:00",
    "days_ahead": 7,
    "sports": ["PADEL"],
}

MONITORING_OUTPUT_EXAMPLE = {
    **MONITORING_EXAMPLE,
    "account": 2,
    "last_run_at": "2026-03-28T11:45:00Z",
    "created_at": "2026-03-01T10:00:00Z",
    "updated_at": "2026-03-20T18:30:00Z",
}
MONITORING_RESPONSE = OpenApiExample(
    "Monitored", value=MONITORING_OUTPUT_EXAMPLE, response_only=True
)


class MonitoringApi(APIView):
    """The club's monitoring config: POST and PUT set it whole, PATCH changes some fields."""

    permission_classes = [StaffWritesOrReadOnly]

    def _config(self, club: Club) -> MonitoringConfig | None:
        return MonitoringConfig.objects.filter(club=club).first()

    def _save(self, request: Request, club: Club, *, partial: bool) -> MonitoringConfig:
        current = self._config(club)
        body = MonitoringInput(data=request.data, partial=partial)
        body.is_valid(raise_exception=True)
        values: dict[str, Any] = {}
        if partial and current is not None:
            values = {
                "enabled": current.enabled,
                "frequency_minutes": current.frequency_minutes,
                "start_time_local": current.start_time_local,
                "end_time_local": current.end_time_local,
                "days_ahead": current.days_ahead,
                "sports": current.sports,
                "account": current.account,
            }
        values.update(body.validated_data)
        return services.monitoring_configure(club=club, user=request.user, **values)

    @extend_schema(
        summary="Read the monitoring config",
        responses={200: MonitoringOutput, 404: OpenApiResponse(description="Not monitored")},
        examples=[MONITORING_RESPONSE],
    )
    def get(self, request: Request, club_id: int) -> Response:
        config = self._config(club_for_api(club_id))
        if config is None:
            return Response({"detail": "This club is not monitored."}, status=404)
        return Response(MonitoringOutput(config).data)

    @extend_schema(
        summary="Create (or replace) the monitoring config",
        request=MonitoringInput,
        responses={201: MonitoringOutput, 400: OpenApiResponse(description="Field messages")},
        examples=[
            OpenApiExample("Every 15 min", value=MONITORING_EXAMPLE, request_only=True),
            MONITORING_RESPONSE,
        ],
    )
    def post(self, request: Request, club_id: int) -> Response:
        club = club_for_api(club_id)
        existed = self._config(club) is not None
        config = self._save(request, club, partial=False)
        code = status.HTTP_200_OK if existed else status.HTTP_201_CREATED
        return Response(MonitoringOutput(config).data, status=code)

    @extend_schema(
        summary="Replace the monitoring config",
        request=MonitoringInput,
        responses=MonitoringOutput,
        examples=[
            OpenApiExample("Every 15 min", value=MONITORING_EXAMPLE, request_only=True),
            MONITORING_RESPONSE,
        ],
    )
    def put(self, request: Request, club_id: int) -> Response:
        config = self._save(request, club_for_api(club_id), partial=False)
        return Response(MonitoringOutput(config).data)

    @extend_schema(
        summary="Change some fields of the monitoring config",
        request=MonitoringInput,
        responses=MonitoringOutput,
        examples=[
            OpenApiExample("Pause", value={"enabled": False}, request_only=True),
            OpenApiExample(
                "Paused", value={**MONITORING_OUTPUT_EXAMPLE, "enabled": False}, response_only=True
            ),
        ],
    )
    def patch(self, request: Request, club_id: int) -> Response:
        config = self._save(request, club_for_api(club_id), partial=True)
        return Response(MonitoringOutput(config).data)

    @extend_schema(summary="Stop monitoring (history stays)", responses={204: None})
    def delete(self, request: Request, club_id: int) -> Response:
        services.monitoring_delete(club=club_for_api(club_id))
        return Response(status=status.HTTP_204_NO_CONTENT)
