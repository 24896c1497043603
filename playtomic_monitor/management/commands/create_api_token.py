from argparse import ArgumentParser
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from playtomic_monitor.services import DEFAULT_TOKEN_DAYS, api_token_create


class Command(BaseCommand):
    help = (
        "Create an API token for USERNAME and print its secret, the only time it is shown "
        "(only a digest is stored). Send it as 'Authorization: Bearer <secret>'."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", required=True, help="What the token is for.")
        parser.add_argument(
            "--days",
            type=int,
            default=DEFAULT_TOKEN_DAYS,
            help=f"Days until it expires (default {DEFAULT_TOKEN_DAYS}).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user_model = get_user_model()
        try:
            user = user_model.objects.get(**{user_model.USERNAME_FIELD: options["username"]})
        except user_model.DoesNotExist:
            raise CommandError(f"No user named {options['username']!r}.") from None
        try:
            token, secret = api_token_create(user=user, name=options["name"], days=options["days"])
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stderr.write(
            f"Token {token.name!r} for {options['username']}, expires "
            f"{token.expires_at:%Y-%m-%d %H:%M} UTC. Save it now: it is not shown again."
        )
        self.stdout.write(secret)
