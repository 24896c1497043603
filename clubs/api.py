"""Clubs API: search Playtomic, import, list, read, rename, delete, and the monitoring config.

Thin views: parse with an input serializer, call a service or selector, render with an output
serializer. A service's ValidationError becomes a 400 with field messages (project handler).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from clubs import services
from clubs.api_examples import (
    CLUB_EXAMPLE,
    IMPORT_BY_SLUG_EXAMPLE,
    IMPORT_BY_TENANT_ID_EXAMPLE,
    MONITORING_EXAMPLE,
    MONITORING_OUTPUT_EXAMPLE,
    TENANT_EXAMPLE,
)
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
from playtomic_monitor.api import AnonThrottle, SearchThrottle, UserThrottle
from playtomic_monitor.api_views import PagedApiView, validated
from playtomic_monitor.openapi import (
    FIELD_MESSAGES,
    PLAYTOMIC_UNAVAILABLE,
    Decorated,
    not_found,
    request_example,
    response_example,
)
from playtomic_monitor.permissions import StaffWritesOrReadOnly


def club_for_api(club_id: int) -> Club:
    return get_object_or_404(
        Club.objects.select_related("monitoring").prefetch_related("courts"), pk=club_id
    )


class ClubListCreateApi(PagedApiView):
    permission_classes = [StaffWritesOrReadOnly]

    @extend_schema(
        summary="List imported clubs",
        parameters=[ClubListQuery],
        responses=ClubOutput(many=True),
        examples=[response_example("A club", CLUB_EXAMPLE)],
    )
    def get(self, request: Request) -> Response:
        query = validated(ClubListQuery, request.query_params)
        clubs: QuerySet[Club] = Club.objects.select_related("monitoring").prefetch_related("courts")
        if text := query.get("q"):
            clubs = clubs.filter(Q(name__icontains=text) | Q(city__icontains=text))
        monitored = query.get("monitored")
        if monitored is True:
            clubs = clubs.filter(monitoring__enabled=True)
        elif monitored is False:
            clubs = clubs.exclude(monitoring__enabled=True)
        return self.page_response(request, clubs.order_by("name", "id"), ClubOutput)

    @extend_schema(
        summary="Import a club from Playtomic (by tenant id or slug); re-import updates it",
        request=ClubImportInput,
        responses={201: ClubOutput, 400: FIELD_MESSAGES, **PLAYTOMIC_UNAVAILABLE},
        examples=[
            request_example("By tenant id", IMPORT_BY_TENANT_ID_EXAMPLE),
            request_example("By slug", IMPORT_BY_SLUG_EXAMPLE),
            response_example("Imported", CLUB_EXAMPLE, 201),
        ],
    )
    def post(self, request: Request) -> Response:
        body = validated(ClubImportInput, request.data)
        club = services.club_import(tenant_id=body.get("tenant_id"), slug=body.get("slug"))
        return Response(ClubOutput(club_for_api(club.pk)).data, status=status.HTTP_201_CREATED)


class ClubSearchApi(APIView):
    permission_classes = [StaffWritesOrReadOnly]
    # Each search may spend a Playtomic request: a scoped rate per user on top of the
    # defaults (which a view's own list replaces, so they are named again).
    throttle_classes = [AnonThrottle, UserThrottle, SearchThrottle]

    @extend_schema(
        summary="Search Playtomic clubs by name and/or near a place",
        parameters=[ClubSearchQuery],
        responses={200: TenantOutput(many=True), 400: FIELD_MESSAGES, **PLAYTOMIC_UNAVAILABLE},
        examples=[response_example("Found", [TENANT_EXAMPLE])],
    )
    def get(self, request: Request) -> Response:
        data = validated(ClubSearchQuery, request.query_params)
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
        examples=[response_example("A club", CLUB_EXAMPLE)],
    )
    def get(self, request: Request, club_id: int) -> Response:
        return Response(ClubOutput(club_for_api(club_id)).data)

    @extend_schema(
        summary="Rename a club (the rest comes from Playtomic)",
        request=ClubUpdateInput,
        responses=ClubOutput,
        examples=[
            request_example("Rename", {"name": "Norte"}),
            response_example("Renamed", {**CLUB_EXAMPLE, "name": "Norte"}),
        ],
    )
    def patch(self, request: Request, club_id: int) -> Response:
        club = club_for_api(club_id)
        services.club_update(club=club, name=validated(ClubUpdateInput, request.data)["name"])
        return Response(ClubOutput(club_for_api(club_id)).data)

    @extend_schema(summary="Delete a club with its history", responses={204: None})
    def delete(self, request: Request, club_id: int) -> Response:
        services.club_delete(club=club_for_api(club_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


def _monitoring_write(
    summary: str, sent: OpenApiExample, answer: OpenApiExample, *, status_code: int = 200
) -> Callable[[Decorated], Decorated]:
    """The schema of a call that writes the monitoring config: `sent` in, `answer` out."""
    return extend_schema(
        summary=summary,
        request=MonitoringInput,
        responses={status_code: MonitoringOutput, 400: FIELD_MESSAGES},
        examples=[sent, answer],
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
        base = services.MonitoringSettings()
        if partial and current is not None:
            base = services.MonitoringSettings.of(current)
        monitoring = dataclasses.replace(base, **body.validated_data)
        return services.monitoring_configure(club=club, monitoring=monitoring, user=request.user)

    @extend_schema(
        summary="Read the monitoring config",
        responses={200: MonitoringOutput, 404: not_found("Not monitored")},
        examples=[response_example("Monitored", MONITORING_OUTPUT_EXAMPLE)],
    )
    def get(self, request: Request, club_id: int) -> Response:
        config = self._config(club_for_api(club_id))
        if config is None:
            raise NotFound(_("This club is not monitored."))
        return Response(MonitoringOutput(config).data)

    @_monitoring_write(
        "Create (or replace) the monitoring config",
        request_example("Every 15 min", MONITORING_EXAMPLE),
        response_example("Monitored", MONITORING_OUTPUT_EXAMPLE, 201),
        status_code=201,
    )
    def post(self, request: Request, club_id: int) -> Response:
        club = club_for_api(club_id)
        existed = self._config(club) is not None
        config = self._save(request, club, partial=False)
        code = status.HTTP_200_OK if existed else status.HTTP_201_CREATED
        return Response(MonitoringOutput(config).data, status=code)

    @_monitoring_write(
        "Replace the monitoring config",
        request_example("Every 15 min", MONITORING_EXAMPLE),
        response_example("Monitored", MONITORING_OUTPUT_EXAMPLE),
    )
    def put(self, request: Request, club_id: int) -> Response:
        config = self._save(request, club_for_api(club_id), partial=False)
        return Response(MonitoringOutput(config).data)

    @_monitoring_write(
        "Change some fields of the monitoring config",
        request_example("Pause", {"enabled": False}),
        response_example("Paused", {**MONITORING_OUTPUT_EXAMPLE, "enabled": False}),
    )
    def patch(self, request: Request, club_id: int) -> Response:
        config = self._save(request, club_for_api(club_id), partial=True)
        return Response(MonitoringOutput(config).data)

    @extend_schema(summary="Stop monitoring (history stays)", responses={204: None})
    def delete(self, request: Request, club_id: int) -> Response:
        services.monitoring_delete(club=club_for_api(club_id))
        return Response(status=status.HTTP_204_NO_CONTENT)
