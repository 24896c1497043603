"""Reads of a member's channels and their delivery logs."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import QuerySet

from notifications.models import Channel, Delivery

# Rows shown in a channel's delivery log.
LOG_ROWS = 100


def channels_of(user: User) -> QuerySet[Channel]:
    return Channel.objects.filter(user=user).order_by("created_at", "pk")


def deliveries_of(user: User) -> QuerySet[Delivery]:
    """The member's delivery log, newest first, with what each carried."""
    return (
        Delivery.objects.filter(channel__user=user)
        .select_related("notification", "channel")
        .order_by("-created_at", "-pk")
    )


def channel_log(channel: Channel) -> list[Delivery]:
    return list(
        Delivery.objects.filter(channel=channel)
        .select_related("notification")
        .order_by("-created_at", "-pk")[:LOG_ROWS]
    )
