"""The admin shows channels without their secret, and every notification and delivery with
its outcome, read-only."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from notifications.models import Channel, Delivery, Notification

pytestmark = pytest.mark.django_db

TOKEN = "123456:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"


@pytest.fixture
def admin_client_(client: Client, admin_user: Any) -> Client:
    client.force_login(admin_user)
    return client


def test_the_admin_never_shows_a_channels_secret(admin_client_: Client, member: Any):
    channel = Channel.objects.create(user=member, kind="telegram", secret=TOKEN, address="42")

    for url in (
        "/admin/notifications/channel/",
        f"/admin/notifications/channel/{channel.pk}/change/",
    ):
        page = admin_client_.get(url)
        assert page.status_code == 200, url
        assert TOKEN not in page.content.decode()


def test_the_delivery_log_is_in_the_admin_read_only(admin_client_: Client, member: Any):
    channel = Channel.objects.create(user=member, kind="email", address="m@example.com")
    notification = Notification.objects.create(
        user=member, kind="slot_freed", dedupe_key="k", subject="Court 3 free"
    )
    Delivery.objects.create(
        notification=notification,
        channel=channel,
        state=Delivery.State.FAILED,
        error="The mail server answered 550",
    )

    log = admin_client_.get("/admin/notifications/delivery/").content.decode()
    assert "The mail server answered 550" in log
    detail = admin_client_.get(f"/admin/notifications/notification/{notification.pk}/change/")
    assert detail.status_code == 200 and "Court 3 free" in detail.content.decode()
    assert admin_client_.get("/admin/notifications/delivery/add/").status_code == 403
