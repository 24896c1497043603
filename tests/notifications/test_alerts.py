"""Free-court alerts, end to end below the broker: real polls of the sandbox over HTTP write
the events, the consumer claims them and tells the subscribed members."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
from django.db import transaction

from availability.models import AvailabilityEvent, EventDelivery
from availability.services.polling import poll_club
from clubs.models import Club
from notifications.audience import watched_clubs_by_user
from notifications.models import Notification, NotificationPreference, Subscription
from notifications.sources.alerts import CONSUMER, alerts_from_events
from playtomic_monitor import settings as project_settings
from tests.availability.test_poll import clock, hold, sandbox
from tests.clubs.conftest import madrid, politeness, reader
from tests.conftest import SANDBOX_EMAIL

__all__ = ["clock", "madrid", "politeness", "reader", "sandbox"]

pytestmark = pytest.mark.django_db

# Tuesday 18:00 in Madrid.
TUESDAY_18 = datetime(2026, 2, 3, 17, 0, tzinfo=UTC)
ALERTS = {CONSUMER: project_settings.AVAILABILITY_EVENT_CONSUMERS[CONSUMER]}


@pytest.fixture
def alerts(settings: Any) -> None:
    settings.AVAILABILITY_EVENT_CONSUMERS = ALERTS


def subscribe(user: Any, club: Club, **fields: Any) -> Subscription:
    subscription = Subscription.objects.create(user=user, **fields)
    subscription.clubs.set([club])
    return subscription


def free_one_court(sandbox: Any, club: Club, clock: Any) -> AvailabilityEvent:
    """Baseline poll, a hold on the first court on Tuesday 18:00, a poll that sees it taken,
    the hold lapsing and a poll that sees it freed: the slot_freed event."""
    poll_club(club=club, days_ahead=2)
    court = club.courts.order_by("reservation_priority").first()
    assert court is not None
    hold(sandbox, club, court.playtomic_id, TUESDAY_18)
    clock.shift(timedelta(minutes=1))
    poll_club(club=club, days_ahead=2)
    clock.shift(timedelta(minutes=10))
    poll_club(club=club, days_ahead=2)
    return AvailabilityEvent.objects.get(kind=AvailabilityEvent.Kind.SLOT_FREED)


def all_events() -> list[int]:
    return list(AvailabilityEvent.objects.values_list("pk", flat=True))


def test_a_freed_slot_reaches_a_member_subscribed_to_that_evening(
    madrid, use_sandbox, clock, alerts, member
):
    subscribe(member, madrid, weekdays=[2], time_from=time(18, 0), time_to=time(21, 0))

    event = free_one_court(use_sandbox, madrid, clock)

    assert alerts_from_events(event_ids=[event.pk]) == 1
    notification = Notification.objects.get(user=member)
    assert notification.kind == Notification.Kind.SLOT_FREED
    assert "Tue 3 Feb 2026, 18:00 CET" in notification.subject
    assert madrid.name in notification.body
    assert notification.link.startswith("https://app.playtomic.com/payments?")
    assert "start=2026-02-03T17%3A00%3A00.000Z" in notification.link
    assert EventDelivery.objects.get(event=event, consumer=CONSUMER).state == "done"


def test_a_member_whose_filters_do_not_fit_is_not_told(madrid, use_sandbox, clock, alerts, member):
    subscribe(member, madrid, weekdays=[3])  # Wednesday only
    other = subscribe(member, madrid, time_from=time(20, 0), time_to=time(22, 0))
    Subscription.objects.filter(pk=other.pk).update(enabled=True)

    event = free_one_court(use_sandbox, madrid, clock)

    assert alerts_from_events(event_ids=[event.pk]) == 0
    assert not Notification.objects.exists()


def test_the_message_is_in_the_members_language(madrid, use_sandbox, clock, alerts, member):
    NotificationPreference.objects.create(user=member, language="es")
    subscribe(member, madrid)

    event = free_one_court(use_sandbox, madrid, clock)
    alerts_from_events(event_ids=[event.pk])

    notification = Notification.objects.get(user=member)
    assert notification.subject.startswith("Pista liberada en ")
    assert "mar 3 feb 2026, 18:00 CET" in notification.subject


def test_the_first_observation_of_a_club_raises_no_alert(
    madrid, use_sandbox, clock, alerts, member
):
    subscribe(member, madrid)

    poll_club(club=madrid, days_ahead=3)

    assert not AvailabilityEvent.objects.exists()
    assert alerts_from_events(event_ids=all_events()) == 0
    assert not Notification.objects.exists()


def test_replayed_history_alerts_nobody(madrid, use_sandbox, clock, alerts, member):
    subscribe(member, madrid)
    event = free_one_court(use_sandbox, madrid, clock)
    AvailabilityEvent.objects.filter(pk=event.pk).update(replay=True)
    EventDelivery.objects.filter(event=event).delete()  # as events_publish writes a replay

    assert alerts_from_events(event_ids=[event.pk]) == 0
    assert not Notification.objects.exists()


def test_a_replayed_freed_cell_gets_no_delivery_for_the_alerts(madrid, use_sandbox, alerts):
    from availability.outbox import events_publish

    with transaction.atomic():
        (event_id,) = events_publish(
            [
                AvailabilityEvent(
                    club=madrid,
                    kind=AvailabilityEvent.Kind.SLOT_FREED,
                    local_date=TUESDAY_18.date(),
                    start=TUESDAY_18,
                    end=TUESDAY_18 + timedelta(hours=1),
                    replay=True,
                )
            ]
        )
    assert not EventDelivery.objects.filter(event_id=event_id).exists()


def test_handing_the_same_events_over_twice_alerts_once(madrid, use_sandbox, clock, alerts, member):
    subscribe(member, madrid)
    event = free_one_court(use_sandbox, madrid, clock)

    assert alerts_from_events(event_ids=[event.pk]) == 1
    assert alerts_from_events(event_ids=[event.pk]) == 0
    assert Notification.objects.filter(user=member).count() == 1


def test_two_subscriptions_of_one_member_make_one_message(
    madrid, use_sandbox, clock, alerts, member
):
    subscribe(member, madrid)
    subscribe(member, madrid, time_from=time(17, 0))

    event = free_one_court(use_sandbox, madrid, clock)

    assert alerts_from_events(event_ids=[event.pk]) == 1


def test_newly_released_cells_alert_who_wants_released_slots(
    madrid, use_sandbox, clock, alerts, member, outsider
):
    use_sandbox.world.accounts[SANDBOX_EMAIL.lower()].booking_ahead_limit = 24 * 60
    Club.objects.filter(pk=madrid.pk).update(booking_ahead_limit_minutes=24 * 60)
    madrid.refresh_from_db()
    subscribe(member, madrid, freed=False, released=True)
    subscribe(outsider, madrid, freed=True, released=False)
    poll_club(club=madrid, days_ahead=1)
    clock.shift(timedelta(minutes=30))
    poll_club(club=madrid, days_ahead=1)
    event = AvailabilityEvent.objects.get()
    assert event.kind == AvailabilityEvent.Kind.SLOTS_RELEASED
    assert len(event.payload["free_runs"]) == 10

    assert alerts_from_events(event_ids=[event.pk]) == 1
    notification = Notification.objects.get()
    assert (notification.user, notification.kind) == (member, Notification.Kind.SLOTS_RELEASED)
    assert "9 more free slots" in notification.body


def test_with_no_clubs_chosen_a_subscription_follows_the_clubs_of_the_members_groups(
    madrid, member, outsider
):
    from tests.notifications.test_monitoring_trouble import watch

    watch(member, madrid)

    watched = watched_clubs_by_user([member.pk, outsider.pk])

    assert watched == {member.pk: {madrid.pk}}
