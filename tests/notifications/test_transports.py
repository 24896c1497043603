"""Each transport against a real local counterpart: an SMTP server (aiosmtpd), a Telegram
Bot API, a push service that decrypts the payload, and apprise's json:// at a webhook
receiver. A permanent answer disables the channel; a temporary one is retried."""

from __future__ import annotations

import email
import logging
import socket
from collections.abc import Iterator
from datetime import UTC, datetime
from email.message import Message as EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from notifications.models import Channel, Delivery
from notifications.receivers import WebhookReceiver
from notifications.services.delivery import delivery_send
from notifications.services.outbox import notification_create
from notifications.transports import Message
from notifications.transports.telegram import TELEGRAM_MAX_LENGTH, telegram_split
from tests.notifications.fakes import FakePushService, FakeTelegram

pytestmark = pytest.mark.django_db

BOT_TOKEN = "123456:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
ICS = {
    "filename": "game.ics",
    "content_type": "text/calendar",
    "content": "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n",
}


def notify(user: Any, *, body: str = "Tue 19:00 CET, court 3", attachments: Any = ()) -> int:
    notification = notification_create(
        user=user,
        kind="booking_succeeded",
        dedupe_key="booked:1",
        subject="Booked: court 3",
        body=body,
        link="https://app.playtomic.io/matches/1",
        attachments=attachments,
    )
    assert notification is not None
    pk: int = notification.deliveries.get().pk
    return pk


class Inbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.refuse: int | None = None

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        if self.refuse:
            return f"{self.refuse} 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        assert isinstance(envelope.content, bytes)
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 Message accepted"


@pytest.fixture
def smtp(settings: Any) -> Iterator[Inbox]:
    inbox = Inbox()
    with socket.socket() as probe:  # a free port (aiosmtpd checks it by connecting)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    yield inbox
    controller.stop()


def test_email_reaches_a_real_smtp_server_with_the_calendar_attached(member: Any, smtp: Inbox):
    Channel.objects.create(user=member, kind=Channel.Kind.EMAIL, address="ana@example.com")

    assert delivery_send(delivery_id=notify(member, attachments=[ICS])) == "sent"

    [message] = smtp.messages
    assert message["To"] == "ana@example.com"
    assert message["Subject"] == "Booked: court 3"
    parts = {part.get_content_type(): part for part in message.walk()}
    assert (
        "https://app.playtomic.io/matches/1"
        in parts["text/plain"].get_payload(decode=True).decode()
    )
    assert parts["text/calendar"].get_filename() == "game.ics"


def test_an_address_the_mail_server_refuses_disables_the_channel(member: Any, smtp: Inbox):
    channel = Channel.objects.create(user=member, kind=Channel.Kind.EMAIL, address="x@example.com")
    smtp.refuse = 550

    assert delivery_send(delivery_id=notify(member)) == "failed"
    channel.refresh_from_db()
    assert not channel.enabled and "refused" in channel.disabled_reason


def test_an_unreachable_mail_server_is_retried(member: Any, settings: Any):
    Channel.objects.create(user=member, kind=Channel.Kind.EMAIL, address="x@example.com")
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9

    assert delivery_send(delivery_id=notify(member)) == "pending"


@pytest.fixture
def telegram(settings: Any) -> Iterator[FakeTelegram]:
    with FakeTelegram(token=BOT_TOKEN) as bot:
        settings.TELEGRAM_API_URL = bot.url
        yield bot


def test_telegram_sends_the_text_and_the_calendar_to_the_chat(member: Any, telegram: Any):
    Channel.objects.create(
        user=member, kind=Channel.Kind.TELEGRAM, address="4242", secret=BOT_TOKEN
    )

    assert delivery_send(delivery_id=notify(member, attachments=[ICS])) == "sent"

    [sent] = telegram.messages
    assert sent["chat_id"] == "4242"
    assert sent["text"].startswith("Booked: court 3\n\nTue 19:00 CET")
    assert b"BEGIN:VCALENDAR" in telegram.documents[0]


def test_a_long_telegram_message_is_split_under_the_limit(member: Any, telegram: Any):
    Channel.objects.create(
        user=member, kind=Channel.Kind.TELEGRAM, address="4242", secret=BOT_TOKEN
    )
    body = "\n".join(f"Court {i}: free at 19:00" for i in range(300))

    assert delivery_send(delivery_id=notify(member, body=body)) == "sent"

    texts = [m["text"] for m in telegram.messages]
    assert len(texts) == 2
    assert all(len(t) <= TELEGRAM_MAX_LENGTH for t in texts)
    assert "".join(texts).count("Court") == 300


def test_telegram_splitting_trims_what_would_need_too_many_parts():
    parts = telegram_split("x" * 20_000)
    assert [len(p) for p in parts] == [4096, 4096, 4096]
    assert parts[-1].endswith("…")


