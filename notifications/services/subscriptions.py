"""Writing a member's subscriptions (free-court alerts) and their notification language."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import time
from decimal import Decimal

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from clubs.models import Club, Court
from notifications.models import NotificationPreference, Subscription

# What a member sets on a subscription: the form, the API and `subscription_save` take these.
SUBSCRIPTION_FIELDS = (
    "name",
    "enabled",
    "freed",
    "released",
    "clubs",
    "weekdays",
    "time_from",
    "time_to",
    "min_duration_minutes",
    "courts",
    "surface",
    "max_hourly_price",
    "starts_within_minutes",
)


def _validate(
    *,
    freed: bool,
    released: bool,
    weekdays: list[int],
    clubs: list[Club],
    courts: list[Court],
    min_duration_minutes: int | None,
    max_hourly_price: Decimal | None,
) -> None:
    errors: dict[str, str] = {}
    if not freed and not released:
        errors["freed"] = _("Choose freed slots, newly released slots or both.")
    if any(day not in range(1, 8) for day in weekdays):
        errors["weekdays"] = _("Weekdays are numbers from 1 (Monday) to 7 (Sunday).")
    if clubs and any(court.club_id not in {club.pk for club in clubs} for court in courts):
        errors["courts"] = _("Choose courts of the clubs you chose.")
    if min_duration_minutes is not None and not 30 <= min_duration_minutes <= 300:
        errors["min_duration_minutes"] = _("Enter a length between 30 and 300 minutes.")
    if max_hourly_price is not None and max_hourly_price < 0:
        errors["max_hourly_price"] = _("Enter a price of zero or more.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def subscription_save(
    *,
    user: User,
    subscription: Subscription | None = None,
    name: str = "",
    enabled: bool = True,
    freed: bool = True,
    released: bool = False,
    clubs: Iterable[Club] = (),
    weekdays: Iterable[int] = (),
    time_from: time | None = None,
    time_to: time | None = None,
    min_duration_minutes: int | None = None,
    courts: Iterable[Court] = (),
    surface: str = "",
    max_hourly_price: Decimal | None = None,
    starts_within_minutes: int | None = None,
) -> Subscription:
    """Create `user`'s subscription, or replace every field of `subscription` (theirs)."""
    club_list, court_list = list(clubs), list(courts)
    days = sorted({int(day) for day in weekdays})
    _validate(
        freed=freed,
        released=released,
        weekdays=days,
        clubs=club_list,
        courts=court_list,
        min_duration_minutes=min_duration_minutes,
        max_hourly_price=max_hourly_price,
    )
    if subscription is None:
        subscription = Subscription(user=user)
    elif subscription.user_id != user.pk:
        raise PermissionError("not the member's subscription")
    subscription.name = name
    subscription.enabled = enabled
    subscription.freed = freed
    subscription.released = released
    subscription.weekdays = days
    subscription.time_from = time_from
    subscription.time_to = time_to
    subscription.min_duration_minutes = min_duration_minutes
    subscription.surface = surface
    subscription.max_hourly_price = max_hourly_price
    subscription.starts_within_minutes = starts_within_minutes
    subscription.full_clean(exclude=["user"])
    subscription.save()
    subscription.clubs.set(club_list)
    subscription.courts.set(court_list)
    return subscription


def subscription_delete(*, user: User, subscription: Subscription) -> None:
    Subscription.objects.filter(pk=subscription.pk, user=user).delete()


def preference_save(*, user: User, language: str, digest: str = "") -> NotificationPreference:
    preference, _created = NotificationPreference.objects.update_or_create(
        user=user, defaults={"language": language, "digest": digest}
    )
    return preference
