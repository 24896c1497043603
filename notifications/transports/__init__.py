"""One small transport class per channel kind behind one interface (`base.Transport`)."""

from __future__ import annotations

from notifications.models import Channel
from notifications.transports.apprise import AppriseTransport
from notifications.transports.base import Message, Transport, TransportError
from notifications.transports.email import EmailTransport
from notifications.transports.telegram import TelegramTransport
from notifications.transports.webhook import WebhookTransport
from notifications.transports.webpush import WebPushTransport

TRANSPORTS: dict[str, type[Transport]] = {
    Channel.Kind.EMAIL: EmailTransport,
    Channel.Kind.TELEGRAM: TelegramTransport,
    Channel.Kind.WEBHOOK: WebhookTransport,
    Channel.Kind.WEBPUSH: WebPushTransport,
    Channel.Kind.APPRISE: AppriseTransport,
}


def transport_for(channel: Channel) -> Transport:
    return TRANSPORTS[channel.kind](channel)


__all__ = ["Message", "Transport", "TransportError", "transport_for"]
