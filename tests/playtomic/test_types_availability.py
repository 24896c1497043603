from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from playtomic import CourtAvailability, Money, SchemaError, Slot, parse_availability, parse_money
from playtomic.types import merge_availability
from tests.playtomic.captured import load, refused_field


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("20 EUR", Money(Decimal("20"), "EUR")),
        ("38.33 EUR", Money(Decimal("38.33"), "EUR")),
        ("67.5 EUR", Money(Decimal("67.5"), "EUR")),
        ("454.9 MXN", Money(Decimal("454.9"), "MXN")),
        ("232 PLN", Money(Decimal("232"), "PLN")),
        ({"amount": 72, "currency": "GBP"}, Money(Decimal("72"), "GBP")),
        ({"amount": "41.67", "currency": "eur"}, Money(Decimal("41.67"), "EUR")),
        ({"amount": 41.67, "currency": "EUR"}, Money(Decimal("41.67"), "EUR")),
    ],
)
def test_it_parses_money_strings_and_dicts_exactly(raw, expected):
    assert parse_money(raw) == expected


@pytest.mark.parametrize("raw", ["", "EUR", "12,50 EUR", "12.5", None, 12, {"amount": 1}])
def test_it_refuses_malformed_money(raw):
    with pytest.raises(SchemaError):
        parse_money(raw, "price")


def test_it_parses_captured_availability_into_utc_slots_with_prorated_prices():
    entries = parse_availability(load("availability.json"))

    first = entries[0]
    assert first.resource_id == "1238fd02-0000-4000-8000-000000000001"
    assert first.start_date == date(2026, 2, 19)
    assert first.slots[2] == Slot(
        resource_id=first.resource_id,
        start=datetime(2026, 2, 19, 14, 0, tzinfo=UTC),
        duration_minutes=90,
        price=Money(Decimal("38.33"), "EUR"),
    )
    assert first.slots[4].price.amount == Decimal("41.67")
    assert first.slots[6].end == datetime(2026, 2, 19, 21, 0, tzinfo=UTC)
    assert all(s.start.tzinfo is UTC for e in entries for s in e.slots)


def test_it_accepts_a_court_with_an_empty_slot_list():
    entries = parse_availability(load("availability.json"))

    assert entries[2].slots == ()


def test_it_names_the_path_of_a_bad_slot_price():
    raw = load("availability.json")
    raw[1]["slots"][2]["price"] = "forty"

    assert refused_field(parse_availability, raw) == "[1].slots[2].price"


def test_it_names_the_path_of_a_missing_slot_duration():
    raw = load("availability.json")
    del raw[0]["slots"][0]["duration"]

    assert refused_field(parse_availability, raw) == "[0].slots[0].duration"


def test_it_merges_duplicate_entries_and_drops_empty_ones():
    slot = Slot("r", datetime(2026, 1, 1, 9, tzinfo=UTC), 60, Money(Decimal(20), "EUR"))
    later = Slot("r", datetime(2026, 1, 1, 10, tzinfo=UTC), 60, Money(Decimal(20), "EUR"))

    merged = merge_availability(
        [
            CourtAvailability("r", date(2026, 1, 1), (later, slot)),
            CourtAvailability("r", date(2026, 1, 1), (slot,)),
            CourtAvailability("q", date(2026, 1, 1), ()),
        ]
    )

    assert merged == [CourtAvailability("r", date(2026, 1, 1), (slot, later))]
