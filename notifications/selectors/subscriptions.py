"""Reads of a member's free-court subscriptions."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import QuerySet

from notifications.models import Subscription


def subscriptions_of(user: User) -> QuerySet[Subscription]:
    """The member's own subscriptions (another member's do not exist for them)."""
    return Subscription.objects.filter(user=user).prefetch_related("clubs", "courts")
