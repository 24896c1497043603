"""Links that hand a person over to Playtomic's own web app. No Django, no HTTP.

`booking_link` is the deep link bots use to let a human book a slot (notes §8: "Web deep
links used to hand over to a human"); `match_link` opens a booked match. No source shows the
web path of a match, so that one is this project's reading, kept here, in one place."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import quote, urlencode

WEB_APP = "https://app.playtomic.com"


def booking_link(*, tenant_id: str, resource_id: str, start: datetime, duration: int) -> str:
    """Playtomic's payment page for one court, start (an aware instant) and duration in
    minutes: `…/payments?type=CUSTOMER_MATCH&tenant_id=…&resource_id=…&start=<UTC>.000Z&
    duration=90`."""
    if start.tzinfo is None:
        raise ValueError("start must be an aware datetime")
    query = {
        "type": "CUSTOMER_MATCH",
        "tenant_id": tenant_id,
        "resource_id": resource_id,
        "start": start.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "duration": str(duration),
    }
    return f"{WEB_APP}/payments?{urlencode(query)}"


def match_link(match_id: str) -> str:
    """A booked match in Playtomic's web app (unverified path, see the module's docstring)."""
    return f"{WEB_APP}/matches/{quote(match_id, safe='')}"
