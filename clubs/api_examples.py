"""OpenAPI examples of the clubs API: realistic requests and answers, never with secrets."""

from __future__ import annotations

CLUB_EXAMPLE = {
    "id": 1,
    "playtomic_id": "a0b1c2d3-0000-4000-8000-000000000001",
    "slug": "club-padel-norte",
    "name": "Club Padel Norte",
    "city": "Madrid",
    "timezone": "Europe/Madrid",
    "opening_hours": {"MONDAY": {"opening_time": "08:00", "closing_time": "23:00"}},
    "sport_ids": ["PADEL"],
    "courts": [{"id": 1, "name": "Pista 1", "sport_id": "PADEL", "is_active": True}],
    "monitoring": {"enabled": True, "frequency_minutes": 15, "days_ahead": 7},
}
IMPORT_BY_TENANT_ID_EXAMPLE = {"tenant_id": "a0b1c2d3-0000-4000-8000-000000000001"}
IMPORT_BY_SLUG_EXAMPLE = {"slug": "club-padel-norte"}
TENANT_EXAMPLE = {
    "tenant_id": "a0b1c2d3-0000-4000-8000-000000000001",
    "slug": "club-padel-norte",
    "name": "Club Padel Norte",
    "city": "Madrid",
    "country": "Spain",
    "timezone": "Europe/Madrid",
    "sport_ids": ["PADEL"],
    "courts": 8,
    "imported_club_id": None,
}
MONITORING_EXAMPLE = {
    "enabled": True,
    "frequency_minutes": 15,
    "start_time_local": "08:00",
    "end_time_local": "23:00",
    "days_ahead": 7,
    "sports": ["PADEL"],
}
MONITORING_OUTPUT_EXAMPLE = {
    **MONITORING_EXAMPLE,
    "account": 2,
    "last_run_at": "2026-03-28T11:45:00Z",
    "created_at": "2026-03-01T10:00:00Z",
    "updated_at": "2026-03-20T18:30:00Z",
}
