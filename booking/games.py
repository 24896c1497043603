"""A group's booked games ("Our games"): the booked attempts of its rules, as a member reads
them (club, court, local time with the zone's abbreviation, who paid, who plays, a link to the
match), and the same games as an iCalendar feed.

A game is a BOOKED attempt that is not a dry run: the racer (or the reconciler) found its
match on Playtomic. Matches booked by hand in the Playtomic app are not listed."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from icalendar import Calendar, Event

from booking.club_time import ClubLocalStart
from booking.models import BookingAttempt, CalendarFeed
from booking.selectors import AnyUser, attempts_for
from clubs.models import Club
from groups.models import Group
from groups.selectors import display_name
from playtomic.links import match_link
from playtomic_monitor.bearer_secrets import secret_digest, secret_worth_looking_up

# Longer than any game: a game that started this long ago has surely ended.
LONGEST_GAME = timedelta(hours=6)
# How far back the calendar feed goes (recent games stay in members' calendars).
FEED_PAST = timedelta(days=30)


@dataclass(frozen=True)
class Game(ClubLocalStart):
    """One booked game, as every member of its group sees it."""

    attempt_id: int
    group: Group
    rule_name: str
    club: Club
    court_name: str
    start: datetime  # UTC
    duration: int  # minutes
    price: str  # "36 EUR", as Playtomic said
    paid_by: str  # the booking account's label
    payment_method: str  # club / wallet / card
    split_parts: int | None  # 1: paid in full by the account
    players: tuple[str, ...]
    open_seats: int
    match_id: str

    @property
    def end(self) -> datetime:
        return self.start + timedelta(minutes=self.duration)

    @property
    def local_end(self) -> datetime:
        return self.end.astimezone(self.club.zone)

    @property
    def match_url(self) -> str | None:
        return match_link(self.match_id) if self.match_id else None

    @property
    def payment(self) -> str:
        """Who paid, as a sentence: "Paid by Ana's account, split 4 ways"."""
        if self.split_parts and self.split_parts > 1:
            return _("Paid by %(account)s, split %(parts)d ways") % {
                "account": self.paid_by,
                "parts": self.split_parts,
            }
        return _("Paid by %(account)s") % {"account": self.paid_by}

    @property
    def seats(self) -> str:
        if not self.open_seats:
            return ""
        return ngettext("%(count)d open seat", "%(count)d open seats", self.open_seats) % {
            "count": self.open_seats
        }


def game_of(attempt: BookingAttempt) -> Game | None:
    """The game a booked attempt made (None until it knows its start)."""
    if attempt.slot_start is None:
        return None
    rule = attempt.rule
    court = attempt.court
    club = court.club if court is not None else rule.club
    players = tuple(str(p.get("name") or "") for p in attempt.players if isinstance(p, dict))
    if not players and attempt.account is not None:
        # Booked before players were recorded: Playtomic registered the account's player.
        players = (display_name(attempt.account.owner),)
    return Game(
        attempt_id=attempt.pk,
        group=rule.group,
        rule_name=rule.name,
        club=club,
        court_name=court.name if court is not None else "",
        start=attempt.slot_start,
        duration=attempt.duration_minutes or 90,
        price=attempt.price,
        paid_by=str(attempt.account) if attempt.account is not None else "",
        payment_method=attempt.payment_method,
        split_parts=attempt.split_parts,
        players=players,
        open_seats=max(0, rule.number_of_players - len(players)),
        match_id=attempt.match_id,
    )


def games_for(user: AnyUser, *, since: datetime, group: Group | None = None) -> list[Game]:
    """The booked games of `user`'s groups (or of one of them) that end after `since`,
    earliest first; one per match."""
    attempts = (
        attempts_for(user)
        .filter(
            state=BookingAttempt.State.BOOKED,
            dry_run=False,
            slot_start__isnull=False,
            slot_start__gt=since - LONGEST_GAME,
        )
        .select_related("account__owner")
        .order_by("slot_start", "pk")
    )
    if group is not None:
        attempts = attempts.filter(rule__group=group)
    games: list[Game] = []
    matches: set[str] = set()
    for attempt in attempts:
        game = game_of(attempt)
        if game is None or game.end <= since:
            continue
        if game.match_id:
            if game.match_id in matches:
                continue
            matches.add(game.match_id)
        games.append(game)
    return games


def _description(game: Game) -> str:
    lines = [
        _("Group: %(group)s") % {"group": game.group.name},
        _("Court: %(court)s, %(minutes)d min")
        % {"court": game.court_name, "minutes": game.duration},
        _("Players: %(players)s") % {"players": ", ".join(game.players) or "—"},
    ]
    if game.seats:
        lines.append(game.seats)
    if game.price:
        lines.append(_("Price: %(price)s") % {"price": game.price})
    if game.paid_by:
        lines.append(game.payment)
    if game.match_url:
        lines.append(game.match_url)
    return "\n".join(lines)


def _location(club: Club) -> str:
    parts: Iterable[str] = (club.name, club.street, f"{club.postal_code} {club.city}".strip())
    return ", ".join(part for part in parts if part)


def games_calendar(games: Sequence[Game], *, name: str, now: datetime, host: str) -> bytes:
    """The games as an iCalendar document. Each event is in its club's zone (DTSTART;TZID=…)
    with the matching VTIMEZONE, generated from the zone database for the span of the games
    only (a calendar app then shows 19:00 in Madrid as 19:00 there, whatever its own zone)."""
    calendar = Calendar()
    calendar.add("prodid", "-//Playtomic Monitor//Our games//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    for game in games:
        event = Event()
        event.add("uid", f"game-{game.attempt_id}@{host}")
        event.add("dtstamp", now)
        event.add("dtstart", game.local_start)
        event.add("dtend", game.local_end)
        event.add(
            "summary",
            _("Padel at %(club)s") % {"club": game.club.name}
            + (f" ({game.court_name})" if game.court_name else ""),
        )
        event.add("location", _location(game.club))
        event.add("description", _description(game))
        if game.match_url:
            event.add("url", game.match_url)
        calendar.add_component(event)
    if games:
        first = min(game.local_start.date() for game in games) - timedelta(days=1)
        last = max(game.local_end.date() for game in games) + timedelta(days=1)
        calendar.add_missing_timezones(first_date=first, last_date=last)
    return bytes(calendar.to_ical())


def game_json(game: Game) -> dict[str, Any]:
    """The API's view of a game."""
    return {
        "id": game.attempt_id,
        "group": game.group.pk,
        "group_name": game.group.name,
        "rule_name": game.rule_name,
        "club": game.club.pk,
        "club_name": game.club.name,
        "club_timezone": game.club.timezone,
        "court_name": game.court_name,
        "start": game.start,
        "local_start": game.local_start.isoformat(),
        "when": game.when,
        "duration_minutes": game.duration,
        "price": game.price,
        "paid_by": game.paid_by,
        "payment_method": game.payment_method,
        "split_parts": game.split_parts,
        "players": list(game.players),
        "open_seats": game.open_seats,
        "match_id": game.match_id,
        "match_url": game.match_url,
    }


def feed_owner(secret: str) -> User | None:
    """The member whose calendar link carries `secret`, or None (an old, rotated link too)."""
    if not secret_worth_looking_up(secret):
        return None
    feed = CalendarFeed.objects.select_related("user").filter(digest=secret_digest(secret)).first()
    if feed is None or not feed.user.is_active:
        return None
    return feed.user
