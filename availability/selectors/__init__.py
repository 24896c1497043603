"""Read queries and analytics over the availability history, all in the club's local time.

Where each concern lives:
- `common`: labels, ratios, coverage, the local calendar (local_today, open_cell_starts), the
  club's courts and their cells.
- `history`: the split of a date range at the club's SummaryMark, written once: summaries for
  the closed days, raw rows for the recent ones (history_rows).
- `raw`: the raw rows (cells, transitions) of local dates, which a page reads once for every
  figure (read_raw_rows_once).
- `utilization`: today so far, per day and in total, the weekday x hour heatmap, per court,
  the club comparison.
- `fill`: fill curves, sell-out lead times, the chance a court is still free.
- `prices`: prices by hour, cancellations.
- `grid`: the grid of a date now or as known at an instant, the list of slot changes.
- `runs`: poll runs, the clubs' statuses for the home page.

Vocabulary:
- A *cell* is one court's 30-minute slot, identified by (court, UTC start).
- Its *final state* is what we last saw before it began. Ingest never observes a cell that has
  started, so for a past cell `SlotState.state` is its final state.
- A cell is *observed* when we know whether it was bookable: its state is free or taken. Cells
  never seen, or only seen as not yet released, are left out of utilization, and every figure
  carries the *expected* count (open cells from the opening hours) so coverage is visible.
- Weekday and hour are those of the cell's local start, computed with the club's IANA zone (in
  the database or with zoneinfo), never with a fixed offset, so DST weeks stay in their column.
"""

from availability.selectors.common import (
    OBSERVED,
    WEEKDAY_LABELS,
    DateRange,
    club_courts,
    lead_label,
    local_today,
    open_cell_starts,
)
from availability.selectors.fill import (
    CellHistory,
    ChancePoint,
    FillCounts,
    FillPoint,
    SelloutCell,
    chance_free,
    fill_counts,
    fill_curve,
    fill_curve_from_counts,
    fill_rows,
    sellout_lead_times,
)
from availability.selectors.grid import (
    CLOSED,
    UNKNOWN,
    Grid,
    GridRow,
    availability_at,
    availability_grid,
    slot_changes,
)
from availability.selectors.prices import (
    Cancellations,
    PriceHour,
    cancellation_rate,
    prices_by_hour,
)
from availability.selectors.raw import read_raw_rows_once
from availability.selectors.runs import RECENT_FAILURES, ClubStatus, club_statuses, poll_runs
from availability.selectors.utilization import (
    ClubSummary,
    CourtUtilization,
    CurrentUtilization,
    DayUtilization,
    HeatCell,
    Heatmap,
    Utilization,
    club_comparison,
    utilization_current,
    utilization_daily,
    utilization_heatmap,
    utilization_per_court,
    utilization_total,
)

__all__ = [
    "CLOSED",
    "OBSERVED",
    "RECENT_FAILURES",
    "UNKNOWN",
    "WEEKDAY_LABELS",
    "Cancellations",
    "CellHistory",
    "ChancePoint",
    "ClubStatus",
    "ClubSummary",
    "CourtUtilization",
    "CurrentUtilization",
    "DateRange",
    "DayUtilization",
    "FillCounts",
    "FillPoint",
    "Grid",
    "GridRow",
    "HeatCell",
    "Heatmap",
    "PriceHour",
    "SelloutCell",
    "Utilization",
    "availability_at",
    "availability_grid",
    "cancellation_rate",
    "chance_free",
    "club_comparison",
    "club_courts",
    "club_statuses",
    "fill_counts",
    "fill_curve",
    "fill_curve_from_counts",
    "fill_rows",
    "lead_label",
    "local_today",
    "open_cell_starts",
    "poll_runs",
    "prices_by_hour",
    "read_raw_rows_once",
    "sellout_lead_times",
    "slot_changes",
    "utilization_current",
    "utilization_daily",
    "utilization_heatmap",
    "utilization_per_court",
    "utilization_total",
]
