"""The counting expressions that the analytics selectors (over the raw rows) and the
summarizing service (into the summary tables) share, so both count a cell or a booking alike."""

from __future__ import annotations

from django.db.models import Count, Q

from availability.models import CellState, SlotChange


def state_counts(*, not_released: bool = True) -> dict[str, Count]:
    """Cells taken, free and (unless told not to) not released, counted from SlotState."""
    counts = {
        "taken": Count("id", filter=Q(state=CellState.TAKEN)),
        "free": Count("id", filter=Q(state=CellState.FREE)),
    }
    if not_released:
        counts["not_released"] = Count("id", filter=Q(state=CellState.NOT_RELEASED))
    return counts


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
