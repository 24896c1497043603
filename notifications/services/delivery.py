"""Delivering one Delivery: claim it with a conditional UPDATE (pending -> sending, with a
token and a lease), hold it back (quiet hours, rate limit) or send it through the channel's
transport, then settle it while the claim is still ours. docs/notifications.md has the
guarantees; in short: a row is sent by at most one worker at a time, never again once sent,
and a send whose worker died is only repeated where the receiver drops repeats by id."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from notifications.models import Channel, Delivery
from notifications.services.channels import channel_disable
from notifications.services.holds import hold_until, quiet_until
from notifications.transports import Message, TransportError, transport_for
from notifications.transports.base import Transport
from notifications.wording import in_language_of

logger = logging.getLogger(__name__)

# A deliver task stops taking rows after this long; the rest stay pending for the sweep.
TASK_BUDGET_SECONDS = 60.0
# Lines of a summary before "and N more".
SUMMARY_LINES = 20
# Kinds never held back: the member asked for them just now.
NEVER_HELD = frozenset({"test"})


@dataclass
class _SentMark:
    """A sent delivery whose "sent" is written together with the next claim (one write
    transaction per message instead of two; the row is marked as promptly as before)."""

    delivery: Delivery | None = None
    token: str = ""
    ms: int = 0
    sent_at: datetime | None = None

    def write(self) -> None:
        if self.delivery is not None:
            _settle(
                self.delivery, self.token, state=Delivery.State.SENT, ms=self.ms, at=self.sent_at
            )
            self.delivery = None


def deliveries_deliver(*, delivery_ids: Sequence[int]) -> dict[str, int]:
    """Deliver each of `delivery_ids` this worker can claim; returns a count per outcome.
    The rows are read once up front (each channel's secret decrypted once); each is then
    claimed on its own just before its send, so two workers handed the same ids share them."""
    started = time.monotonic()
    outcomes: dict[str, int] = {}
    channels: dict[int, Channel] = {}
    mark = _SentMark()
    rows = Delivery.objects.filter(pk__in=list(delivery_ids), state=Delivery.State.PENDING)
    try:
        for delivery in rows.select_related("notification", "channel").order_by("pk"):
            if time.monotonic() - started > TASK_BUDGET_SECONDS:
                break
            delivery.channel = channels.setdefault(delivery.channel_id, delivery.channel)
            outcome = _deliver(delivery, now=timezone.now(), mark=mark)
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
    finally:
        mark.write()
    return outcomes


def delivery_send(*, delivery_id: int, now: datetime | None = None) -> str:
    """Claim, send and settle one delivery. Returns the state it was left in, or "skipped"
    when another worker holds it, it is not due, or it is not pending."""
    delivery = (
        Delivery.objects.select_related("notification", "channel").filter(pk=delivery_id).first()
    )
    if delivery is None:
        return "skipped"
    mark = _SentMark()
    try:
        return _deliver(delivery, now=now or timezone.now(), mark=mark)
    finally:
        mark.write()


def _deliver(delivery: Delivery, *, now: datetime, mark: _SentMark) -> str:
    token = uuid.uuid4().hex
    with transaction.atomic():
        mark.write()
        # The claim: only a pending, due row of an enabled channel; one worker wins it. No
        # join in the filter: Django would turn it into `id IN (SELECT ...)`, and PostgreSQL's
        # recheck of a row another worker just claimed would not see its new state there.
        won = Delivery.objects.filter(
            pk=delivery.pk,
            state=Delivery.State.PENDING,
            due_at__lte=now,
            channel_id__in=Channel.objects.filter(enabled=True).values("pk"),
        ).update(
            state=Delivery.State.SENDING,
            claim_token=token,
            lease_until=now + timedelta(seconds=settings.NOTIFY_LEASE_SECONDS),
            attempts=F("attempts") + 1,
        )
    if not won:
        return "skipped"
    delivery.attempts += 1
    channel = delivery.channel
    notification = delivery.notification
    if notification is not None and notification.kind not in NEVER_HELD:
        until = hold_until(channel, now, delivery_pk=delivery.pk)
        if until is not None:
            # Not an attempt: put the count back.
            Delivery.objects.filter(pk=delivery.pk, claim_token=token).update(
                state=Delivery.State.HELD,
                due_at=until,
                lease_until=None,
                attempts=F("attempts") - 1,
            )
            return Delivery.State.HELD
    transport = transport_for(channel)
    started = time.monotonic()
    try:
        transport.send(delivery_message(delivery))
    except TransportError as exc:
        duration = _ms(started)
        if exc.permanent:
            _settle(delivery, token, state=Delivery.State.FAILED, error=exc.message, ms=duration)
            channel_disable(channel=channel, reason=exc.message, tell_owner=True)
            return Delivery.State.FAILED
        return _retry_or_fail(delivery, token, error=exc.message, ms=duration, now=now)
    except Exception as exc:  # a bug in a transport or a library: retried, never looped
        logger.exception("Transport %s crashed on delivery %s", channel.kind, delivery.pk)
        return _retry_or_fail(delivery, token, error=type(exc).__name__, ms=_ms(started), now=now)
    mark.delivery, mark.token, mark.ms, mark.sent_at = delivery, token, _ms(started), timezone.now()
    return Delivery.State.SENT


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def _settle(
    delivery: Delivery,
    token: str,
    *,
    state: str,
    error: str = "",
    ms: int | None = None,
    at: datetime | None = None,
) -> str:
    """End the delivery, only while the claim is still this worker's."""
    Delivery.objects.filter(pk=delivery.pk, claim_token=token, state=Delivery.State.SENDING).update(
        state=state,
        error=error,
        duration_ms=ms,
        lease_until=None,
        sent_at=(at or timezone.now()) if state == Delivery.State.SENT else None,
    )
    return state


def _retry_or_fail(delivery: Delivery, token: str, *, error: str, ms: int, now: datetime) -> str:
    backoff: list[int] = settings.NOTIFY_RETRY_BACKOFF_SECONDS
    attempts = delivery.attempts  # counts this one
    if attempts > len(backoff):
        return _settle(delivery, token, state=Delivery.State.FAILED, error=error, ms=ms)
    Delivery.objects.filter(pk=delivery.pk, claim_token=token, state=Delivery.State.SENDING).update(
        state=Delivery.State.PENDING,
        error=error,
        duration_ms=ms,
        lease_until=None,
        due_at=now + timedelta(seconds=backoff[attempts - 1]),
        relayed_at=None,
    )
    return Delivery.State.PENDING


def delivery_lease_expired(*, delivery_id: int, now: datetime) -> str | None:
    """A worker claimed the delivery and did not settle it within its lease: it died, maybe
    after the receiver got the message. Sending again could make a duplicate, so only a
    transport whose receiver drops repeats by id (the webhook) sends it again, with the same
    id; for the others it stays `unclear`, shown in the log, and is not repeated."""
    delivery = Delivery.objects.select_related("channel").filter(pk=delivery_id).first()
    if delivery is None:
        return None
    transport: type[Transport] = type(transport_for(delivery.channel))
    expired = Delivery.objects.filter(
        pk=delivery_id, state=Delivery.State.SENDING, lease_until__lt=now
    )
    if transport.idempotent:
        changed = expired.update(
            state=Delivery.State.PENDING,
            lease_until=None,
            claim_token="",
            relayed_at=None,
            error=_("The worker stopped while sending; sent again with the same id."),
        )
        return Delivery.State.PENDING if changed else None
    changed = expired.update(
        state=Delivery.State.UNCLEAR,
        lease_until=None,
        error=_("The worker stopped while sending; not sent again, so it cannot arrive twice."),
    )
    return Delivery.State.UNCLEAR if changed else None


def delivery_message(delivery: Delivery) -> Message:
    notification = delivery.notification
    if notification is not None:
        return Message(
            id=str(delivery.pk),
            kind=notification.kind,
            subject=notification.subject,
            body=notification.body,
            link=notification.link,
            attachments=tuple(notification.attachments or ()),
            created_at=notification.created_at,
        )
    held = list(
        Delivery.objects.filter(summary=delivery)
        .select_related("notification")
        .order_by("created_at", "pk")
    )
    lines = [f"- {d.notification.subject}" for d in held[:SUMMARY_LINES] if d.notification]
    with in_language_of(delivery.channel.user):
        if len(held) > SUMMARY_LINES:
            lines.append(_("…and %(count)d more") % {"count": len(held) - SUMMARY_LINES})
        subject = ngettext(
            "%(count)d notification held back",
            "%(count)d notifications held back",
            len(held),
        ) % {"count": len(held)}
    return Message(
        id=str(delivery.pk),
        kind="summary",
        subject=subject,
        body="\n".join(lines),
        created_at=delivery.created_at,
    )


def deliveries_release_held(*, now: datetime) -> int:
    """Send what quiet hours or the rate limit held back, once its time has come: a single
    held delivery goes out as it was, two or more as one summary. Returns channels released.
    Each channel is released in one transaction holding its held rows, so two sweeps never
    both summarise them."""
    channel_ids = set(
        Delivery.objects.filter(
            state=Delivery.State.HELD, due_at__lte=now, channel__enabled=True
        ).values_list("channel_id", flat=True)
    )
    released = 0
    for channel in Channel.objects.filter(pk__in=channel_ids):
        still_quiet = quiet_until(channel, now)
        with transaction.atomic():
            held = list(
                Delivery.objects.select_for_update(skip_locked=True)
                .filter(channel=channel, state=Delivery.State.HELD)
                .values_list("pk", flat=True)
            )
            if not held:
                continue
            if still_quiet is not None:  # quiet hours changed since: wait for their end
                Delivery.objects.filter(pk__in=held).update(due_at=still_quiet)
                continue
            released += 1
            if len(held) == 1:
                Delivery.objects.filter(pk__in=held).update(
                    state=Delivery.State.PENDING, due_at=now, relayed_at=None
                )
                continue
            summary = Delivery.objects.create(channel=channel, due_at=now)
            Delivery.objects.filter(pk__in=held).update(
                state=Delivery.State.SUMMARIZED, summary=summary
            )
    return released
