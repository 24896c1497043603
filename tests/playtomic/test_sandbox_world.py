"""Determinism per seed and the shape of the simulated demand."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from statistics import mean

from playtomic.sandbox import SandboxClock, World
from playtomic.sandbox.demand import popularity


def madrid_availability(world: World, day: date) -> list[dict[str, object]]:
    madrid = world.club_by_slug("sandbox-padel-madrid")
    account = world.accounts["a@x.test"]
    return world.availability(
        account,
        tenant_ids=[madrid.tenant_id],
        sport_id="PADEL",
        start_min=datetime.combine(day, datetime.min.time()),
        start_max=datetime.combine(day, datetime.max.time()).replace(microsecond=0),
        local=True,
    )


def world_at(seed: int, now: datetime) -> World:
    clock = SandboxClock()
    clock.set(now, frozen=True)
    return World(seed=seed, clock=clock, accounts=[("a@x.test", "pw")])


def test_the_same_seed_builds_the_same_world() -> None:
    now = datetime(2027, 1, 5, 12, tzinfo=UTC)
    first, second, other = world_at(42, now), world_at(42, now), world_at(43, now)
    assert [c.tenant_id for c in first.clubs] == [c.tenant_id for c in second.clubs]
    assert [c.tenant_id for c in first.clubs] != [c.tenant_id for c in other.clubs]
    day = date(2027, 1, 8)
    assert madrid_availability(first, day) == madrid_availability(second, day)
    assert madrid_availability(first, day) != madrid_availability(other, day)


def test_evenings_and_weekend_mornings_fill_first_and_earlier() -> None:
    world = world_at(42, datetime(2027, 1, 5, tzinfo=UTC))
    madrid = world.club_by_slug("sandbox-padel-madrid")
    popular_leads: list[float] = []
    quiet_leads: list[float] = []
    popular_count = quiet_count = 0
    for offset in range(28):
        day = date(2027, 2, 1) + timedelta(days=offset)
        for court in madrid.courts:
            for booking in world.simulated_bookings(madrid.tenant_id, court.resource_id, day):
                local = datetime.fromtimestamp(booking.start, UTC).astimezone(madrid.zone)
                minute = local.hour * 60 + local.minute
                lead_days = (booking.start - booking.booked_at) / 86400
                if popularity(day.weekday(), minute) >= 0.9:
                    popular_leads.append(lead_days)
                    popular_count += 1
                elif popularity(day.weekday(), minute) <= 0.3:
                    quiet_leads.append(lead_days)
                    quiet_count += 1
    assert mean(popular_leads) > mean(quiet_leads) + 3
    assert popular_count > quiet_count


def test_two_days_ahead_weekday_evenings_are_fuller_than_middays() -> None:
    evening_free = midday_free = 0
    for offset in range(5):
        day = date(2027, 2, 1) + timedelta(days=offset)  # Monday to Friday
        world = world_at(
            42, datetime.combine(day - timedelta(days=2), datetime.min.time(), tzinfo=UTC)
        )
        for entry in madrid_availability(world, day):
            for slot in entry["slots"]:  # type: ignore[attr-defined]
                hour = int(slot["start_time"][:2]) + 1  # Madrid = UTC+1 in February
                if 18 <= hour < 22:
                    evening_free += 1
                elif 10 <= hour < 14:
                    midday_free += 1
    assert evening_free < midday_free / 2


def test_cancelled_bookings_free_their_slot_again() -> None:
    world = world_at(42, datetime(2027, 1, 5, tzinfo=UTC))
    madrid = world.club_by_slug("sandbox-padel-madrid")
    checked = 0
    for offset in range(10):
        day = date(2027, 2, 1) + timedelta(days=offset)
        for court in madrid.courts:
            for booking in world.simulated_bookings(madrid.tenant_id, court.resource_id, day):
                if booking.cancelled_at is None:
                    continue
                start = datetime.fromtimestamp(booking.start, UTC)
                key = (start.strftime("%H:%M:%S"), int((booking.end - booking.start) // 60))

                def listed(
                    at: float,
                    day: date = day,
                    court_id: str = court.resource_id,
                    key: tuple[str, int] = key,
                ) -> bool:
                    world.clock.set(datetime.fromtimestamp(at, UTC), frozen=True)
                    entries = madrid_availability(world, day)
                    return any(
                        (s["start_time"], s["duration"]) == key
                        for e in entries
                        if e["resource_id"] == court_id
                        for s in e["slots"]  # type: ignore[attr-defined]
                    )

                if listed(booking.cancelled_at + 1):
                    assert not listed(booking.booked_at + 1)
                    checked += 1
    assert checked >= 5
