"""Free-court alerts: the consumer of availability's `slot_freed` and `slots_released` events
(`AVAILABILITY_EVENT_CONSUMERS["notifications.alerts"]`).

A batch is claimed through availability's outbox (a conditional UPDATE) and its notifications
are written in the same transaction that marks the claim done, so two workers handed the same
events (a relay and a sweep) alert once: the loser wins no rows; a worker dying mid-way rolls
its claim back with its notifications. The dedupe key (event, subscription) keeps the outbox
itself from ever holding a second copy. A club's first observation raises no event, and
replayed history (the demo's backfill) is handed to no consumer (availability/outbox.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from availability.models import AvailabilityEvent
from availability.outbox import claim_done, events_claim
from clubs.models import Court
from notifications.audience import watched_clubs_by_user
from notifications.matching import Filters, Fit, FreeRun, first_fit
from notifications.models import Notification, Subscription
from notifications.services.outbox import notification_create
from notifications.wording import in_language_of, price_text
from playtomic.links import booking_link
from playtomic_monitor.localtime import local_datetime

# The name of this consumer in settings.AVAILABILITY_EVENT_CONSUMERS.
CONSUMER = "notifications.alerts"
# The length a link books when the court allows it and the free run is long enough.
PREFERRED_DURATION = 90


def _decimal(value: object) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def event_runs(event: AvailabilityEvent, courts: dict[int, Court]) -> list[FreeRun]:
    """The free runs an event offers: the freed run of one court, or the free released runs
    of each court of the club-day (payload "free_runs")."""
    zone = event.club.zone
    if event.kind == AvailabilityEvent.Kind.SLOT_FREED:
        court = courts.get(event.court_id or 0)
        if court is None:
            return []
        return [
            FreeRun(
                club_id=event.club_id,
                court_id=court.pk,
                court_indoor=court.indoor,
                zone=zone,
                start=event.start,
                end=event.end,
                min_hourly_price=_decimal(event.payload.get("min_hourly_price")),
            )
        ]
    runs = []
    for item in event.payload.get("free_runs", []):
        court = courts.get(int(item["court"]))
        if court is None:
            continue
        runs.append(
            FreeRun(
                club_id=event.club_id,
                court_id=court.pk,
                court_indoor=court.indoor,
                zone=zone,
                start=datetime.fromisoformat(item["start"]),
                end=datetime.fromisoformat(item["end"]),
                min_hourly_price=_decimal(item.get("min_hourly_price")),
            )
        )
    return runs


def subscription_filters(subscription: Subscription, watched: set[int]) -> Filters:
    """The subscription's filters; with no clubs chosen, the clubs the member's groups watch."""
    club_ids = {club.pk for club in subscription.clubs.all()} or watched
    return Filters(
        club_ids=frozenset(club_ids),
        weekdays=frozenset(int(day) for day in subscription.weekdays),
        time_from=subscription.time_from,
        time_to=subscription.time_to,
        min_duration=subscription.min_duration_minutes,
        court_ids=frozenset(court.pk for court in subscription.courts.all()),
        surface=subscription.surface,
        max_price=subscription.max_hourly_price,
        starts_within=subscription.starts_within_minutes,
    )


def link_duration(court: Court, fit: Fit, min_duration: int | None) -> int:
    """The length the booking link asks for: 90 minutes when the court offers it and the run
    is long enough, else the longest length the court offers that fits."""
    offered = sorted(int(d) for d in court.durations or (60, 90, 120))
    fitting = [d for d in offered if (min_duration or 0) <= d <= fit.minutes]
    if PREFERRED_DURATION in fitting:
        return PREFERRED_DURATION
    return max(fitting) if fitting else fit.minutes


def _wants(subscription: Subscription, event: AvailabilityEvent) -> bool:
    if event.kind == AvailabilityEvent.Kind.SLOT_FREED:
        return subscription.freed
    return subscription.released


def _message(
    *,
    user: User,
    event: AvailabilityEvent,
    run: FreeRun,
    fit: Fit,
    court: Court,
    duration: int,
    also: int,
) -> tuple[str, str]:
    with in_language_of(user):
        when = local_datetime(fit.start, run.zone)
        club = event.club.name
        if event.kind == AvailabilityEvent.Kind.SLOT_FREED:
            subject = _("Court freed at %(club)s: %(when)s") % {"club": club, "when": when}
            lead = _("%(court)s at %(club)s was cancelled and is free from %(when)s") % {
                "court": court.name,
                "club": club,
                "when": when,
            }
        else:
            subject = _("New courts released at %(club)s: %(when)s") % {
                "club": club,
                "when": when,
            }
            lead = _("%(court)s at %(club)s was just released and is free from %(when)s") % {
                "court": court.name,
                "club": club,
                "when": when,
            }
        lines = [lead + " " + _("(%(minutes)d min free).") % {"minutes": fit.minutes}]
        currency = event.payload.get("currency") or event.club.currency
        price = price_text(run.min_hourly_price, currency)
        if price:
            lines.append(_("Price: %(price)s per hour.") % {"price": price})
        if also:
            lines.append(
                _("%(count)d more free slots fit your alert at this club.") % {"count": also}
            )
        lines.append(_("Book %(minutes)d min on Playtomic:") % {"minutes": duration})
    return subject, "\n".join(lines)


def alerts_from_events(*, event_ids: Sequence[int], now: datetime | None = None) -> int:
    """Claim this consumer's deliveries of `event_ids`, tell every member whose subscription
    one of the won events fits, and mark the claim done, all in one transaction. Returns the
    notifications written."""
    now = now or timezone.now()
    created = 0
    with transaction.atomic():
        claim = events_claim(consumer=CONSUMER, event_ids=event_ids)
        if claim.events:
            created = _alert(claim.events, now)
        claim_done(claim)
    return created


def _alert(events: list[AvailabilityEvent], now: datetime) -> int:
    subscriptions = list(
        Subscription.objects.filter(enabled=True, user__is_active=True)
        .select_related("user")
        .prefetch_related("clubs", "courts")
    )
    if not subscriptions:
        return 0
    watched = watched_clubs_by_user({s.user_id for s in subscriptions})
    filters = {s.pk: subscription_filters(s, watched.get(s.user_id, set())) for s in subscriptions}
    courts = {
        court.pk: court
        for court in Court.objects.filter(club_id__in={event.club_id for event in events})
    }
    created = 0
    for event in events:
        runs = event_runs(event, courts)
        told: set[int] = set()
        for subscription in subscriptions:
            if subscription.user_id in told or not _wants(subscription, event):
                continue
            fits = [
                (fit, run)
                for run in runs
                if (fit := first_fit(filters[subscription.pk], run, now=now)) is not None
            ]
            if not fits:
                continue
            fit, run = min(fits, key=lambda pair: (pair[0].start, pair[1].court_id))
            court = courts[run.court_id]
            duration = link_duration(court, fit, subscription.min_duration_minutes)
            subject, body = _message(
                user=subscription.user,
                event=event,
                run=run,
                fit=fit,
                court=court,
                duration=duration,
                also=len(fits) - 1,
            )
            kind = (
                Notification.Kind.SLOT_FREED
                if event.kind == AvailabilityEvent.Kind.SLOT_FREED
                else Notification.Kind.SLOTS_RELEASED
            )
            link = booking_link(
                tenant_id=event.club.playtomic_id,
                resource_id=court.playtomic_id,
                start=fit.start,
                duration=duration,
            )
            notification = notification_create(
                user=subscription.user,
                kind=kind,
                dedupe_key=f"{event.kind}:{event.pk}:{subscription.pk}",
                subject=subject,
                body=body + "\n" + link,
                link=link,
            )
            # One message per member and event, even when several of their alerts fit it.
            told.add(subscription.user_id)
            created += notification is not None
    return created
