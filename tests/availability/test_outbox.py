"""The availability outbox: deliveries per consumer written with the events, relayed on
commit, swept after a broker failure, and claimed once however many workers are handed
them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import time_machine
from kombu.exceptions import OperationalError

from availability import outbox
from availability.models import AvailabilityEvent, EventDelivery
from clubs.models import Club
from playtomic_monitor.celery import app as celery_app
from tests.support.concurrency import at_once

NOW = datetime(2026, 3, 10, 17, 0, tzinfo=UTC)
CONSUMERS = {
    "sniper": {"task": "tests.snipe", "queue": "booking", "kinds": ["slot_freed"]},
    "alerts": {"task": "tests.alert", "queue": "notify", "kinds": ["slot_freed", "slots_released"]},
}


@pytest.fixture(autouse=True)
def consumers(settings: Any) -> None:
    settings.AVAILABILITY_EVENT_CONSUMERS = CONSUMERS


@pytest.fixture
def club(db: Any) -> Club:
    return Club.objects.create(playtomic_id="t-1", name="Outbox Club", timezone="Europe/Madrid")


@pytest.fixture
def sent(monkeypatch: Any) -> list[tuple[str, list[list[int]], str]]:
    """What reached the broker: (task name, args, queue)."""
    messages: list[tuple[str, list[list[int]], str]] = []
    monkeypatch.setattr(
        celery_app,
        "send_task",
        lambda name, args, queue: messages.append((name, [sorted(args[0])], queue)),
    )
    return messages


def event(club: Club, kind: str = "slot_freed", *, replay: bool = False) -> AvailabilityEvent:
    return AvailabilityEvent(
        club=club,
        kind=kind,
        local_date=date(2026, 3, 10),
        start=NOW + timedelta(hours=2),
        end=NOW + timedelta(hours=3),
        replay=replay,
    )


def test_each_event_gets_one_delivery_per_consumer_that_wants_its_kind(club: Club):
    freed, released = event(club), event(club, "slots_released")

    outbox.events_publish([freed, released])

    assert sorted(EventDelivery.objects.values_list("event_id", "consumer")) == sorted(
        [(freed.pk, "sniper"), (freed.pk, "alerts"), (released.pk, "alerts")]
    )


def test_replayed_history_is_kept_but_handed_to_no_one(club: Club, sent: list[Any]):
    replayed = event(club, replay=True)

    outbox.events_publish([replayed])

    assert AvailabilityEvent.objects.filter(pk=replayed.pk, replay=True).exists()
    assert not EventDelivery.objects.exists()
    assert outbox.deliveries_relay_stale() == 0
    assert sent == []


def test_deliveries_are_relayed_once_the_transaction_commits(
    club: Club, sent: list[Any], django_capture_on_commit_callbacks: Any
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        freed = event(club)
        outbox.events_publish([freed])
        assert sent == []  # nothing leaves before the commit

    for callback in callbacks:
        callback()

    assert sorted(sent) == [
        ("tests.alert", [[freed.pk]], "notify"),
        ("tests.snipe", [[freed.pk]], "booking"),
    ]
    assert set(EventDelivery.objects.values_list("relays", flat=True)) == {1}


def test_a_broker_outage_at_commit_loses_nothing_and_the_sweep_sends_it_later(
    club: Club, monkeypatch: Any, django_capture_on_commit_callbacks: Any
):
    def broker_down(*args: Any, **kwargs: Any) -> None:
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(celery_app, "send_task", broker_down)
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        freed = event(club)
        outbox.events_publish([freed])
    assert set(EventDelivery.objects.values_list("state", "relays")) == {("pending", 0)}

    messages: list[tuple[str, Any, str]] = []
    monkeypatch.setattr(
        celery_app, "send_task", lambda name, args, queue: messages.append((name, args, queue))
    )
    with time_machine.travel(NOW + timedelta(minutes=1), tick=False):
        assert outbox.deliveries_relay_stale() == 2
        # Relayed just now: the next sweep leaves them to their consumers.
        assert outbox.deliveries_relay_stale() == 0

    assert sorted(name for name, _, _ in messages) == ["tests.alert", "tests.snipe"]
    assert all(args == [[freed.pk]] for _, args, _ in messages)


def test_a_consumer_acts_only_on_the_events_it_won(club: Club):
    first, second = event(club), event(club)
    outbox.events_publish([first, second])

    claim = outbox.events_claim(consumer="sniper", event_ids=[first.pk, second.pk])
    again = outbox.events_claim(consumer="sniper", event_ids=[first.pk, second.pk])
    other = outbox.events_claim(consumer="alerts", event_ids=[first.pk])

    assert [e.pk for e in claim.events] == [first.pk, second.pk]
    assert again.events == []
    assert [e.pk for e in other.events] == [first.pk]
    assert outbox.claim_done(claim) == 2
    assert EventDelivery.objects.filter(consumer="sniper", state="done").count() == 2


def test_a_claim_left_by_a_dead_worker_is_handed_out_again_after_its_lease(
    club: Club, sent: list[Any]
):
    freed = event(club)
    with time_machine.travel(NOW, tick=False):
        outbox.events_publish([freed])
        lost = outbox.events_claim(consumer="sniper", event_ids=[freed.pk])
    assert [e.pk for e in lost.events] == [freed.pk]

    with time_machine.travel(NOW + outbox.CLAIM_LEASE - timedelta(seconds=1), tick=False):
        outbox.deliveries_relay_stale()
        assert outbox.events_claim(consumer="sniper", event_ids=[freed.pk]).events == []
    with time_machine.travel(NOW + outbox.CLAIM_LEASE + timedelta(seconds=1), tick=False):
        outbox.deliveries_relay_stale()
        retry = outbox.events_claim(consumer="sniper", event_ids=[freed.pk])

    assert [e.pk for e in retry.events] == [freed.pk]
    # The dead worker's late "done" no longer counts: the claim is someone else's now.
    assert outbox.claim_done(lost) == 0
    assert outbox.claim_done(retry) == 1


@pytest.mark.django_db(transaction=True)
def test_two_workers_claiming_the_same_events_at_once_never_both_win_one():
    club = Club.objects.create(playtomic_id="t-2", name="Race Club", timezone="Europe/Madrid")
    events = [event(club) for _ in range(40)]
    outbox.events_publish(events)
    ids = [e.pk for e in events]

    def claim() -> list[int]:
        return [e.pk for e in outbox.events_claim(consumer="sniper", event_ids=ids).events]

    won = at_once([claim, claim])

    assert sorted(won[0] + won[1]) == sorted(ids)
    assert not set(won[0]) & set(won[1])
