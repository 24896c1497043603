"""The utilization digest a member may ask for (daily, or weekly on Mondays): how booked each
club their groups book at was, per closed club-local day, from availability's selectors.

A beat task runs hourly; from DIGEST_HOUR_UTC on, the day's digests are written, once each
(the dedupe key carries the UTC day, or the ISO week), whatever the number of runs."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.contrib.auth.models import User
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from availability.selectors.common import local_today
from availability.selectors.utilization import Utilization, utilization_daily
from clubs.models import Club
from notifications.audience import watched_clubs_by_user
from notifications.models import Notification, NotificationPreference
from notifications.services.outbox import notification_create
from notifications.wording import in_language_of, page_url
from playtomic_monitor.localtime import local_date

# Digests go out from this hour (UTC) on: every club's previous day has closed by then in
# Europe and the Americas' previous evening is over.
DIGEST_HOUR_UTC = 6
WEEKLY_DAY = 1  # ISO weekday: Monday


def _period_utilization(club: Club, days: int, now: datetime) -> tuple[date, date, float | None]:
    """The club's utilization over its last `days` closed local days."""
    last = local_today(club, now) - timedelta(days=1)
    first = last - timedelta(days=days - 1)
    daily = utilization_daily(club=club, date_from=first, date_to=last)
    total = Utilization(
        taken=sum(d.figures.taken for d in daily if d.figures.utilization is not None),
        free=sum(d.figures.free for d in daily if d.figures.utilization is not None),
    )
    return first, last, total.utilization


# A club, the first and last local day of the period, and its utilization then.
Row = tuple[Club, date, date, float | None]


def _message(user: User, preference: NotificationPreference, rows: list[Row]) -> tuple[str, str]:
    with in_language_of(user):
        weekly = preference.digest == NotificationPreference.Digest.WEEKLY
        subject = _("Weekly court utilization") if weekly else _("Yesterday's court utilization")
        lines = []
        for club, first, last, share in rows:
            when = (
                _("%(first)s to %(last)s") % {"first": local_date(first), "last": local_date(last)}
                if first != last
                else local_date(last)
            )
            figure = (
                _("%(percent)d%% booked") % {"percent": round(share * 100)}
                if share is not None
                else _("not enough observations")
            )
            lines.append(f"{club.name} ({when}): {figure}")
    return subject, "\n".join(lines)


def digests_send(*, now: datetime | None = None) -> int:
    """Write today's digests (and, on Mondays, the weekly ones). Returns how many."""
    now = now or timezone.now()
    if now.hour < DIGEST_HOUR_UTC:
        return 0
    preferences = list(
        NotificationPreference.objects.exclude(digest="")
        .filter(user__is_active=True)
        .select_related("user")
    )
    if now.isoweekday() != WEEKLY_DAY:
        preferences = [p for p in preferences if p.digest == NotificationPreference.Digest.DAILY]
    watched = watched_clubs_by_user(p.user_id for p in preferences)
    clubs = {
        club.pk: club
        for club in Club.objects.filter(pk__in={pk for ids in watched.values() for pk in ids})
    }
    figures: dict[tuple[int, int], tuple[date, date, float | None]] = {}
    week = now.isocalendar()
    created = 0
    for preference in preferences:
        days = 7 if preference.digest == NotificationPreference.Digest.WEEKLY else 1
        rows: list[Row] = []
        for club_id in sorted(watched.get(preference.user_id, ()), key=lambda pk: clubs[pk].name):
            if (club_id, days) not in figures:
                figures[(club_id, days)] = _period_utilization(clubs[club_id], days, now)
            rows.append((clubs[club_id], *figures[(club_id, days)]))
        if not rows:
            continue
        subject, body = _message(preference.user, preference, rows)
        key = (
            f"digest:weekly:{week.year}-W{week.week:02d}"
            if days == 7
            else f"digest:daily:{now.date().isoformat()}"
        )
        link = page_url(reverse("home"))
        with transaction.atomic():
            notification = notification_create(
                user=preference.user,
                kind=Notification.Kind.DIGEST,
                dedupe_key=key,
                subject=subject,
                body=body + "\n" + link,
                link=link,
            )
        created += notification is not None
    return created
