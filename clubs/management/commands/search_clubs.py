from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from clubs.services import PlaytomicUnavailable, club_search


def parse_coordinate(text: str) -> tuple[float, float]:
    try:
        lat, lon = (float(part) for part in text.split(","))
    except ValueError:
        raise CommandError(f"--near must be 'latitude,longitude', got {text!r}") from None
    return lat, lon


def validation_message(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items())
    return " ".join(exc.messages)


class Command(BaseCommand):
    help = "Search Playtomic clubs by name and/or near a place; prints tenant id, slug, name."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("query", nargs="?", help="part of the club name")
        parser.add_argument("--near", help="latitude,longitude to search around")
        parser.add_argument("--radius", type=int, help="search radius in metres (with --near)")
        parser.add_argument("--sport", help="Playtomic sport id, e.g. PADEL")

    def handle(self, *args: Any, **options: Any) -> None:
        coordinate = parse_coordinate(options["near"]) if options["near"] else None
        try:
            tenants = club_search(
                query=options["query"],
                coordinate=coordinate,
                radius_m=options["radius"],
                sport_id=options["sport"],
            )
        except ValidationError as exc:
            raise CommandError(validation_message(exc)) from None
        except PlaytomicUnavailable as exc:
            raise CommandError(exc.message) from None
        if not tenants:
            self.stdout.write("No club found.")
            return
        for tenant in tenants:
            courts = len([c for c in tenant.courts if c.is_active])
            self.stdout.write(
                f"{tenant.tenant_id}  {tenant.slug or '-'}  {tenant.name}  "
                f"({tenant.address.city or '?'}, {tenant.timezone}, {courts} courts, "
                f"{'/'.join(tenant.sport_ids)})"
            )
