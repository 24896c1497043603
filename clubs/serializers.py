"""Explicit input and output shapes of the clubs API. No logic: services validate and write."""

from __future__ import annotations

from datetime import time
from typing import Any

from django.utils.translation import gettext as _
from rest_framework import serializers

from accounts.models import PlaytomicAccount
from clubs.models import Club, Court
from playtomic_monitor.api import LocalTimeField, ModelOutput


class CourtOutput(ModelOutput[Court]):
    class Meta:
        model = Court
        fields = [
            "id",
            "playtomic_id",
            "name",
            "sport_id",
            "indoor",
            "size",
            "feature",
            "is_active",
        ]


class MonitoringOutput(serializers.Serializer[Any]):
    enabled = serializers.BooleanField()
    frequency_minutes = serializers.IntegerField()
    start_time_local = LocalTimeField(format="%H:%M")
    end_time_local = LocalTimeField(format="%H:%M")
    days_ahead = serializers.IntegerField()
    sports = serializers.ListField(child=serializers.CharField())
    account = serializers.IntegerField(source="account_id", allow_null=True)
    last_run_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class ClubOutput(ModelOutput[Club]):
    sport_ids = serializers.ListField(child=serializers.CharField())
    courts = serializers.SerializerMethodField()
    monitoring = serializers.SerializerMethodField()

    class Meta:
        model = Club
        fields = [
            "id",
            "playtomic_id",
            "slug",
            "name",
            "street",
            "postal_code",
            "city",
            "country",
            "country_code",
            "latitude",
            "longitude",
            "timezone",
            "opening_hours",
            "booking_ahead_limit_minutes",
            "cancellation_policy_hours",
            "sport_ids",
            "currency",
            "imported_at",
            "metadata_refreshed_at",
            "courts",
            "monitoring",
        ]

    def get_courts(self, club: Any) -> list[dict[str, Any]]:
        return CourtOutput(club.courts.all(), many=True).data  # type: ignore[return-value]

    def get_monitoring(self, club: Any) -> dict[str, Any] | None:
        config = getattr(club, "monitoring", None)
        return MonitoringOutput(config).data if config is not None else None


class ClubListQuery(serializers.Serializer[Any]):
    q = serializers.CharField(required=False, help_text="Part of the name or city.")
    monitored = serializers.BooleanField(required=False, allow_null=True, default=None)


class ClubImportInput(serializers.Serializer[Any]):
    tenant_id = serializers.CharField(required=False, allow_blank=True, max_length=64)
    slug = serializers.CharField(required=False, allow_blank=True, max_length=200)


class ClubUpdateInput(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=200)


class ClubSearchQuery(serializers.Serializer[Any]):
    query = serializers.CharField(required=False, allow_blank=True, max_length=100)
    lat = serializers.FloatField(required=False, min_value=-90, max_value=90)
    lon = serializers.FloatField(required=False, min_value=-180, max_value=180)
    radius_m = serializers.IntegerField(required=False, min_value=1)
    sport_id = serializers.CharField(required=False, max_length=20)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("lat" in attrs) != ("lon" in attrs):
            raise serializers.ValidationError({"lat": _("Give both lat and lon, or neither.")})
        return attrs


class TenantOutput(serializers.Serializer[Any]):
    tenant_id = serializers.CharField()
    slug = serializers.CharField(allow_null=True)
    name = serializers.CharField()
    city = serializers.CharField(source="address.city", allow_null=True)
    country = serializers.CharField(source="address.country", allow_null=True)
    timezone = serializers.CharField()
    sport_ids = serializers.ListField(child=serializers.CharField())
    courts = serializers.SerializerMethodField()
    imported_club_id = serializers.SerializerMethodField()

    def get_courts(self, tenant: Any) -> int:
        return len(tenant.courts)

    def get_imported_club_id(self, tenant: Any) -> int | None:
        imported: dict[str, int] = self.context.get("imported", {})
        return imported.get(tenant.tenant_id)


class MonitoringInput(serializers.Serializer[Any]):
    enabled = serializers.BooleanField(default=True)
    frequency_minutes = serializers.IntegerField(default=15, min_value=1)
    start_time_local = LocalTimeField(default=time(8))
    end_time_local = LocalTimeField(default=time(23))
    days_ahead = serializers.IntegerField(default=7, min_value=0)
    sports = serializers.ListField(
        child=serializers.CharField(max_length=20), required=False, allow_empty=False
    )
    account = serializers.PrimaryKeyRelatedField(
        queryset=PlaytomicAccount.objects.all(), required=False, allow_null=True
    )
