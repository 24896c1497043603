from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from booking import selectors
from booking.models import BookingAttempt, BookingRule
from booking.services.attempts import attempt_prepare
from booking.services.race import attempt_race

# Releases are days or weeks ahead; an --at or --date further off is a typo (and near the
# calendar's ends, arithmetic on it overflows).
MAX_AT_DISTANCE = timedelta(days=366)


class Command(BaseCommand):
    help = (
        "Run one rule's racer in this process, for cron or CI schedules: sleep until the "
        "release instant (--at, or the date's computed release) or fire now (--now)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rule", type=int, required=True)
        when = parser.add_mutually_exclusive_group()
        when.add_argument("--at", help="release instant T, ISO 8601 with an offset")
        when.add_argument("--now", action="store_true", help="fire immediately")
        parser.add_argument("--date", help="club-local target date YYYY-MM-DD")
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        rule = BookingRule.objects.select_related("club").filter(pk=options["rule"]).first()
        if rule is None:
            raise CommandError(f"no rule {options['rule']}")
        now = timezone.now()
        if options["at"]:
            try:
                release_at = datetime.fromisoformat(options["at"])
            except ValueError:
                raise CommandError(
                    "--at must be ISO 8601, e.g. 2026-03-02T08:30:00+01:00"
                ) from None
            if release_at.tzinfo is None:
                raise CommandError("--at needs a UTC offset (or Z)")
            try:
                release_at = release_at.astimezone(UTC)
            except OverflowError:
                raise CommandError("--at is outside the calendar") from None
            if abs(release_at - now) > MAX_AT_DISTANCE:
                raise CommandError("--at must be within a year of now")
        else:
            release_at = now
        if options["date"]:
            try:
                target = date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError("--date must be a date YYYY-MM-DD, e.g. 2026-03-02") from None
            today = now.astimezone(rule.club.zone).date()
            if target < today:
                raise CommandError(
                    f"--date {target} is in the past in the club's time zone ({rule.club.timezone})"
                )
            if target - today > MAX_AT_DISTANCE:
                raise CommandError("--date must be within a year of today")
        else:
            found = selectors.rule_target_date_near(rule, release_at)
            if found is None:
                raise CommandError("cannot work out the target date: pass --date")
            target = found
        attempt = attempt_prepare(
            rule=rule,
            target_date=target,
            release_at=release_at,
            trigger=BookingAttempt.Trigger.MANUAL,
            dry_run=True if options["dry_run"] else None,
        )
        if attempt is None:
            raise CommandError(f"{rule.name} for {target} is already booked or being raced")
        self.stdout.write(f"{rule.name} for {target}: T = {release_at.isoformat()}")
        attempt = attempt_race(attempt_id=attempt.pk, probe_clock=not options["now"])
        self.stdout.write(f"{attempt.state}: {attempt.reason}")
        if attempt.state not in (BookingAttempt.State.BOOKED, BookingAttempt.State.REHEARSED):
            raise CommandError(f"not booked: {attempt.reason}")
