"""Notify worker tasks: thin, they take ids and call a service."""

from __future__ import annotations

from collections.abc import Sequence

from celery import shared_task

from notifications.services.delivery import deliveries_deliver
from notifications.services.sweep import deliveries_sweep
from notifications.sources.alerts import alerts_from_events
from notifications.sources.digest import digests_send
from notifications.sources.monitoring import monitoring_trouble_notify


# Acks early (the default): a killed worker's message is not redelivered; its rows stay
# pending (or, mid-send, leased) and the sweep hands them out again.
@shared_task(name="notifications.tasks.deliver", ignore_result=True)
def deliver(delivery_ids: list[int]) -> dict[str, int]:
    return deliveries_deliver(delivery_ids=delivery_ids)


@shared_task(name="notifications.tasks.sweep_deliveries", ignore_result=True)
def sweep_deliveries() -> dict[str, int]:
    return deliveries_sweep()


# What members are told (notifications/sources/): see docs/notifications.md.
@shared_task(name="notifications.tasks.alert_subscribers", ignore_result=True)
def alert_subscribers(event_ids: Sequence[int]) -> int:
    """The outbox consumer of availability's free-slot events (availability/outbox.py): a
    lost message leaves its event deliveries pending for availability's sweep to re-send."""
    return alerts_from_events(event_ids=event_ids)


@shared_task(name="notifications.tasks.notify_monitoring_trouble", ignore_result=True)
def notify_monitoring_trouble() -> int:
    """Beat, every minute: tell clubs' watchers of failing or stale monitoring."""
    return monitoring_trouble_notify()


@shared_task(name="notifications.tasks.send_digests", ignore_result=True)
def send_digests() -> int:
    """Beat, hourly: the members' utilization digests, once a day (or week) each."""
    return digests_send()
