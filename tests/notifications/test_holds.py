"""Quiet hours (in the member's zone, across a DST change) and the per-channel rate limit:
what they hold back goes out afterwards as one summary."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
import time_machine

from notifications.models import Channel, Delivery
from notifications.receivers import WebhookReceiver
from notifications.services.delivery import delivery_send
from notifications.services.holds import quiet_until
from notifications.services.outbox import notification_create
from notifications.services.sweep import deliveries_sweep
from tests.notifications.conftest import WEBHOOK_SECRET

pytestmark = pytest.mark.django_db

# Tuesday 10 March 2026, 23:30 in Madrid (CET, UTC+1).
NIGHT = datetime(2026, 3, 10, 22, 30, tzinfo=UTC)


def hook(user: Any, receiver: WebhookReceiver, **fields: Any) -> Channel:
    return Channel.objects.create(
        user=user,
        kind=Channel.Kind.WEBHOOK,
        address=receiver.url,
        secret=WEBHOOK_SECRET,
        **fields,
    )


def notify(user: Any, n: int) -> list[int]:
    ids = []
    for i in range(n):
        notification = notification_create(
            user=user, kind="slot_freed", dedupe_key=f"k{i}", subject=f"Court {i} free", body="b"
        )
        assert notification is not None
        ids.append(notification.deliveries.get().pk)
    return ids


def deliver(ids: list[int]) -> list[str]:
    return [delivery_send(delivery_id=pk) for pk in ids]


def test_quiet_hours_hold_messages_and_send_one_summary_when_they_end(
    member: Any, webhook: Any, deliver_relayed: Any
):
    hook(member, webhook, quiet_start=time(23, 0), quiet_end=time(7, 30))
    with time_machine.travel(NIGHT, tick=False):
        ids = notify(member, 3)
        assert deliver(ids) == [Delivery.State.HELD] * 3
        held = Delivery.objects.get(pk=ids[0])
        # 07:30 the next morning in Madrid is 06:30 UTC.
        assert held.due_at == datetime(2026, 3, 11, 6, 30, tzinfo=UTC)
        deliveries_sweep()
    assert webhook.received == []

    with time_machine.travel(datetime(2026, 3, 11, 6, 31, tzinfo=UTC), tick=False):
        deliveries_sweep()
        deliver_relayed()

    [summary] = webhook.received
    assert summary.verified
    assert summary.payload["subject"] == "3 notifications held back"
    assert summary.payload["body"].splitlines() == [
        "- Court 0 free",
        "- Court 1 free",
        "- Court 2 free",
    ]
    assert set(Delivery.objects.filter(pk__in=ids).values_list("state", flat=True)) == {
        Delivery.State.SUMMARIZED
    }


def test_a_single_held_message_goes_out_as_itself(member: Any, webhook: Any, deliver_relayed: Any):
    hook(member, webhook, quiet_start=time(23, 0), quiet_end=time(7, 30))
    with time_machine.travel(NIGHT, tick=False):
        deliver(notify(member, 1))
    with time_machine.travel(datetime(2026, 3, 11, 7, 0, tzinfo=UTC), tick=False):
        deliveries_sweep()
        deliver_relayed()

    assert [r.payload["subject"] for r in webhook.received] == ["Court 0 free"]


def test_the_rate_limit_sends_the_overflow_as_one_summary_a_minute_later(
    member: Any, webhook: Any, deliver_relayed: Any
):
    hook(member, webhook, rate_limit_per_minute=2)
    with time_machine.travel(NIGHT, tick=False):
        outcomes = deliver(notify(member, 5))
        deliveries_sweep()
        deliver_relayed()
    assert outcomes == ["sent", "sent", "held", "held", "held"]
    assert len(webhook.received) == 2

    with time_machine.travel(NIGHT + timedelta(seconds=61), tick=False):
        deliveries_sweep()
        deliver_relayed()

    assert [r.payload["subject"] for r in webhook.received][2:] == ["3 notifications held back"]


def test_a_test_message_is_never_held(member: Any, webhook: Any):
    from notifications.services.channels import channel_send_test

    channel = hook(member, webhook, quiet_start=time(23, 0), quiet_end=time(7, 30))
    with time_machine.travel(NIGHT, tick=False):
        notification = channel_send_test(channel=channel)
        assert notification is not None
        assert deliver([notification.deliveries.get().pk]) == [Delivery.State.SENT]


@pytest.mark.parametrize(
    ("now", "expected_end"),
    [
        # Saturday 28 March 23:30 CET: the night ends 08:00 CEST on Sunday (06:00 UTC), an
        # hour shorter than usual.
        (datetime(2026, 3, 28, 22, 30, tzinfo=UTC), datetime(2026, 3, 29, 6, 0, tzinfo=UTC)),
        # Sunday 29 March 07:30 CEST, after the change: still quiet until 08:00 CEST.
        (datetime(2026, 3, 29, 5, 30, tzinfo=UTC), datetime(2026, 3, 29, 6, 0, tzinfo=UTC)),
        # Sunday 29 March 08:00 CEST: quiet hours are over.
        (datetime(2026, 3, 29, 6, 0, tzinfo=UTC), None),
        # 21:59 CEST: not yet.
        (datetime(2026, 3, 29, 19, 59, tzinfo=UTC), None),
    ],
)
def test_quiet_hours_follow_the_wall_clock_of_the_members_zone_across_dst(
    now: datetime, expected_end: datetime | None
):
    channel = Channel(quiet_start=time(22, 0), quiet_end=time(8, 0), timezone="Europe/Madrid")
    assert quiet_until(channel, now) == expected_end


def test_daytime_quiet_hours_and_none_at_all():
    lunch = Channel(quiet_start=time(14, 0), quiet_end=time(16, 0), timezone="Europe/Madrid")
    # 15:00 in Madrid (CET).
    assert quiet_until(lunch, datetime(2026, 1, 5, 14, 0, tzinfo=UTC)) == datetime(
        2026, 1, 5, 15, 0, tzinfo=UTC
    )
    assert quiet_until(lunch, datetime(2026, 1, 5, 16, 0, tzinfo=UTC)) is None
    assert quiet_until(Channel(), datetime(2026, 1, 5, 14, 0, tzinfo=UTC)) is None


def test_the_summary_is_written_in_the_members_language(
    member: Any, webhook: Any, deliver_relayed: Any
):
    from notifications.models import NotificationPreference

    NotificationPreference.objects.create(user=member, language="es")
    hook(member, webhook, rate_limit_per_minute=1)
    with time_machine.travel(NIGHT, tick=False):
        deliver(notify(member, 3))
    with time_machine.travel(NIGHT + timedelta(seconds=61), tick=False):
        deliveries_sweep()
        deliver_relayed()

    assert [r.payload["subject"] for r in webhook.received] == [
        "Court 0 free",
        "2 notificaciones retenidas",
    ]
