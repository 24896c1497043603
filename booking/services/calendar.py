"""A member's secret calendar link: made, or replaced by a new one (the old link stops
working at once). Only the digest of the secret is stored (`booking.games.feed_digest`)."""

from __future__ import annotations

import secrets

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from booking.games import feed_digest
from booking.models import CalendarFeed

FEED_PREFIX_LENGTH = 8


def calendar_feed_rotate(*, user: User) -> str:
    """A new secret for `user`'s calendar link, replacing the old one; returned once (the
    only time it exists outside the link)."""
    secret = secrets.token_urlsafe(24)
    with transaction.atomic():
        CalendarFeed.objects.update_or_create(
            user=user,
            defaults={
                "prefix": secret[:FEED_PREFIX_LENGTH],
                "digest": feed_digest(secret),
                "created_at": timezone.now(),
            },
        )
    return secret


def calendar_feed_delete(*, user: User) -> None:
    """No calendar link for `user` any more."""
    CalendarFeed.objects.filter(user=user).delete()
