"""The admin shows channels without their secret, and every notification and delivery with
its outcome, read-only."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from notifications.models import Channel, Delivery
from tests.notifications.conftest import logged_delivery

pytestmark = pytest.mark.django_db

TOKEN = "123456:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"


def test_the_admin_never_shows_a_channels_secret(admin_client: Client, member: Any):
    channel = Channel.objects.create(user=member, kind="telegram", secret=TOKEN, address="42")

    for url in (
        "/admin/notifications/channel/",
        f"/admin/notifications/channel/{channel.pk}/change/",
    ):
        page = admin_client.get(url)
        assert page.status_code == 200, url
        assert TOKEN not in page.content.decode()


def test_the_delivery_log_is_in_the_admin_read_only(admin_client: Client, member: Any):
    channel = Channel.objects.create(user=member, kind="email", address="m@example.com")
    notification = logged_delivery(
        channel,
        subject="Court 3 free",
        state=Delivery.State.FAILED,
        error="The mail server answered 550",
    ).notification
    assert notification is not None

    log = admin_client.get("/admin/notifications/delivery/").content.decode()
    assert "The mail server answered 550" in log
    detail = admin_client.get(f"/admin/notifications/notification/{notification.pk}/change/")
    assert detail.status_code == 200 and "Court 3 free" in detail.content.decode()
    assert admin_client.get("/admin/notifications/delivery/add/").status_code == 403
