from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from playtomic.sandbox.__main__ import main as sandbox_main


class Command(BaseCommand):
    help = (
        "Run the Playtomic sandbox (the simulator used by tests, the demo and benchmarks). "
        "Takes the same options as `python -m playtomic.sandbox`; see docs/sandbox.md."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("sandbox_args", nargs="*", help="e.g. --port 8800 --seed 1")

    def run_from_argv(self, argv: list[str]) -> None:
        # Hand everything after the command name to the sandbox's own argument parser, so both
        # entry points accept exactly the same options.
        code = sandbox_main(argv[2:])
        if code:
            raise SystemExit(code)

    def handle(self, *args: Any, **options: Any) -> None:
        code = sandbox_main(list(options["sandbox_args"]))
        if code:
            raise CommandError(f"sandbox exited with status {code}")
