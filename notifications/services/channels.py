"""Writes on a member's channels: create, update, enable, disable, delete, send a test,
connect Telegram. Every input is checked here (forms and the API show the field errors)."""

from __future__ import annotations

import json
import re
import secrets
import uuid
from collections.abc import Sequence
from datetime import time
from typing import TypedDict, Unpack
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.models import Channel, Delivery, Notification
from notifications.services.outbox import notification_create
from notifications.transports.addresses import address_refusal
from notifications.transports.apprise import apprise_url_valid
from notifications.transports.telegram import telegram_find_chat
from notifications.wording import in_language_of

TELEGRAM_TOKEN = re.compile(r"^\d{3,20}:[A-Za-z0-9_-]{20,100}$")
# Webhook secrets shorter than this are refused (a generated one is 43 characters).
WEBHOOK_SECRET_MIN = 16


def webhook_secret_generate() -> str:
    return secrets.token_urlsafe(32)


def _http_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def channel_validate(
    *,
    kind: str,
    address: str,
    secret: str,
    kinds: Sequence[str],
    quiet_start: time | None,
    quiet_end: time | None,
    timezone_name: str,
    secret_required: bool = True,
) -> None:
    """Raise ValidationError with a message per field when the channel would not work.
    `secret_required` is False on an update that keeps the stored secret."""
    errors: dict[str, str] = {}
    if kind not in Channel.Kind.values:
        errors["kind"] = _("Choose a channel type.")
    if kind == Channel.Kind.EMAIL:
        try:
            validate_email(address)
        except ValidationError:
            errors["address"] = _("Enter a valid email address.")
    elif kind == Channel.Kind.WEBHOOK:
        if not _http_url(address):
            errors["address"] = _("Enter an http:// or https:// URL.")
        elif refusal := address_refusal(address):
            errors["address"] = refusal
        if (secret or secret_required) and len(secret) < WEBHOOK_SECRET_MIN:
            errors["secret"] = _("The signing secret needs at least %(n)d characters.") % {
                "n": WEBHOOK_SECRET_MIN
            }
    elif kind == Channel.Kind.TELEGRAM:
        if (secret or secret_required) and not TELEGRAM_TOKEN.match(secret):
            errors["secret"] = _("Enter the bot token BotFather gave you (123456:ABC...).")
        if address and not re.fullmatch(r"-?\d{1,20}", address):
            errors["address"] = _("A Telegram chat id is a number.")
    elif kind == Channel.Kind.WEBPUSH:
        if secret or secret_required:
            try:
                subscription = json.loads(secret)
                ok = (
                    _http_url(str(subscription["endpoint"]))
                    and bool(subscription["keys"]["p256dh"])
                    and bool(subscription["keys"]["auth"])
                )
            except (ValueError, KeyError, TypeError):
                ok = False
            if not ok:
                errors["secret"] = _("The browser's push subscription is not valid.")
            elif refusal := address_refusal(str(subscription["endpoint"])):
                errors["secret"] = refusal
    elif kind == Channel.Kind.APPRISE and (secret or secret_required):
        if not apprise_url_valid(secret):
            errors["secret"] = _("apprise does not understand this URL.")
        elif refusal := address_refusal(secret):
            errors["secret"] = refusal
    unknown = set(kinds) - set(Notification.Kind.values)
    if unknown:
        errors["kinds"] = _("Unknown kinds: %(kinds)s") % {"kinds": ", ".join(sorted(unknown))}
    if (quiet_start is None) != (quiet_end is None):
        errors["quiet_end"] = _("Give both the start and the end of quiet hours, or neither.")
    try:
        ZoneInfo(timezone_name)
    except (ZoneInfoNotFoundError, ValueError):
        errors["timezone"] = _("Enter a time zone such as Europe/Madrid.")
    if errors:
        raise ValidationError(errors)


class ChannelFields(TypedDict, total=False):
    """What a member sets on a channel, as `channel_create` and `channel_update` take it."""

    name: str
    address: str
    secret: str
    kinds: Sequence[str]
    rate_limit_per_minute: int
    quiet_start: time | None
    quiet_end: time | None
    timezone_name: str


