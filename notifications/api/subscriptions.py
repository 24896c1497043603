"""DRF API of a member's free-court subscriptions: list, create, read, replace, delete, each
of the caller's own only (playtomic_monitor.api_views.OwnedListApi, OwnedDetailApi)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from clubs.models import Club, Court
from notifications.api.examples import (
    SUBSCRIPTION_ADDED,
    SUBSCRIPTION_EXAMPLE,
    SUBSCRIPTION_REQUEST,
    SUBSCRIPTIONS_LISTED,
)
from notifications.models import Subscription
from notifications.selectors.subscriptions import subscriptions_of
from notifications.services.subscriptions import (
    SUBSCRIPTION_FIELDS,
    subscription_delete,
    subscription_save,
)
from playtomic_monitor.api import LocalTimeField
from playtomic_monitor.api_views import OwnedDetailApi, OwnedListApi, validated
from playtomic_monitor.authentication import signed_in_user
from playtomic_monitor.openapi import (
    FIELD_MESSAGES,
    list_create_schema,
    not_found,
    request_example,
    response_example,
)

NOT_YOURS = not_found("No such subscription of yours")


class SubscriptionSerializer(serializers.ModelSerializer[Subscription]):
    clubs = serializers.PrimaryKeyRelatedField(
        queryset=Club.objects.all(),
        many=True,
        required=False,
        help_text="Club ids; none: every club the member's groups book at",
    )
    courts = serializers.PrimaryKeyRelatedField(
        queryset=Court.objects.all(), many=True, required=False, help_text="Court ids; none: any"
    )
    weekdays = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=7),
        required=False,
        help_text="1 = Monday ... 7 = Sunday; none: every day",
    )
    time_from = LocalTimeField(required=False, allow_null=True, help_text="Club-local start")
    time_to = LocalTimeField(
        required=False,
        allow_null=True,
        help_text="Club-local start; before time_from: spans midnight",
    )

    class Meta:
        model = Subscription
        fields = ["id", *SUBSCRIPTION_FIELDS, "created_at"]
        read_only_fields = ["id", "created_at"]


@list_create_schema(
    ("Your free-court subscriptions", SUBSCRIPTIONS_LISTED),
    ("Subscribe to freed or newly released courts", SUBSCRIPTION_ADDED),
    response=SubscriptionSerializer,
)
class SubscriptionListApi(OwnedListApi[Subscription]):
    serializer_class = SubscriptionSerializer
    owned = staticmethod(subscriptions_of)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        fields = validated(SubscriptionSerializer, request.data)
        saved = subscription_save(user=signed_in_user(request), **fields)
        return Response(SubscriptionSerializer(saved).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    get=extend_schema(
        responses={200: SubscriptionSerializer, 404: NOT_YOURS},
        examples=[response_example("A subscription", SUBSCRIPTION_EXAMPLE)],
    ),
    put=extend_schema(
        responses={200: SubscriptionSerializer, 400: FIELD_MESSAGES, 404: NOT_YOURS},
        examples=[
            request_example("Weekday evenings", SUBSCRIPTION_REQUEST),
            response_example("Changed", SUBSCRIPTION_EXAMPLE),
        ],
    ),
    delete=extend_schema(responses={204: None, 404: NOT_YOURS}),
)
class SubscriptionDetailApi(OwnedDetailApi[Subscription]):
    serializer_class = SubscriptionSerializer
    owned = staticmethod(subscriptions_of)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        subscription = self.get_object()
        fields = validated(SubscriptionSerializer, request.data)
        saved = subscription_save(user=signed_in_user(request), subscription=subscription, **fields)
        return Response(SubscriptionSerializer(saved).data)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        subscription_delete(user=signed_in_user(request), subscription=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
