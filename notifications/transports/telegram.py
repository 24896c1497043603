"""Telegram through the Bot API (`TELEGRAM_API_URL`): the channel's secret is the bot token,
its address the chat id, found by `telegram_find_chat` once the member sent /start."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from notifications.transports.base import Message, Transport, TransportError, http_error, http_post

# Telegram refuses a message longer than this many characters.
TELEGRAM_MAX_LENGTH = 4096
# A long message goes out in at most this many parts; the last one is trimmed.
TELEGRAM_MAX_PARTS = 3


def telegram_split(text: str, *, limit: int = TELEGRAM_MAX_LENGTH) -> list[str]:
    """Cut `text` into parts of at most `limit` characters, at a line break where there is
    one, at most TELEGRAM_MAX_PARTS of them; the last part ends with "…" if text was left."""
    parts: list[str] = []
    rest = text
    while rest and len(parts) < TELEGRAM_MAX_PARTS:
        if len(rest) <= limit:
            parts.append(rest)
            rest = ""
            break
        if len(parts) == TELEGRAM_MAX_PARTS - 1:
            parts.append(rest[: limit - 1] + "…")
            rest = ""
            break
        cut = rest.rfind("\n", 0, limit)
        if cut <= limit // 2:
            cut = limit
        parts.append(rest[:cut].rstrip("\n"))
        rest = rest[cut:].lstrip("\n")
    return parts


def _call(token: str, method: str, **kwargs: Any) -> dict[str, Any]:
    url = f"{settings.TELEGRAM_API_URL.rstrip('/')}/bot{token}/{method}"
    response = http_post("Telegram", url, **kwargs)
    try:
        payload: dict[str, Any] = response.json()
    except ValueError:
        payload = {}
    if response.status_code != 200 or not payload.get("ok"):
        raise http_error("Telegram", response, str(payload.get("description", "")))
    return payload


def telegram_find_chat(*, token: str) -> str | None:
    """The chat id of the latest private message "/start" the bot received, or None. Raises
    TransportError (permanent for a wrong token)."""
    updates = _call(token, "getUpdates", json={"allowed_updates": ["message"]})
    for update in reversed(updates.get("result") or []):
        message = update.get("message") or {}
        if str(message.get("text", "")).startswith("/start") and message.get("chat"):
            return str(message["chat"]["id"])
    return None


class TelegramTransport(Transport):
    def send(self, message: Message) -> None:
        if not self.channel.address:
            raise TransportError("Telegram is not connected yet", permanent=True)
        for part in telegram_split(message.text()):
            _call(
                self.channel.secret,
                "sendMessage",
                json={
                    "chat_id": self.channel.address,
                    "text": part,
                    "disable_web_page_preview": True,
                },
            )
        for attachment in message.attachments:
            _call(
                self.channel.secret,
                "sendDocument",
                data={"chat_id": self.channel.address},
                files={
                    "document": (
                        attachment["filename"],
                        attachment["content"].encode(),
                        attachment["content_type"],
                    )
                },
            )
