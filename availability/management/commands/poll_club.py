from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from availability.models import PollRun
from availability.services.polling import poll_club
from clubs.management.commands.search_clubs import validation_message
from clubs.selectors import club_find


class Command(BaseCommand):
    help = "Poll one club's availability now and print the resulting PollRun."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("club", help="club id, Playtomic tenant id or slug")
        parser.add_argument("--days-ahead", type=int, help="days after today (default: config)")

    def handle(self, *args: Any, **options: Any) -> None:
        club = club_find(key=options["club"].strip())
        if club is None:
            raise CommandError(
                f"No club {options['club']!r}: give a club id, tenant id or slug "
                "(import it first with `manage.py import_club`)."
            )
        try:
            run = poll_club(club=club, days_ahead=options["days_ahead"])
        except ValidationError as exc:
            raise CommandError(validation_message(exc)) from None
        summary = (
            f"PollRun {run.pk}: {run.outcome}; {len(run.days_ok)}/{len(run.days)} days, "
            f"{run.requests_made} requests, {run.cells_seen} cells, "
            f"{run.changes_written} changes, {run.duration_ms} ms"
        )
        if run.error_kind:
            summary += f"\n{run.error_kind}: {run.error_message}"
        style = self.style.SUCCESS if run.outcome == PollRun.Outcome.OK else self.style.WARNING
        self.stdout.write(style(summary))
        if run.outcome == PollRun.Outcome.FAILED:
            raise CommandError(f"Poll failed ({run.error_kind}).")
