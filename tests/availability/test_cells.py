from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from availability.cells import cell_starts, classify_court, open_intervals
from availability.models import CellState
from playtomic.types import CourtAvailability, Money, Slot

MADRID = ZoneInfo("Europe/Madrid")
EVERY_DAY = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")


def hours(opens: str, closes: str) -> dict[str, dict[str, str]]:
    return {day: {"opening_time": opens, "closing_time": closes} for day in EVERY_DAY}


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def slot(start: datetime, minutes: int, price: str) -> Slot:
    return Slot("r1", start, minutes, Money(Decimal(price), "EUR"))


def test_it_cuts_a_day_into_30_minute_cells_within_opening_hours():
    starts = cell_starts(open_intervals(hours("08:00", "10:00"), date(2026, 2, 2), MADRID))
    assert starts == [utc(2026, 2, 2, 7, 0) + timedelta(minutes=30 * i) for i in range(4)]


def test_it_counts_a_midnight_closing_as_the_end_of_the_day():
    starts = cell_starts(open_intervals(hours("22:00", "00:00"), date(2026, 2, 2), MADRID))
    assert starts[0] == utc(2026, 2, 2, 21, 0)
    assert starts[-1] == utc(2026, 2, 2, 22, 30)
    assert len(starts) == 4


def test_it_gives_the_night_hours_to_the_day_they_fall_on():
    night = hours("20:00", "02:00")
    monday = cell_starts(open_intervals(night, date(2026, 2, 2), MADRID))
    # 00:00-02:00 local come from Sunday's hours; 20:00-24:00 from Monday's.
    assert len(monday) == 4 + 8
    assert monday[0] == utc(2026, 2, 1, 23, 0)


def test_a_dst_day_has_fewer_or_more_cells_when_open_across_the_change():
    all_day = hours("00:00", "00:00")
    spring = cell_starts(open_intervals(all_day, date(2026, 3, 29), MADRID))
    autumn = cell_starts(open_intervals(all_day, date(2026, 10, 25), MADRID))
    assert (len(spring), len(autumn)) == (46, 50)


def test_it_classifies_free_taken_not_released_and_skips_the_past():
    starts = [utc(2026, 2, 2, 8, 0) + timedelta(minutes=30 * i) for i in range(6)]
    entry = CourtAvailability("r1", date(2026, 2, 2), (slot(utc(2026, 2, 2, 8, 30), 60, "30"),))
    cells = classify_court(
        starts, [entry], now=utc(2026, 2, 2, 8, 10), horizon=timedelta(minutes=130)
    )
    states = [(c.start.strftime("%H:%M"), c.state) for c in cells]
    assert states == [
        ("08:30", CellState.FREE),
        ("09:00", CellState.FREE),
        ("09:30", CellState.TAKEN),
        ("10:00", CellState.TAKEN),
        ("10:30", CellState.NOT_RELEASED),
    ]


def test_it_prices_a_cell_at_the_cheapest_hourly_rate_offered():
    starts = [utc(2026, 2, 2, 8, 0), utc(2026, 2, 2, 8, 30)]
    entry = CourtAvailability(
        "r1",
        date(2026, 2, 2),
        (slot(starts[0], 60, "30"), slot(starts[0], 90, "36"), slot(starts[1], 60, "40")),
    )
    cells = classify_court(starts, [entry], now=utc(2026, 2, 2, 7, 0), horizon=None)
    assert [c.price for c in cells] == [Decimal("24.00"), Decimal("24.00")]
    assert {c.currency for c in cells} == {"EUR"}


def test_an_unreleased_day_has_no_taken_cells():
    starts = [utc(2026, 2, 9, 8, 0), utc(2026, 2, 9, 8, 30)]
    cells = classify_court(starts, [], now=utc(2026, 2, 2, 7, 0), horizon=None, day_released=False)
    assert {c.state for c in cells} == {CellState.NOT_RELEASED}
