from __future__ import annotations

import time
from typing import Any

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from playtomic_monitor.crypto import EncryptedTextField, get_fernet


class Command(BaseCommand):
    help = (
        "Re-encrypt every stored secret under the first key of FIELD_ENCRYPTION_KEYS. "
        "Add the new key first, run this, then drop the old key."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        get_fernet.cache_clear()
        try:
            self._rotate()
        except ImproperlyConfigured as exc:
            # Bad keys, or a secret under a key no longer listed: each model's rows are
            # rewritten in one transaction, so the failing model is left as it was.
            raise CommandError(
                f"{exc} Keep the old key in the list (after the new one) until the rotation "
                "has finished."
            ) from None

    def _rotate(self) -> None:
        started = time.monotonic()
        total = 0
        for model in apps.get_models():
            fields = [f.name for f in model._meta.get_fields() if isinstance(f, EncryptedTextField)]
            if not fields:
                continue
            count = 0
            with transaction.atomic():
                for row in model._default_manager.select_for_update().only("pk", *fields):
                    # Reading decrypts with any known key; saving encrypts with the first.
                    model._default_manager.filter(pk=row.pk).update(
                        **{name: getattr(row, name) for name in fields}
                    )
                    count += 1
            total += count
            self.stdout.write(f"{model._meta.label}: re-encrypted {count} row(s)")
        elapsed = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(f"Re-encrypted {total} row(s) in {elapsed:.2f}s."))
