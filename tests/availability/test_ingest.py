"""ingest_day on hand-made answers: the diff, and one transaction per club-day."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from availability.models import AvailabilityEvent, SlotChange, SlotState
from availability.services import ingest
from availability.services.ingest import ingest_day
from clubs.models import Club, Court
from playtomic.types import CourtAvailability, Money, Slot

pytestmark = pytest.mark.django_db

DAY = date(2026, 2, 3)
NOW = datetime(2026, 2, 2, 9, 0, tzinfo=UTC)
OPEN = datetime(2026, 2, 3, 7, 0, tzinfo=UTC)  # 08:00 Madrid; the club closes at 10:00


@pytest.fixture
def club(db: Any) -> Club:
    club = Club.objects.create(
        playtomic_id="t1",
        name="Club",
        timezone="Europe/Madrid",
        opening_hours={"TUESDAY": {"opening_time": "08:00", "closing_time": "10:00"}},
    )
    Court.objects.create(club=club, playtomic_id="r1", name="Court 1", sport_id="PADEL")
    return club


def answer(*starts: datetime) -> list[CourtAvailability]:
    slots = tuple(Slot("r1", s, 60, Money(Decimal("30"), "EUR")) for s in starts)
    return [CourtAvailability("r1", DAY, slots)]


def test_it_writes_first_seen_then_only_transitions(club: Club):
    first = ingest_day(club=club, local_date=DAY, availability=answer(OPEN), observed_at=NOW)
    assert (first.cells_seen, first.changes_written) == (4, 4)
    states = dict(SlotState.objects.values_list("start", "state"))
    assert list(states.values()) == ["free", "free", "taken", "taken"]

    later = NOW + timedelta(minutes=15)
    second = ingest_day(club=club, local_date=DAY, availability=answer(OPEN), observed_at=later)
    assert second.changes_written == 0

    third = ingest_day(
        club=club,
        local_date=DAY,
        availability=answer(OPEN + timedelta(hours=1)),
        observed_at=later + timedelta(minutes=15),
    )
    assert third.changes_written == 4
    kinds = sorted(SlotChange.objects.exclude(kind="first_seen").values_list("kind", flat=True))
    assert kinds == ["freed", "freed", "taken", "taken"]
    assert AvailabilityEvent.objects.get().start == OPEN + timedelta(hours=1)


def test_a_failure_mid_day_leaves_nothing_behind(club: Club, monkeypatch: Any):
    ingest_day(club=club, local_date=DAY, availability=answer(OPEN), observed_at=NOW)
    before = (SlotChange.objects.count(), list(SlotState.objects.values_list("state", flat=True)))

    def broken(**kwargs: Any) -> list[AvailabilityEvent]:
        raise RuntimeError("disk full")

    monkeypatch.setattr(ingest, "_events", broken)
    with pytest.raises(RuntimeError):
        ingest_day(
            club=club,
            local_date=DAY,
            availability=answer(OPEN + timedelta(hours=1)),
            observed_at=NOW + timedelta(minutes=15),
        )

    after = (SlotChange.objects.count(), list(SlotState.objects.values_list("state", flat=True)))
    assert after == before
    assert not SlotState.objects.filter(observed_at=NOW + timedelta(minutes=15)).exists()
