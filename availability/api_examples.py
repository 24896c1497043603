"""OpenAPI response examples of the availability API: one realistic answer per operation, in
the club's local time where the API speaks it."""

from __future__ import annotations

UTILIZATION_EXAMPLE = {
    "taken": 42,
    "free": 14,
    "not_released": 0,
    "observed": 56,
    "expected": 64,
    "utilization": 0.75,
    "coverage": 0.875,
}
DAY_EXAMPLE = {"local_date": "2026-03-01", "figures": UTILIZATION_EXAMPLE}
CURRENT_EXAMPLE = {
    "local_date": "2026-03-28",
    "now": "2026-03-28T12:00:00Z",
    "so_far": UTILIZATION_EXAMPLE,
    "rest_of_day": UTILIZATION_EXAMPLE,
    "whole_day": UTILIZATION_EXAMPLE,
}
DAILY_EXAMPLE = {
    "club": 1,
    "from_date": "2026-03-01",
    "to_date": "2026-03-02",
    "total": UTILIZATION_EXAMPLE,
    "days": [DAY_EXAMPLE],
}
DAILY_CSV_EXAMPLE = (
    "local_date,taken,free,not_released,expected,utilization,coverage\r\n"
    "2026-03-01,42,14,0,64,0.75,0.875\r\n"
    "2026-03-02,0,0,0,64,,0.0\r\n"
)
HEATMAP_EXAMPLE = {
    "from_date": "2026-03-01",
    "to_date": "2026-03-28",
    "cells": [
        {
            "weekday": 2,
            "hour": 19,
            "taken": 30,
            "free": 2,
            "utilization": 0.9375,
            "expected": 32,
            "coverage": 1.0,
        }
    ],
}
COURTS_EXAMPLE = [
    {"court_id": 3, "name": "Pista 1", "sport_id": "PADEL", "figures": UTILIZATION_EXAMPLE}
]
COMPARE_EXAMPLE = [
    {
        "club_id": 1,
        "name": "Club Padel Norte",
        "total": UTILIZATION_EXAMPLE,
        "peak_hour": 19,
        "by_hour": {"18": 0.6, "19": 0.9375},
        "by_hour_coverage": {"18": 0.875, "19": 1.0},
        "days": [DAY_EXAMPLE],
    }
]
FILL_CURVE_EXAMPLE = [
    {"lead_minutes": 2880, "lead_label": "2d", "taken": 40, "known": 64, "share_taken": 0.625}
]
LEAD_TIMES_EXAMPLE = {
    "from_date": "2026-03-01",
    "to_date": "2026-03-28",
    "sellout": [
        {
            "weekday": 6,
            "hour": 10,
            "slots": 4,
            "sold_out": 3,
            "sold_out_share": 0.75,
            "median_lead_minutes": 2880,
        }
    ],
    "cancellations": {"bookings": 120, "cancellations": 9, "rate": 0.075},
}
PRICES_EXAMPLE = [
    {"hour": 19, "minimum": "24.00", "average": "28.50", "maximum": "36.00", "samples": 56}
]
CHANCE_EXAMPLE = [
    {
        "lead_minutes": 1440,
        "lead_label": "1d",
        "dates_known": 12,
        "dates_with_free": 3,
        "chance": 0.25,
    }
]
GRID_EXAMPLE = {
    "local_date": "2026-03-28",
    "as_of": "2026-03-28T12:00:01Z",
    "starts": ["2026-03-28T18:00:00Z", "2026-03-28T18:30:00Z"],
    "local_times": ["19:00", "19:30"],
    "last_poll_at": "2026-03-28T11:59:58Z",
    "rows": [
        {"court_id": 3, "name": "Pista 1", "cells": ["taken", "free"], "prices": [None, "24.00"]}
    ],
}
SLOT_CHANGE_EXAMPLE = {
    "id": 5120,
    "court_id": 3,
    "court": "Pista 1",
    "start": "2026-03-28T18:00:00Z",
    "local_date": "2026-03-28",
    "kind": "taken",
    "old_state": "free",
    "new_state": "taken",
    "observed_at": "2026-03-27T09:15:00Z",
    "lead_minutes": 1965,
    "price": None,
}
CHANGES_CSV_EXAMPLE = (
    "observed_at,court,local_date,local_start,kind,old_state,new_state,lead_minutes,price\r\n"
    "2026-03-27T09:15:00+00:00,Pista 1,2026-03-28,19:00,taken,free,taken,1965,\r\n"
)
POLL_RUN_EXAMPLE = {
    "id": 812,
    "club_id": 1,
    "trigger": "manual",
    "started_at": "2026-03-28T11:59:58Z",
    "finished_at": "2026-03-28T12:00:01Z",
    "days": ["2026-03-28", "2026-03-29"],
    "days_ok": ["2026-03-28", "2026-03-29"],
    "requests_made": 2,
    "cells_seen": 112,
    "changes_written": 3,
    "duration_ms": 2950,
    "outcome": "ok",
    "error_kind": "",
    "error_message": "",
}
QUEUED_RUN_EXAMPLE = {
    **POLL_RUN_EXAMPLE,
    "started_at": "2026-03-28T11:59:58Z",
    "finished_at": None,
    "days_ok": [],
    "requests_made": 0,
    "cells_seen": 0,
    "changes_written": 0,
    "duration_ms": None,
    "outcome": "queued",
    "url": "https://monitor.example/api/clubs/1/poll-runs/812",
}
BROKER_DOWN_EXAMPLE = {
    **QUEUED_RUN_EXAMPLE,
    "finished_at": "2026-03-28T11:59:59Z",
    "duration_ms": 0,
    "outcome": "failed",
    "error_kind": "broker_unavailable",
    "error_message": (
        "The fetch could not be queued: the task broker did not answer, so no poll worker "
        "will run it. Try again in a minute; the system health page shows the broker's state."
    ),
}
