""" "When can we play?": the free slots of the coming days at a group's clubs that fit what
the group wants (the weekdays, windows, durations and player counts of its enabled rules),
earliest first, each with a deep link to book it on Playtomic.

Free means every 30-minute cell of the slot was last seen free by monitoring (`SlotState`);
the page says how fresh that is. Playtomic may still hide a slot (its orphan-gap rule) or
someone may have taken it since: the link opens Playtomic, which has the last word."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from availability.cells import CELL
from availability.models import CellState, SlotState
from booking.club_time import ClubLocalStart
from booking.models import BookingRule
from booking.selectors import court_fits, local_instant, rule_clubs, rule_local_windows
from clubs.models import Club, Court
from groups.models import Group
from playtomic.links import booking_link

DEFAULT_DAYS = 7
MAX_DAYS = 14
MAX_OPTIONS = 200
INDOOR = "indoor"
OUTDOOR = "outdoor"


@dataclass(frozen=True)
class PlayFilters:
    """What a member narrowed the list to; None: no narrowing."""

    club: int | None = None
    day: date | None = None
    time_from: time | None = None  # club-local start, inclusive
    time_to: time | None = None
    duration: int | None = None
    surface: str | None = None  # INDOOR / OUTDOOR
    max_price: Decimal | None = None


@dataclass(frozen=True)
class PlayOption(ClubLocalStart):
    club: Club
    court: Court
    start: datetime  # UTC
    duration: int  # minutes
    price: Decimal | None  # estimated from the hourly rates seen, in `currency`
    currency: str
    seen_at: datetime  # the oldest observation of its cells

    @property
    def link(self) -> str:
        return booking_link(
            tenant_id=self.club.playtomic_id,
            resource_id=self.court.playtomic_id,
            start=self.start,
            duration=self.duration,
        )


# (court pk, UTC cell start) -> (hourly rate, currency, observed at) of cells seen free.
_FreeCells = dict[tuple[int, datetime], tuple[Decimal | None, str, datetime]]


def group_rules(group: Group) -> list[BookingRule]:
    """The group's enabled rules: what it wants to play."""
    return list(
        BookingRule.objects.filter(group=group, enabled=True)
        .select_related("club")
        .prefetch_related("fallback_links__club")
    )


def group_clubs(rules: list[BookingRule]) -> list[Club]:
    """Every club of the rules, in the order the rules name them."""
    clubs: dict[int, Club] = {}
    for rule in rules:
        for club in rule_clubs(rule):
            clubs.setdefault(club.pk, club)
    return list(clubs.values())


def _free_cells(courts: list[Court], first: date, last: date) -> _FreeCells:
    rows = SlotState.objects.filter(
        court__in=courts,
        local_date__gte=first,
        local_date__lte=last,
        state=CellState.FREE,
    ).values_list("court_id", "start", "price", "currency", "observed_at")
    return {
        (court_id, start): (price, currency, observed)
        for court_id, start, price, currency, observed in rows
    }


def _surface_ok(rule: BookingRule, court: Court, wanted: str | None) -> bool:
    if wanted == INDOOR and court.indoor is not True:
        return False
    if wanted == OUTDOOR and court.indoor is not False:
        return False
    if rule.surface == BookingRule.Surface.INDOOR_ONLY:
        return court.indoor is True
    if rule.surface == BookingRule.Surface.OUTDOOR_ONLY:
        return court.indoor is False
    return True


