"""DRF API of a member's free-court subscriptions: list, create, read, replace, delete. Only
the caller's own subscriptions exist for them (another member's is a 404); bad input is a 400
with field messages (the serializer's, then the service's)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from clubs.models import Club, Court
from notifications.api.examples import SUBSCRIPTION_EXAMPLE, SUBSCRIPTION_REQUEST
from notifications.models import Subscription
from notifications.selectors.subscriptions import subscriptions_of
from notifications.services.subscriptions import (
    SUBSCRIPTION_FIELDS,
    subscription_delete,
    subscription_save,
)
from playtomic_monitor.api import LocalTimeField
from playtomic_monitor.authentication import signed_in_user
from playtomic_monitor.openapi import FIELD_MESSAGES, not_found, request_example, response_example

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


@extend_schema_view(
    get=extend_schema(
        summary="Your free-court subscriptions",
        examples=[response_example("Subscriptions", [SUBSCRIPTION_EXAMPLE])],
    ),
    post=extend_schema(
        summary="Subscribe to freed or newly released courts",
        responses={201: SubscriptionSerializer, 400: FIELD_MESSAGES},
        examples=[
            request_example("Weekday evenings", SUBSCRIPTION_REQUEST),
            response_example("Added", SUBSCRIPTION_EXAMPLE, 201),
        ],
    ),
)
class SubscriptionListApi(generics.ListCreateAPIView[Subscription]):
    serializer_class = SubscriptionSerializer
    pagination_class = None

    def get_queryset(self) -> QuerySet[Subscription]:
        return subscriptions_of(signed_in_user(self.request))

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = SubscriptionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        saved = subscription_save(user=signed_in_user(request), **serializer.validated_data)
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
class SubscriptionDetailApi(generics.RetrieveUpdateDestroyAPIView[Subscription]):
    serializer_class = SubscriptionSerializer
    http_method_names = ["get", "put", "delete", "head", "options"]

    def get_object(self) -> Subscription:
        return get_object_or_404(
            subscriptions_of(signed_in_user(self.request)), pk=self.kwargs["pk"]
        )

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        subscription = self.get_object()
        serializer = SubscriptionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        saved = subscription_save(
            user=signed_in_user(request),
            subscription=subscription,
            **serializer.validated_data,
        )
        return Response(SubscriptionSerializer(saved).data)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        subscription_delete(user=signed_in_user(request), subscription=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
