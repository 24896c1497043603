"""Booking outcomes: every member of the rule's group is told when an attempt ends booked,
failed or missed. Wired as `settings.BOOKING_OUTCOME_HOOKS`; booking calls it inside the
transaction that records the outcome, so the notifications exist exactly when the outcome
does, and the dedupe key (attempt, round, state) tells each outcome once."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from booking.games import Game, game_of, games_calendar
from booking.models import BookingAttempt
from notifications.models import Notification
from notifications.services.outbox import notification_create
from notifications.wording import in_language_of, page_url
from playtomic_monitor.localtime import local_date, local_datetime

KINDS: dict[str, str] = {
    BookingAttempt.State.BOOKED: Notification.Kind.BOOKING_SUCCEEDED,
    BookingAttempt.State.FAILED: Notification.Kind.BOOKING_FAILED,
    BookingAttempt.State.MISSED: Notification.Kind.BOOKING_MISSED,
}


def _members(attempt: BookingAttempt) -> list[User]:
    return list(
        User.objects.filter(
            is_active=True, group_memberships__group_id=attempt.rule.group_id
        ).order_by("pk")
    )


def _booked(attempt: BookingAttempt, game: Game | None) -> tuple[str, list[str]]:
    club = game.club.name if game is not None else attempt.rule.club.name
    if game is None:
        # Booked, but the start is not known (the reconciler found no start): say the day.
        subject = _("Booked at %(club)s for %(day)s") % {
            "club": club,
            "day": local_date(attempt.target_date),
        }
        return subject, [subject + "."]
    when = local_datetime(game.start, game.club.zone)
    subject = _("Booked: %(club)s, %(when)s") % {"club": club, "when": when}
    lines = [
        _("%(court)s at %(club)s, %(when)s, %(minutes)d min.")
        % {"court": game.court_name or "—", "club": club, "when": when, "minutes": game.duration}
    ]
    if game.price:
        lines.append(_("Price: %(price)s.") % {"price": game.price})
    if game.players:
        lines.append(_("Players: %(players)s.") % {"players": ", ".join(game.players)})
    if game.seats:
        lines.append(game.seats)
    return subject, lines


def _not_booked(attempt: BookingAttempt) -> tuple[str, list[str]]:
    club = attempt.rule.club.name
    day = local_date(attempt.target_date)
    values = {"club": club, "day": day, "rule": attempt.rule.name}
    if attempt.state == BookingAttempt.State.MISSED:
        subject = _("Booking missed: %(club)s on %(day)s") % values
        lead = _("The rule “%(rule)s” did not race for %(club)s on %(day)s.") % values
    else:
        subject = _("Booking failed: %(club)s on %(day)s") % values
        lead = _("The rule “%(rule)s” could not book %(club)s on %(day)s.") % values
    lines = [lead]
    if attempt.reason:
        lines.append(_("Reason: %(reason)s") % {"reason": attempt.reason})
    return subject, lines


def attempt_outcome_notify(*, attempt_id: int) -> int:
    """Tell every member of the rule's group how the attempt ended. Returns the notifications
    written."""
    attempt = (
        BookingAttempt.objects.select_related(
            "rule", "rule__club", "rule__group", "court", "court__club", "account__owner"
        )
        .filter(pk=attempt_id)
        .first()
    )
    if attempt is None or attempt.state not in KINDS:
        return 0
    game = game_of(attempt) if attempt.state == BookingAttempt.State.BOOKED else None
    attachments = []
    if game is not None:
        calendar = games_calendar(
            [game], name=game.rule_name, now=timezone.now(), host="playtomic-monitor"
        )
        attachments.append(
            {
                "filename": "game.ics",
                "content_type": "text/calendar",
                "content": calendar.decode(),
            }
        )
    if game is not None and game.match_url:
        link = game.match_url
    elif attempt.state == BookingAttempt.State.BOOKED:
        link = page_url(reverse("booking:games"))
    else:
        link = page_url(reverse("booking:attempt", args=[attempt.pk]))
    created = 0
    for member in _members(attempt):
        with in_language_of(member):
            if attempt.state == BookingAttempt.State.BOOKED:
                subject, lines = _booked(attempt, game)
            else:
                subject, lines = _not_booked(attempt)
            body = "\n".join([*lines, link])
        notification = notification_create(
            user=member,
            kind=KINDS[attempt.state],
            dedupe_key=f"attempt:{attempt.pk}:{attempt.round}:{attempt.state}",
            subject=subject,
            body=body,
            link=link,
            attachments=attachments,
        )
        created += notification is not None
    return created
