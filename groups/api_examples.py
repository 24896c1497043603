"""OpenAPI response examples of the groups API: realistic, and without secrets (an invite's
link appears only in the answer that made it; a lent account's email and password never)."""

from __future__ import annotations

GROUP_EXAMPLE = {
    "id": 4,
    "name": "Tuesday padel",
    "is_personal": False,
    "role": "owner",
    "member_count": 5,
    "created_at": "2026-11-02T19:40:11Z",
}

MEMBER_EXAMPLE = {
    "id": 17,
    "user": 9,
    "name": "Lucía",
    "role": "admin",
    "joined_at": "2026-11-03T08:15:40Z",
}

INVITE_EXAMPLE = {
    "id": 12,
    "prefix": "q3Jt9xLk",
    "created_by_name": "Lucía",
    "created_at": "2026-11-20T18:02:13Z",
    "expires_at": "2026-11-27T18:02:13Z",
    "max_uses": 1,
    "uses": 0,
    "revoked_at": None,
    "status": "active",
}

INVITE_CREATED_EXAMPLE = {
    **INVITE_EXAMPLE,
    "token": "q3Jt9xLkVb0yHf2mW8sRzEaPqN4uTgCd",
    "link": "https://padel.example.org/join/q3Jt9xLkVb0yHf2mW8sRzEaPqN4uTgCd/",
}

LENT_ACCOUNT_EXAMPLE = {
    "id": 6,
    "account": 3,
    "account_label": "Marta's Playtomic",
    "lent_by": 11,
    "lent_by_name": "Marta",
    "lent_at": "2026-11-21T20:31:05Z",
}
