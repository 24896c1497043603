"""OpenAPI response examples of the accounts API: realistic, and without secrets."""

from __future__ import annotations

ACCOUNT_EXAMPLE = {
    "id": 3,
    "label": "Mine",
    "playtomic_user_id": "4021577",
    "status": "ok",
    "last_error": "",
    "last_login_at": "2026-11-20T17:58:02Z",
    "tokens_rotated_at": "2026-11-20T17:58:02Z",
    "created_at": "2026-11-02T09:12:40Z",
}
