"""How a cell or a booking is counted: as expressions for the summarizing service (into the
summary tables), and the same rules over rows already read for the analytics selectors (the
recent days, which a page reads once), side by side so both count alike."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable
from typing import TypeVar

from django.db.models import Count, Q

from availability.models import CellState, SlotChange

Key = TypeVar("Key", bound=Hashable)


def state_counts() -> dict[str, Count]:
    """Cells taken, free and not released, counted from SlotState."""
    return {
        "taken": Count("id", filter=Q(state=CellState.TAKEN)),
        "free": Count("id", filter=Q(state=CellState.FREE)),
        "not_released": Count("id", filter=Q(state=CellState.NOT_RELEASED)),
    }


def booking_counts() -> dict[str, Count]:
    """Bookings (a cell seen taken, or first seen already taken) and cancellations (a taken
    cell freed), counted from SlotChange."""
    return {
        "bookings": Count(
            "id",
            filter=Q(kind=SlotChange.Kind.TAKEN)
            | Q(kind=SlotChange.Kind.FIRST_SEEN, new_state=CellState.TAKEN),
        ),
        "cancellations": Count("id", filter=Q(kind=SlotChange.Kind.FREED)),
    }


def count_states(rows: Iterable[tuple[Key, str]]) -> dict[Key, list[int]]:
    """(key, state) pairs -> per key [taken, free, not released], as `state_counts` counts."""
    at = {CellState.TAKEN.value: 0, CellState.FREE.value: 1, CellState.NOT_RELEASED.value: 2}
    counts: dict[Key, list[int]] = defaultdict(lambda: [0, 0, 0])
    for key, state in rows:
        total = counts[key]
        if state in at:
            total[at[state]] += 1
    return counts


def is_booking(kind: str, new_state: str) -> bool:
    """A transition `booking_counts` counts as a booking."""
    return kind == SlotChange.Kind.TAKEN or (
        kind == SlotChange.Kind.FIRST_SEEN and new_state == CellState.TAKEN
    )


def is_cancellation(kind: str) -> bool:
    """A transition `booking_counts` counts as a cancellation."""
    return kind == SlotChange.Kind.FREED