def channel_create(*, user: User, kind: str, **fields: Unpack[ChannelFields]) -> Channel:
    """A new channel of `kind`, checked as `channel_update` checks a change."""
    return channel_update(channel=Channel(user=user, kind=kind), **fields)


def channel_update(*, channel: Channel, **changes: Unpack[ChannelFields]) -> Channel:
    """Change the given fields; an empty or missing `secret` keeps the stored one (a new
    channel has none to keep, so its kind's secret is required)."""
    secret = str(changes.get("secret") or "").strip()
    timezone_name = changes.get("timezone_name", channel.timezone)
    address = str(changes.get("address", channel.address)).strip()
    kinds = list(changes.get("kinds", channel.kinds))
    quiet_start = changes.get("quiet_start", channel.quiet_start)
    quiet_end = changes.get("quiet_end", channel.quiet_end)
    channel_validate(
        kind=channel.kind,
        address=address,
        secret=secret,
        kinds=kinds,
        quiet_start=quiet_start,
        quiet_end=quiet_end,
        timezone_name=timezone_name,
        secret_required=channel.pk is None,
    )
    channel.name = changes.get("name", channel.name).strip()
    channel.rate_limit_per_minute = changes.get(
        "rate_limit_per_minute", channel.rate_limit_per_minute
    )
    channel.address, channel.kinds = address, kinds
    channel.quiet_start, channel.quiet_end = quiet_start, quiet_end
    channel.timezone = timezone_name
    if secret:
        channel.secret = secret
    channel.save()
    return channel


def channel_enable(*, channel: Channel) -> Channel:
    Channel.objects.filter(pk=channel.pk).update(enabled=True, disabled_reason="", disabled_at=None)
    channel.refresh_from_db()
    return channel


def channel_disable(*, channel: Channel, reason: str = "", tell_owner: bool = False) -> bool:
    """Disable the channel and cancel what it still had to send. With `tell_owner` (a
    permanent error), the owner is told on their other enabled channels. Returns whether
    this call disabled it (two workers hitting the same error tell the owner once)."""
    now = timezone.now()
    with transaction.atomic():
        changed = Channel.objects.filter(pk=channel.pk, enabled=True).update(
            enabled=False, disabled_reason=reason, disabled_at=now
        )
        Delivery.objects.filter(
            channel=channel, state__in=[Delivery.State.PENDING, Delivery.State.HELD]
        ).update(state=Delivery.State.CANCELLED, error=_("The channel was disabled."))
        if changed and tell_owner:
            others = list(
                Channel.objects.filter(user_id=channel.user_id, enabled=True).exclude(pk=channel.pk)
            )
            if others:
                with in_language_of(channel.user):
                    subject = _("Notifications to %(channel)s stopped") % {"channel": channel}
                    body = _("%(channel)s was turned off after this error: %(reason)s") % {
                        "channel": channel,
                        "reason": reason,
                    }
                notification_create(
                    user=channel.user,
                    kind=Notification.Kind.CHANNEL_DISABLED,
                    dedupe_key=f"channel_disabled:{channel.pk}:{now.isoformat()}",
                    subject=subject,
                    body=body,
                    channels=others,
                )
    channel.refresh_from_db()
    return bool(changed)


def channel_delete(*, channel: Channel) -> None:
    channel.delete()


def channel_send_test(*, channel: Channel) -> Notification | None:
    """A test message through the real path: outbox row, relay, the notify worker."""
    with in_language_of(channel.user):
        subject = _("Test from Playtomic Monitor")
        body = _("If you read this, notifications reach you on %(channel)s.") % {"channel": channel}
    with transaction.atomic():
        return notification_create(
            user=channel.user,
            kind=Notification.Kind.TEST,
            dedupe_key=f"test:{channel.pk}:{uuid.uuid4().hex}",
            subject=subject,
            body=body,
            channels=[channel],
        )


def channel_telegram_connect(*, channel: Channel) -> bool:
    """Find the chat of the member who sent /start to the bot and store its id. Returns
    whether one was found; raises TransportError when the bot API refuses the token."""
    chat_id = telegram_find_chat(token=channel.secret)
    if chat_id is None:
        return False
    Channel.objects.filter(pk=channel.pk).update(address=chat_id)
    channel.refresh_from_db()
    return True
