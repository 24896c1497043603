from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from booking.models import BookingRule
from booking.yaml_config import export_rules


class Command(BaseCommand):
    help = "Print booking rules as YAML (accounts by label; never credentials)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--owner", help="only this user's rules")

    def handle(self, *args: Any, **options: Any) -> None:
        rules = BookingRule.objects.select_related("club", "owner").order_by("owner", "name")
        if options["owner"]:
            rules = rules.filter(owner__username=options["owner"])
        self.stdout.write(export_rules(list(rules)), ending="")
