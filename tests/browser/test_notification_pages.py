"""The notification channel pages on a 390 px phone in headless Chromium: the channel list
(with a turned-off channel's reason), the add form and a delivery log with a long error all
fit the screen; the buttons are there to tap."""

from __future__ import annotations

from typing import Any

import pytest

from notifications.models import Channel, Delivery
from tests.browser.phone import assert_each_page_fits_the_phone, log_in_on_a_phone
from tests.browser.test_dashboards import page
from tests.notifications.conftest import logged_delivery

__all__ = ["page"]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_channel_pages_fit_a_phone(page: Any, live_server: Any, member: Any):
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
    logged_delivery(
        hook,
        subject="Court 3 free, Tue 19:00 CET",
        state=Delivery.State.FAILED,
        error="Webhook: no answer (ReadTimeout)" + "x" * 200,
        duration_ms=10004,
    )
    log_in_on_a_phone(page, live_server, member, "member-pass-123")

    assert_each_page_fits_the_phone(
        page,
        live_server,
        [
            ("/notifications/", "list"),
            ("/notifications/channels/add/", "add"),
            (f"/notifications/channels/{hook.pk}/log/", "log"),
            (f"/notifications/channels/{hook.pk}/", "edit"),
            (f"/notifications/channels/{hook.pk}/delete/", "delete"),
        ],
        "notifications",
    )

    page.goto(f"{live_server.url}/notifications/")
    assert page.locator("button:has-text('Connect')").is_visible()
    assert page.locator("text=Turned off: Webhook answered HTTP 410").is_visible()
