"""Availability events as a test needs them: about the cells from a start, dated on the club's
local day of that start, either unsaved or published the way ingest publishes them."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from availability.models import AvailabilityEvent
from availability.outbox import events_publish
from clubs.models import Club


def availability_event(
    club: Club,
    *,
    start: datetime,
    minutes: int,
    kind: str = AvailabilityEvent.Kind.SLOT_FREED,
    **fields: Any,
) -> AvailabilityEvent:
    """An unsaved event of `kind` about the `minutes` from `start` (UTC) at `club`."""
    return AvailabilityEvent(
        club=club,
        kind=kind,
        local_date=start.astimezone(club.zone).date(),
        start=start,
        end=start + timedelta(minutes=minutes),
        **fields,
    )


def published_event(
    club: Club, *, start: datetime, minutes: int, **fields: Any
) -> AvailabilityEvent:
    """The same, written through the outbox with its deliveries, as ingest writes it."""
    event = availability_event(club, start=start, minutes=minutes, **fields)
    events_publish([event])
    return event
