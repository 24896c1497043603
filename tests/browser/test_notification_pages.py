"""The notification channel pages on a 390 px phone in headless Chromium: the channel list
(with a turned-off channel's reason), the add form and a delivery log with a long error all
fit the screen; the buttons are there to tap."""

from __future__ import annotations

from typing import Any

import pytest

from notifications.models import Channel, Delivery, Notification
from tests.browser.test_dashboards import SHOTS, log_in, page

__all__ = ["page"]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def fits_the_phone(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"])


def test_the_channel_pages_fit_a_phone(page: Any, live_server: Any, member: Any):
    member.set_password("member-pass-123")
    member.save()
    hook = Channel.objects.create(
        user=member,
        kind="webhook",
        name="Home Assistant at the club house with a long name",
        address="https://very-long-subdomain.example.org/api/webhook/padel-notifications-123",
        secret="x" * 30,
        enabled=False,
        disabled_reason="Webhook answered HTTP 410: " + "gone " * 30,
    )
    Channel.objects.create(user=member, kind="telegram", secret="1:" + "a" * 30)
    notification = Notification.objects.create(
        user=member, kind="slot_freed", dedupe_key="k", subject="Court 3 free, Tue 19:00 CET"
    )
    Delivery.objects.create(
        notification=notification,
        channel=hook,
        state=Delivery.State.FAILED,
        error="Webhook: no answer (ReadTimeout)" + "x" * 200,
        duration_ms=10004,
    )
    page.set_viewport_size(PHONE)
    log_in(page, live_server, "member", "member-pass-123")

    for path, name in [
        ("/notifications/", "list"),
        ("/notifications/channels/add/", "add"),
        (f"/notifications/channels/{hook.pk}/log/", "log"),
        (f"/notifications/channels/{hook.pk}/", "edit"),
    ]:
        page.goto(f"{live_server.url}{path}")
        page.screenshot(path=str(SHOTS / f"notifications-{name}-390.png"), full_page=True)
        assert fits_the_phone(page), path

    page.goto(f"{live_server.url}/notifications/")
    assert page.locator("button:has-text('Connect')").is_visible()
    assert page.locator("text=Turned off: Webhook answered HTTP 410").is_visible()
