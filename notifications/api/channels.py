"""DRF API of a member's channels and their delivery log, each of the caller's own only
(playtomic_monitor.api_views.OwnedListApi, OwnedDetailApi). Secrets are write-only: accepted
on create and update, never in a response (`has_secret` says whether one is stored)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from notifications.api.examples import (
    CHANNEL_ADDED,
    CHANNEL_EXAMPLE,
    CHANNELS_LISTED,
    DELIVERY_EXAMPLE,
)
from notifications.models import Channel, Delivery, Notification
from notifications.selectors.channels import channels_of, deliveries_of
from notifications.services.channels import (
    channel_create,
    channel_delete,
    channel_disable,
    channel_enable,
    channel_send_test,
    channel_update,
)
from playtomic_monitor.api import LocalTimeField
from playtomic_monitor.api_views import OwnedDetailApi, OwnedListApi, validated
from playtomic_monitor.authentication import signed_in_user
from playtomic_monitor.openapi import (
    FIELD_MESSAGES,
    list_create_schema,
    not_found,
    response_example,
)

NOT_YOURS = not_found("No such channel of yours")


class ChannelOutput(serializers.ModelSerializer[Channel]):
    has_secret = serializers.SerializerMethodField(help_text="Whether a secret is stored")
    quiet_start = LocalTimeField(allow_null=True, help_text="Local time in `timezone`")
    quiet_end = LocalTimeField(allow_null=True, help_text="Local time in `timezone`")

    class Meta:
        model = Channel
        fields = [
            "id",
            "kind",
            "name",
            "address",
            "has_secret",
            "enabled",
            "disabled_reason",
            "disabled_at",
            "kinds",
            "rate_limit_per_minute",
            "quiet_start",
            "quiet_end",
            "timezone",
            "created_at",
        ]

    def get_has_secret(self, channel: Channel) -> bool:
        return bool(channel.secret)


class ChannelInput(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=Channel.Kind.choices)
    name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    address = serializers.CharField(
        max_length=500,
        required=False,
        allow_blank=True,
        default="",
        help_text="Email address, webhook URL or Telegram chat id",
    )
    secret = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        write_only=True,
        help_text="Bot token, webhook signing secret, push subscription JSON or apprise URL; "
        "never returned. On update, empty keeps the stored one.",
    )
    enabled = serializers.BooleanField(required=False, default=True)
    kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=Notification.Kind.choices),
        required=False,
        default=list,
        help_text="Messages this channel carries; none: every kind",
    )
    rate_limit_per_minute = serializers.IntegerField(
        min_value=0, max_value=1000, required=False, default=20
    )
    quiet_start = LocalTimeField(required=False, allow_null=True, default=None)
    quiet_end = LocalTimeField(required=False, allow_null=True, default=None)
    timezone = serializers.CharField(max_length=64, required=False, default="Europe/Madrid")


class ChannelUpdateInput(ChannelInput):
    kind = None  # type: ignore[assignment]  # a channel's kind never changes


class DeliveryOutput(serializers.ModelSerializer[Delivery]):
    subject = serializers.SerializerMethodField(help_text="What was sent (a summary: empty)")
    kind = serializers.SerializerMethodField(help_text="The notification's kind, or summary")

    class Meta:
        model = Delivery
        fields = [
            "id",
            "channel",
            "kind",
            "subject",
            "state",
            "attempts",
            "created_at",
            "sent_at",
            "duration_ms",
            "error",
        ]

    def get_subject(self, delivery: Delivery) -> str:
        return delivery.notification.subject if delivery.notification else ""

    def get_kind(self, delivery: Delivery) -> str:
        return delivery.notification.kind if delivery.notification else "summary"


def _service_arguments(
    serializer_class: type[ChannelInput], request: Request
) -> tuple[dict[str, Any], bool]:
    """The valid input as the channel services' arguments, and the on/off switch apart."""
    fields = validated(serializer_class, request.data)
    fields["timezone_name"] = fields.pop("timezone")
    return fields, fields.pop("enabled")


def _set_enabled(channel: Channel, enabled: bool) -> None:
    if enabled and not channel.enabled:
        channel_enable(channel=channel)
    elif not enabled and channel.enabled:
        channel_disable(channel=channel, reason="Turned off through the API.")


@list_create_schema(
    ("Your notification channels (secrets are never returned)", CHANNELS_LISTED),
    ("Add a channel; its secret is write-only", CHANNEL_ADDED),
    request=ChannelInput,
    response=ChannelOutput,
)
class ChannelListApi(OwnedListApi[Channel]):
    serializer_class = ChannelOutput
    owned = staticmethod(channels_of)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        fields, enabled = _service_arguments(ChannelInput, request)
        channel = channel_create(user=signed_in_user(request), **fields)
        _set_enabled(channel, enabled)
        return Response(ChannelOutput(channel).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    get=extend_schema(
        responses={200: ChannelOutput, 404: NOT_YOURS},
        examples=[response_example("A channel", CHANNEL_EXAMPLE)],
    ),
    delete=extend_schema(responses={204: None, 404: NOT_YOURS}),
    put=extend_schema(
        summary="Change a channel; an empty or missing secret keeps the stored one",
        request=ChannelUpdateInput,
        responses={200: ChannelOutput, 400: FIELD_MESSAGES, 404: NOT_YOURS},
        examples=[response_example("Changed", CHANNEL_EXAMPLE)],
    ),
)
class ChannelDetailApi(OwnedDetailApi[Channel]):
    serializer_class = ChannelOutput
    owned = staticmethod(channels_of)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        channel = self.get_object()
        fields, enabled = _service_arguments(ChannelUpdateInput, request)
        channel_update(channel=channel, **fields)
        _set_enabled(channel, enabled)
        channel.refresh_from_db()
        return Response(ChannelOutput(channel).data)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        channel_delete(channel=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class ChannelTestApi(APIView):
    @extend_schema(
        summary="Send a test message through the real delivery path",
        request=None,
        responses={
            202: None,
            404: NOT_YOURS,
            409: not_found("The channel is off"),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        """Send a test message on the channel through the real delivery path."""
        channel = get_object_or_404(channels_of(signed_in_user(request)), pk=pk)
        if not channel.enabled:
            return Response({"detail": "The channel is off."}, status=status.HTTP_409_CONFLICT)
        channel_send_test(channel=channel)
        return Response(status=status.HTTP_202_ACCEPTED)


@extend_schema_view(
    get=extend_schema(
        summary="Your delivery log, newest first",
        parameters=[OpenApiParameter("channel", int, description="Only this channel's deliveries")],
        examples=[
            response_example(
                "A page of the log",
                {"count": 1, "next": None, "previous": None, "results": [DELIVERY_EXAMPLE]},
            )
        ],
    )
)
class DeliveryListApi(generics.ListAPIView[Delivery]):
    """The caller's delivery log, newest first: state, attempts, duration and error."""

    serializer_class = DeliveryOutput

    def get_queryset(self) -> QuerySet[Delivery]:
        deliveries = deliveries_of(signed_in_user(self.request))
        channel = self.request.query_params.get("channel", "")
        if channel.isdigit():
            deliveries = deliveries.filter(channel_id=int(channel))
        return deliveries
