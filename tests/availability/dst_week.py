"""The week the analytics tests are written in: Madrid springs forward on Sunday 29 March 2026
(02:00 CET jumps to 03:00 CEST), so a wall-clock hour or weekday there is never a fixed UTC
offset. With the cell states and the time units the hand-made histories use."""

from __future__ import annotations

from datetime import date, timedelta

from availability.models import CellState

SAT = date(2026, 3, 28)  # CET, the Saturday before the spring-forward Sunday
SUN = date(2026, 3, 29)
MON = date(2026, 3, 30)  # CEST
# The API's query for Saturday alone.
RANGE = "from_date=2026-03-28&to_date=2026-03-28"

FREE = CellState.FREE
TAKEN = CellState.TAKEN
NOT_RELEASED = CellState.NOT_RELEASED
DAYS = timedelta(days=1)
HOURS = timedelta(hours=1)
