"""A member's secret calendar link: made, or replaced by a new one (the old link stops
working at once). Only the digest of the secret is stored (`playtomic_monitor.bearer_secrets`)."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from booking.models import CalendarFeed
from playtomic_monitor.bearer_secrets import secret_new

FEED_PREFIX_LENGTH = 8


def calendar_feed_rotate(*, user: User) -> str:
    """A new secret for `user`'s calendar link, replacing the old one; returned once (the
    only time it exists outside the link)."""
    new = secret_new(prefix_length=FEED_PREFIX_LENGTH)
    with transaction.atomic():
        CalendarFeed.objects.update_or_create(
            user=user,
            defaults={**new.stored, "created_at": timezone.now()},
        )
    return new.secret


def calendar_feed_delete(*, user: User) -> None:
    """No calendar link for `user` any more."""
    CalendarFeed.objects.filter(user=user).delete()