def play_options(
    group: Group,
    *,
    now: datetime,
    filters: PlayFilters | None = None,
    days: int = DEFAULT_DAYS,
    limit: int = MAX_OPTIONS,
) -> list[PlayOption]:
    """Free slots of the next `days` club-local days (today included) at the group's clubs
    that fit one of its enabled rules: a weekday of the rule, a start inside one of its
    windows, one of its durations, a court of its clubs that fits its players and surface.
    Earliest first, then cheapest; at most `limit`."""
    filters = filters or PlayFilters()
    rules = group_rules(group)
    clubs = [c for c in group_clubs(rules) if filters.club in (None, c.pk)]
    if not clubs:
        return []
    courts_of = {
        club.pk: [c for c in club.courts.all() if c.is_active and c.sport_id == "PADEL"]
        for club in clubs
    }
    every_court = [court for courts in courts_of.values() for court in courts]
    todays = {club.pk: now.astimezone(club.zone).date() for club in clubs}
    days = max(1, min(days, MAX_DAYS))
    first = min(todays.values())
    free = _free_cells(every_court, first, max(todays.values()) + timedelta(days=days - 1))
    found: dict[tuple[int, datetime, int], PlayOption] = {}
    for rule in rules:
        durations = [d for d in rule.durations if filters.duration in (None, d)]
        for club in rule_clubs(rule):
            if club.pk not in courts_of:
                continue
            courts = [
                c
                for c in courts_of[club.pk]
                if court_fits(c, rule.number_of_players) and _surface_ok(rule, c, filters.surface)
            ]
            for offset in range(days):
                day = todays[club.pk] + timedelta(days=offset)
                if day.weekday() not in rule.weekdays or filters.day not in (None, day):
                    continue
                for earliest, latest in rule_local_windows(rule):
                    cursor = local_instant(day, earliest, club.zone)
                    window_end = local_instant(day, latest, club.zone)
                    while cursor <= window_end:
                        start, cursor = cursor, cursor + CELL
                        if start <= now or not _time_ok(start, club, filters):
                            continue
                        for duration in durations:
                            for court in courts:
                                option = _option(club, court, start, duration, free)
                                if option is None or found.get((court.pk, start, duration)):
                                    continue
                                if filters.max_price is not None and (
                                    option.price is None or option.price > filters.max_price
                                ):
                                    continue
                                found[(court.pk, start, duration)] = option
    options = sorted(
        found.values(),
        key=lambda o: (
            o.start,
            o.price if o.price is not None else Decimal("Infinity"),
            o.club.name,
            o.court.reservation_priority,
            o.court.name,
            o.duration,
        ),
    )
    return options[:limit]


def _time_ok(start: datetime, club: Club, filters: PlayFilters) -> bool:
    wall = start.astimezone(club.zone).time()
    if filters.time_from is not None and wall < filters.time_from:
        return False
    return filters.time_to is None or wall <= filters.time_to


def _option(
    club: Club, court: Court, start: datetime, duration: int, free: _FreeCells
) -> PlayOption | None:
    """The slot when every cell of it was last seen free (and the court offers the
    duration), with its price estimated from the cells' hourly rates."""
    if court.durations and duration not in court.durations:
        return None
    cells = [free.get((court.pk, start + CELL * i)) for i in range(max(1, duration // 30))]
    seen = [cell for cell in cells if cell is not None]
    if len(seen) < len(cells):
        return None
    rates = [rate for rate, _currency, _observed in seen]
    price = None
    if all(rate is not None for rate in rates):
        hours = Decimal(CELL.seconds) / 3600
        price = sum((rate * hours for rate in rates if rate is not None), Decimal(0)).quantize(
            Decimal("0.01")
        )
    return PlayOption(
        club=club,
        court=court,
        start=start,
        duration=duration,
        price=price,
        currency=seen[0][1],
        seen_at=min(observed for _rate, _currency, observed in seen),
    )


@dataclass(frozen=True)
class PlayTime:
    """One start at one club for one duration: the best court free then (cheapest, then the
    club's priority) and how many other courts are free too."""

    option: PlayOption
    other_courts: int


def play_times(options: list[PlayOption]) -> list[PlayTime]:
    """`options` (as `play_options` orders them) folded to one entry per club, start and
    duration: what a phone shows."""
    best: dict[tuple[int, datetime, int], PlayOption] = {}
    counts: dict[tuple[int, datetime, int], int] = {}
    for option in options:
        key = (option.club.pk, option.start, option.duration)
        best.setdefault(key, option)
        counts[key] = counts.get(key, 0) + 1
    return [PlayTime(option, counts[key] - 1) for key, option in best.items()]
