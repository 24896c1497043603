from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from booking.yaml_config import ConfigError, import_rules


class Command(BaseCommand):
    help = "Create or update booking rules from a YAML file (all or nothing)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            rules = import_rules(path.read_text())
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror}") from exc
        except UnicodeDecodeError:
            raise CommandError(f"cannot read {path}: it is not UTF-8 text") from None
        except ConfigError as exc:
            raise CommandError(f"{path} is not valid:\n  " + "\n  ".join(exc.problems)) from exc
        for rule in rules:
            when = rule.next_release_at.isoformat() if rule.next_release_at else "none"
            self.stdout.write(f"{rule.name}: next release {when}")
