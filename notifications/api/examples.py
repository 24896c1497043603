"""OpenAPI examples of the notifications API (channels, deliveries, subscriptions): realistic,
and without secrets."""

from __future__ import annotations

from playtomic_monitor.openapi import request_example, response_example

CHANNEL_EXAMPLE = {
    "id": 7,
    "kind": "webhook",
    "name": "Home Assistant",
    "address": "https://ha.example.org/api/webhook/padel",
    "has_secret": True,
    "enabled": True,
    "disabled_reason": "",
    "disabled_at": None,
    "kinds": ["slot_freed", "booking_succeeded"],
    "rate_limit_per_minute": 20,
    "quiet_start": "23:00",
    "quiet_end": "07:30",
    "timezone": "Europe/Madrid",
    "created_at": "2026-11-20T17:58:02Z",
}
CHANNEL_CREATE_REQUEST = {
    "kind": "webhook",
    "name": "Home Assistant",
    "address": "https://ha.example.org/api/webhook/padel",
    "secret": "a-long-random-signing-secret",
    "kinds": ["slot_freed", "booking_succeeded"],
    "quiet_start": "23:00",
    "quiet_end": "07:30",
    "timezone": "Europe/Madrid",
}
DELIVERY_EXAMPLE = {
    "id": 5120,
    "channel": 7,
    "kind": "slot_freed",
    "subject": "Court 3 free: Tue 15 Dec, 19:00 CET",
    "state": "failed",
    "attempts": 5,
    "created_at": "2026-12-15T17:02:11Z",
    "sent_at": None,
    "duration_ms": 10004,
    "error": "Webhook: no answer (ReadTimeout)",
}
SUBSCRIPTION_REQUEST = {
    "name": "Weekday evenings",
    "enabled": True,
    "freed": True,
    "released": False,
    "clubs": [3],
    "weekdays": [1, 2, 3, 4],
    "time_from": "18:30",
    "time_to": "21:30",
    "min_duration_minutes": 90,
    "courts": [],
    "surface": "indoor",
    "max_hourly_price": "24.00",
    "starts_within_minutes": 2880,
}
SUBSCRIPTION_EXAMPLE = {"id": 12, **SUBSCRIPTION_REQUEST, "created_at": "2026-11-28T09:14:40Z"}

CHANNELS_LISTED = response_example("Channels", [CHANNEL_EXAMPLE])
CHANNEL_ADDED = [
    request_example("A webhook", CHANNEL_CREATE_REQUEST),
    response_example("Added", CHANNEL_EXAMPLE, 201),
]
SUBSCRIPTIONS_LISTED = response_example("Subscriptions", [SUBSCRIPTION_EXAMPLE])
SUBSCRIPTION_ADDED = [
    request_example("Weekday evenings", SUBSCRIPTION_REQUEST),
    response_example("Added", SUBSCRIPTION_EXAMPLE, 201),
]
