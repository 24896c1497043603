"""OpenAPI response examples of the booking API: one realistic answer per operation, no
secrets."""

from __future__ import annotations

RULE_EXAMPLE = {
    "id": 7,
    "club_name": "Club Padel Norte",
    "club_timezone": "Europe/Madrid",
    "next_release_local": "2026-11-23T08:00:00+01:00",
    "name": "Weekday evenings",
    "weekdays": [0, 1, 2, 3, 4],
    "earliest_start": "18:00:00",
    "latest_start": "20:00:00",
    "durations": [90, 60],
    "court_preference": [12, 14],
    "only_listed_courts": False,
    "surface": "prefer_indoor",
    "max_price": "40.00",
    "number_of_players": 4,
    "payment_methods": ["wallet", "card"],
    "rotate_accounts": False,
    "release_policy": "fixed",
    "release_days_before": 7,
    "release_local_time": "08:00:00",
    "burst_seconds": 8.0,
    "dry_run": False,
    "snipe_cancellations": True,
    "snipe_min_notice_minutes": 120,
    "snipe_inside_cancellation_window": False,
    "enabled": True,
    "next_release_at": "2026-11-23T07:00:00Z",
    "next_target_date": "2026-11-30",
    "created_at": "2026-11-02T09:15:00Z",
    "updated_at": "2026-11-20T18:00:03Z",
    "club": 2,
    "accounts": [3],
}
ATTEMPT_EXAMPLE = {
    "id": 41,
    "rule_name": "Weekday evenings",
    "court_name": "Pista 1",
    "events": [
        {
            "round": 1,
            "at": "2026-11-20T07:00:00.004Z",
            "ms_from_release": 4.2,
            "kind": "intent_sent",
            "message": "Pista 1 2026-11-27 17:00Z 90 min",
            "data": {"n": 1},
        }
    ],
    "target_date": "2026-11-27",
    "trigger": "release",
    "state": "booked",
    "round": 1,
    "release_at": "2026-11-20T07:00:00Z",
    "deadline_at": "2026-11-20T07:00:08Z",
    "dry_run": False,
    "armed_at": "2026-11-20T06:59:00.120Z",
    "fired_at": "2026-11-20T07:00:00.004Z",
    "finished_at": "2026-11-20T07:00:00.412Z",
    "clock_offset_ms": -3.1,
    "rtt_ms": 18.4,
    "requests_sent": 3,
    "reason": "confirmed",
    "slot_start": "2026-11-27T17:00:00Z",
    "duration_minutes": 90,
    "price": "36 EUR",
    "payment_method": "wallet",
    "payment_intent_id": "pi_6f1c2a",
    "match_id": "m_93b0d4",
    "created_at": "2026-11-13T07:00:01Z",
    "updated_at": "2026-11-20T07:00:00.412Z",
    "rule": 7,
    "account": 3,
    "court": 12,
}
STATS_EXAMPLE = {
    "by_rule": [
        {
            "id": 7,
            "label": "Weekday evenings",
            "attempts": 10,
            "booked": 8,
            "failed": 1,
            "missed": 1,
            "success_rate": 0.8,
        }
    ],
    "by_account": [
        {
            "id": 3,
            "label": "Mine",
            "attempts": 10,
            "booked": 8,
            "failed": 1,
            "missed": 1,
            "success_rate": 0.8,
        }
    ],
}
