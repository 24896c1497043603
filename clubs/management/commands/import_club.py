from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from clubs.management.commands.search_clubs import validation_message
from clubs.services import PlaytomicUnavailable, club_import, monitoring_configure


class Command(BaseCommand):
    help = "Import (or re-import) a Playtomic club with all its courts, by tenant id or slug."

    def add_arguments(self, parser: ArgumentParser) -> None:
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--tenant-id", help="Playtomic tenant id")
        group.add_argument("--slug", help="Playtomic club slug")
        parser.add_argument(
            "--monitor",
            action="store_true",
            help="also enable monitoring with the defaults (every 15 min, 08:00-23:00, 7 days)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            club = club_import(tenant_id=options["tenant_id"], slug=options["slug"])
            if options["monitor"]:
                monitoring_configure(club=club)
        except ValidationError as exc:
            raise CommandError(validation_message(exc)) from None
        except PlaytomicUnavailable as exc:
            raise CommandError(exc.message) from None
        courts = club.courts.filter(is_active=True).count()
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {club.name} (id {club.pk}, {club.timezone}, {courts} active courts)"
                + (", monitoring on" if options["monitor"] else "")
            )
        )
