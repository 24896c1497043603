"""The channels page: add (errors beside their field), edit without retyping the secret,
on/off, delete, send test through the outbox, Telegram connect, Web Push subscribe, the
delivery log in the member's zone. Another member's channel is a 404; secrets never appear."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from notifications.models import Channel, Delivery, Notification
from tests.notifications.conftest import logged_delivery
from tests.notifications.fakes import FakeTelegram

pytestmark = pytest.mark.django_db

BOT_TOKEN = "123456:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"


@pytest.fixture
def browser(client: Client, member: Any) -> Client:
    client.force_login(member)
    return client


def add(browser: Client, **data: Any) -> Any:
    form = {"rate_limit_per_minute": "20", "timezone": "Europe/Madrid", **data}
    return browser.post(reverse("notifications:channel-add"), form)


def test_it_adds_a_webhook_and_shows_its_generated_secret_only_once(browser: Client):
    response = add(browser, kind="webhook", name="n8n", address="https://example.com/hook")
    assert response.status_code == 302
    channel = Channel.objects.get()
    assert len(channel.secret) >= 16

    page = browser.get(response["Location"]).content.decode()
    assert channel.secret in page
    assert channel.secret not in browser.get(reverse("notifications:channels")).content.decode()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"kind": "email", "address": "not-an-email"}, "address", "valid email"),
        ({"kind": "webhook", "address": "ftp://x"}, "address", "http://"),
        ({"kind": "webhook", "address": "https://x.org", "secret": "short"}, "secret", "16"),
        ({"kind": "telegram", "secret": "nonsense"}, "secret", "bot token"),
        ({"kind": "apprise", "secret": "nosuchscheme://x"}, "secret", "apprise"),
        ({"kind": "email", "address": "a@b.org", "timezone": "Mars/Base"}, "timezone", "zone"),
        ({"kind": "email", "address": "a@b.org", "quiet_start": "22:00"}, "quiet_end", "both"),
    ],
)
def test_bad_input_shows_an_error_beside_its_field(
    browser: Client, data: dict[str, str], field: str, message: str
):
    response = add(browser, **data)

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors and message in " ".join(errors[field])
    assert not Channel.objects.exists()


def test_editing_keeps_the_secret_when_left_empty_and_never_shows_it(browser: Client, member: Any):
    channel = Channel.objects.create(
        user=member, kind="telegram", secret=BOT_TOKEN, address="42", name="phone"
    )
    url = reverse("notifications:channel-edit", args=[channel.pk])
    assert BOT_TOKEN not in browser.get(url).content.decode()

    browser.post(
        url,
        {"name": "my phone", "address": "42", "rate_limit_per_minute": "5", "timezone": "UTC"},
    )

    channel.refresh_from_db()
    assert (channel.name, channel.secret, channel.rate_limit_per_minute) == (
        "my phone",
        BOT_TOKEN,
        5,
    )


def test_another_members_channel_is_a_404(client: Client, outsider: Any, member: Any):
    channel = Channel.objects.create(user=member, kind="email", address="m@example.com")
    client.force_login(outsider)
    for name in ("channel-edit", "channel-log", "channel-delete"):
        assert client.get(reverse(f"notifications:{name}", args=[channel.pk])).status_code == 404
    for name in ("channel-test", "channel-toggle", "channel-connect"):
        assert client.post(reverse(f"notifications:{name}", args=[channel.pk])).status_code == 404


def test_turning_off_and_on_and_deleting(browser: Client, member: Any):
    channel = Channel.objects.create(user=member, kind="email", address="m@example.com")
    browser.post(reverse("notifications:channel-toggle", args=[channel.pk]))
    channel.refresh_from_db()
    assert not channel.enabled
    browser.post(reverse("notifications:channel-toggle", args=[channel.pk]))
    channel.refresh_from_db()
    assert channel.enabled and channel.disabled_reason == ""

    browser.post(reverse("notifications:channel-delete", args=[channel.pk]))
    assert not Channel.objects.exists()


def test_send_test_writes_a_notification_for_that_channel_only(
    browser: Client, member: Any, relayed: list[list[int]], django_capture_on_commit_callbacks: Any
):
    channel = Channel.objects.create(user=member, kind="email", address="m@example.com")
    Channel.objects.create(user=member, kind="email", address="other@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        browser.post(reverse("notifications:channel-test", args=[channel.pk]))

    notification = Notification.objects.get(kind="test")
    [delivery] = notification.deliveries.all()
    assert delivery.channel == channel
    assert relayed == [[delivery.pk]]


def test_telegram_connect_finds_the_chat_that_sent_start(
    browser: Client, member: Any, settings: Any
):
    channel = Channel.objects.create(user=member, kind="telegram", secret=BOT_TOKEN)
    updates = [
        {"update_id": 1, "message": {"text": "hello", "chat": {"id": 11}}},
        {"update_id": 2, "message": {"text": "/start", "chat": {"id": 987654}}},
    ]
    with FakeTelegram(token=BOT_TOKEN, updates=updates) as bot:
        settings.TELEGRAM_API_URL = bot.url
        browser.post(reverse("notifications:channel-connect", args=[channel.pk]))

    channel.refresh_from_db()
    assert channel.address == "987654"


def test_telegram_connect_without_a_start_message_says_what_to_do(
    browser: Client, member: Any, settings: Any
):
    channel = Channel.objects.create(user=member, kind="telegram", secret=BOT_TOKEN)
    with FakeTelegram(token=BOT_TOKEN) as bot:
        settings.TELEGRAM_API_URL = bot.url
        response = browser.post(
            reverse("notifications:channel-connect", args=[channel.pk]), follow=True
        )

    assert "/start" in response.content.decode()
    channel.refresh_from_db()
    assert channel.address == ""


def test_web_push_subscribe_makes_a_channel_and_rejects_junk(browser: Client):
    url = reverse("notifications:webpush-subscribe")
    subscription = {
        "endpoint": "https://push.example.com/v1/abc",
        "keys": {"p256dh": "BNc", "auth": "xyz"},
        "name": "Pixel",
    }
    assert browser.post(url, "nonsense", content_type="application/json").status_code == 400
    assert browser.post(url, {"endpoint": "x"}, content_type="application/json").status_code == 400

    response = browser.post(url, subscription, content_type="application/json")

    assert response.status_code == 201
    channel = Channel.objects.get()
    assert (channel.kind, channel.name) == ("webpush", "Pixel")
    assert json.loads(channel.secret)["endpoint"] == "https://push.example.com/v1/abc"
    page = browser.get(reverse("notifications:channels")).content.decode()
    assert "push.example.com" not in page


def test_the_page_offers_web_push_with_our_public_key_and_serves_the_worker(browser: Client):
    from notifications.vapid import vapid_public_key

    page = browser.get(reverse("notifications:channels")).content.decode()
    assert vapid_public_key() in page
    worker = browser.get(reverse("notifications:service-worker"))
    assert worker["Content-Type"] == "application/javascript"
    assert b"showNotification" in worker.content


def test_the_log_shows_outcomes_in_the_members_zone(browser: Client, member: Any):
    channel = Channel.objects.create(
        user=member, kind="email", address="m@example.com", timezone="America/New_York"
    )
    with time_machine.travel(datetime(2026, 7, 1, 17, 0, tzinfo=UTC), tick=False):
        logged_delivery(
            channel,
            subject="Court 3 free",
            state=Delivery.State.FAILED,
            error="The mail server answered 550",
            duration_ms=42,
        )

    page = browser.get(reverse("notifications:channel-log", args=[channel.pk])).content.decode()

    assert "Court 3 free" in page
    assert "The mail server answered 550" in page
    assert "42 ms" in page
    assert "13:00 EDT" in page


def test_a_disabled_channel_shows_why(browser: Client, member: Any):
    Channel.objects.create(
        user=member,
        kind="webhook",
        address="https://x.org",
        secret="x" * 20,
        enabled=False,
        disabled_reason="Webhook answered HTTP 410",
    )
    assert (
        "Webhook answered HTTP 410"
        in browser.get(reverse("notifications:channels")).content.decode()
    )
