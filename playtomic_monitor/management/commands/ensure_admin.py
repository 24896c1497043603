from __future__ import annotations

import os
import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Create the first admin account if none exists. Uses DJANGO_SUPERUSER_USERNAME / "
        "_PASSWORD / _EMAIL when set; otherwise makes 'admin' with a random password and prints "
        "it once. Never ships a default password."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        user_model = get_user_model()
        if user_model.objects.filter(is_superuser=True).exists():
            self.stdout.write("An admin account exists already.")
            return
        username = os.environ.get("DJANGO_SUPERUSER_USERNAME") or "admin"
        email = os.environ.get("DJANGO_SUPERUSER_EMAIL") or ""
        password = os.environ.get("DJANGO_SUPERUSER_PASSWORD")
        generated = not password
        if generated:
            password = secrets.token_urlsafe(12)
        user_model.objects.create_superuser(username=username, email=email, password=password)
        if generated:
            bar = "=" * 64
            self.stdout.write(
                f"\n{bar}\n  Admin account created. Save this password; it is shown only once.\n"
                f"  username: {username}\n  password: {password}\n{bar}\n"
            )
        else:
            self.stdout.write(f"Admin account '{username}' created from DJANGO_SUPERUSER_*.")