@pytest.mark.parametrize("status", [401, 403])
def test_a_revoked_or_blocked_bot_disables_the_telegram_channel(
    member: Any, telegram: Any, status: int
):
    channel = Channel.objects.create(
        user=member, kind=Channel.Kind.TELEGRAM, address="4242", secret=BOT_TOKEN
    )
    telegram.status = status

    assert delivery_send(delivery_id=notify(member)) == "failed"
    channel.refresh_from_db()
    assert not channel.enabled
    assert BOT_TOKEN not in channel.disabled_reason
    assert BOT_TOKEN not in Delivery.objects.get().error


def test_telegram_rate_limiting_is_temporary(member: Any, telegram: Any):
    Channel.objects.create(
        user=member, kind=Channel.Kind.TELEGRAM, address="4242", secret=BOT_TOKEN
    )
    telegram.status = 429

    assert delivery_send(delivery_id=notify(member)) == "pending"


@pytest.fixture
def push(settings: Any, tmp_path: Any) -> Iterator[FakePushService]:
    from notifications.vapid import vapid_key

    settings.VAPID_KEY_FILE = tmp_path / "vapid.pem"
    settings.VAPID_PRIVATE_KEY = settings.VAPID_PUBLIC_KEY = ""
    vapid_key.cache_clear()
    with FakePushService() as service:
        yield service
    vapid_key.cache_clear()


def test_web_push_arrives_encrypted_and_signed_with_our_vapid_key(member: Any, push: Any):
    import json

    from notifications.vapid import vapid_public_key

    Channel.objects.create(
        user=member, kind=Channel.Kind.WEBPUSH, secret=json.dumps(push.subscription())
    )

    assert delivery_send(delivery_id=notify(member)) == "sent"

    [payload] = push.payloads
    assert payload["title"] == "Booked: court 3"
    assert payload["url"] == "https://app.playtomic.io/matches/1"
    assert push.vapid_keys == [vapid_public_key()]


def test_a_gone_push_subscription_disables_the_channel(member: Any, push: Any):
    import json

    channel = Channel.objects.create(
        user=member, kind=Channel.Kind.WEBPUSH, secret=json.dumps(push.subscription())
    )
    push.status = 410

    assert delivery_send(delivery_id=notify(member)) == "failed"
    channel.refresh_from_db()
    assert not channel.enabled and "410" in channel.disabled_reason


def test_apprise_json_reaches_a_local_receiver(member: Any):
    with WebhookReceiver(secret="unused", require_signature=False) as receiver:
        url = receiver.url.replace("http://", "json://")
        Channel.objects.create(user=member, kind=Channel.Kind.APPRISE, secret=url)

        assert delivery_send(delivery_id=notify(member)) == "sent"

        [received] = receiver.received
    assert received.payload["title"] == "Booked: court 3"
    assert "https://app.playtomic.io/matches/1" in received.payload["message"]


def test_an_apprise_target_that_fails_is_retried(member: Any):
    with WebhookReceiver(secret="unused", require_signature=False, status=500) as receiver:
        url = receiver.url.replace("http://", "json://")
        Channel.objects.create(user=member, kind=Channel.Kind.APPRISE, secret=url)

        assert delivery_send(delivery_id=notify(member)) == "pending"


def test_message_text_joins_subject_body_and_link():
    message = Message(
        id="1", kind="test", subject="S", body="B", link="L", created_at=datetime.now(tz=UTC)
    )
    assert message.text() == "S\n\nB\n\nL"


def test_no_secret_reaches_the_logs_even_at_debug(member: Any, telegram: Any, caplog: Any):
    caplog.set_level(logging.DEBUG)
    Channel.objects.create(
        user=member, kind=Channel.Kind.TELEGRAM, address="4242", secret=BOT_TOKEN
    )
    with WebhookReceiver(secret="unused", require_signature=False) as receiver:
        apprise_url = receiver.url.replace("http://", "json://") + "/apprise-secret-path"
        Channel.objects.create(user=member, kind=Channel.Kind.APPRISE, secret=apprise_url)
        notification = notification_create(
            user=member, kind="test", dedupe_key="logs", subject="s", body="b"
        )
        assert notification is not None
        for delivery in notification.deliveries.all():
            assert delivery_send(delivery_id=delivery.pk) == "sent"
    telegram.status = 403
    Channel.objects.filter(kind=Channel.Kind.TELEGRAM).update(enabled=True)
    again = notification_create(user=member, kind="test", dedupe_key="logs2", subject="s", body="b")
    assert again is not None
    delivery_send(delivery_id=again.deliveries.get(channel__kind="telegram").pk)

    # Without the quiet urllib3 and apprise loggers (settings.LOGGING) both would be here.
    assert BOT_TOKEN not in caplog.text
    assert "apprise-secret-path" not in caplog.text
