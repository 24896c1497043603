"""The interface every transport implements, and the one error they raise."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any, ClassVar

import requests
from django.conf import settings

from notifications.models import Channel


@dataclass(frozen=True)
class Message:
    """What a transport sends. `id` is stable across retries of one delivery (the webhook's
    idempotency key)."""

    id: str
    kind: str
    subject: str
    body: str
    created_at: datetime
    link: str = ""
    attachments: tuple[dict[str, str], ...] = field(default_factory=tuple)

    def text(self) -> str:
        """Subject, body and link as one plain text (chat-style transports)."""
        parts = [self.subject, self.body] + ([self.link] if self.link else [])
        return "\n\n".join(p for p in parts if p)


class TransportError(Exception):
    """A send that did not succeed. `permanent`: retrying cannot help (a revoked token, a
    gone endpoint), so the channel is disabled; otherwise the delivery is retried later. The
    message is shown to the channel's owner: it never contains a secret."""

    def __init__(self, message: str, *, permanent: bool) -> None:
        super().__init__(message)
        self.message = message
        self.permanent = permanent


class Transport:
    """Sends one message on one channel, or raises TransportError."""

    # True when the receiver can drop a repeat by the message id, so a send whose outcome is
    # unclear (its worker died) may be sent again.
    idempotent: ClassVar[bool] = False

    def __init__(self, channel: Channel) -> None:
        self.channel = channel

    def send(self, message: Message) -> None:
        raise NotImplementedError


@cache
def http_session() -> requests.Session:
    """One session per process (made on first use, so after a worker forks): connections to
    a receiver are kept alive between messages."""
    return requests.Session()


def send_timeout() -> float:
    value: float = settings.NOTIFY_SEND_TIMEOUT_SECONDS
    return value


def http_post(service: str, url: str, **kwargs: Any) -> requests.Response:
    """POST on the process's session within the send timeout. No answer at all raises
    `connection_error`'s TransportError; the caller judges the answer it got."""
    try:
        return http_session().post(url, timeout=send_timeout(), **kwargs)
    except requests.RequestException as exc:
        raise connection_error(service, exc) from None


# HTTP answers that retrying cannot fix (bad request, bad or revoked credentials, gone).
PERMANENT_HTTP = frozenset({400, 401, 403, 404, 405, 410, 413, 422})


def http_error(service: str, response: requests.Response, detail: str = "") -> TransportError:
    """The TransportError for a non-2xx answer: 4xx in PERMANENT_HTTP are permanent, the
    rest (408, 429, 5xx, ...) temporary."""
    text = f"{service} answered HTTP {response.status_code}"
    if detail:
        text += f": {detail[:200]}"
    return TransportError(text, permanent=response.status_code in PERMANENT_HTTP)


def connection_error(service: str, exc: requests.RequestException) -> TransportError:
    """A request that got no answer is temporary. Only the exception's class is reported:
    its text holds the URL, which for Telegram holds the bot token."""
    return TransportError(f"{service}: no answer ({type(exc).__name__})", permanent=False)
