"""Field encryption with a dedicated MultiFernet key list.

Keys come from FIELD_ENCRYPTION_KEYS (comma-separated Fernet keys, newest first; settings.py
checks each at start-up). With none set and DEBUG on (the embedded defaults) a key is generated
once into var/field-encryption.key with owner-only permissions; with DEBUG off no key file is
ever made or read. Keys are never derived from SECRET_KEY.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


def _load_or_create_key_file(path: Path) -> list[str]:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # O_EXCL: two processes starting together must not both write a different key.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(Fernet.generate_key().decode() + "\n")
    return [line.strip() for line in path.read_text().splitlines() if line.strip()]


@lru_cache(maxsize=1)
def get_fernet() -> MultiFernet:
    keys = list(settings.FIELD_ENCRYPTION_KEYS)
    if not keys:
        # None unless DEBUG was on at start-up (settings.py): a per-host key would have each
        # production server encrypt with a key no other server holds.
        if settings.FIELD_ENCRYPTION_KEY_FILE is None:
            raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS must be set when DEBUG is off.")
        keys = _load_or_create_key_file(Path(settings.FIELD_ENCRYPTION_KEY_FILE))
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS must be comma-separated Fernet keys "
            "(generate one with `python manage.py generate_encryption_key`)."
        ) from exc


def encrypt_str(value: str) -> str:
    return get_fernet().encrypt(value.encode()).decode()


def decrypt_str(token: str) -> str:
    try:
        return get_fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            "A stored secret cannot be decrypted with the configured FIELD_ENCRYPTION_KEYS."
        ) from exc


class EncryptedTextField(models.TextField):  # type: ignore[type-arg]
    """A text column holding a Fernet token; Python code sees the plaintext.

    Ciphertext is randomised, so these columns cannot be filtered on or made unique.
    """

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value  # type: ignore[no-any-return]
        return decrypt_str(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt_str(str(value))

    def value_to_string(self, obj: models.Model) -> str:
        # Dumps (dumpdata, serializers) get the ciphertext, never the plaintext.
        value = self.value_from_object(obj)
        return "" if value in (None, "") else encrypt_str(str(value))
