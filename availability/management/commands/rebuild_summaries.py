from __future__ import annotations

import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from availability.models import StartSummary
from availability.services.summaries import summary_rebuild
from clubs.models import Club
from clubs.selectors import club_find


class Command(BaseCommand):
    help = (
        "Rebuild the analytics summaries of closed days from the change history (all clubs, "
        "or the clubs given). Safe to run at any time; beat's summarize_closed_days task keeps "
        "them current on its own."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("clubs", nargs="*", help="club ids, Playtomic tenant ids or slugs")

    def handle(self, *args: Any, **options: Any) -> None:
        clubs = []
        for key in options["clubs"]:
            club = club_find(key=key.strip())
            if club is None:
                raise CommandError(f"No club {key!r}: give a club id, tenant id or slug.")
            clubs.append(club)
        if not options["clubs"]:
            clubs = list(Club.objects.order_by("pk"))
        for club in clubs:
            started = time.monotonic()
            through = summary_rebuild(club=club)
            rows = StartSummary.objects.filter(club=club).count()
            self.stdout.write(
                f"{club.name}: {rows} summary rows through {through} "
                f"({time.monotonic() - started:.1f} s)"
            )
