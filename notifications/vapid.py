"""The VAPID key pair Web Push messages are signed with: from VAPID_PUBLIC_KEY /
VAPID_PRIVATE_KEY, or, on the embedded defaults (DEBUG on, none set), generated once into
VAR_DIR/vapid-private.pem (owner-only, O_EXCL so two processes cannot race)."""

from __future__ import annotations

import base64
import os
from functools import lru_cache
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from py_vapid import Vapid02


def _create_key_file(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)


@lru_cache(maxsize=1)
def vapid_key() -> Vapid02:
    configured: str = settings.VAPID_PRIVATE_KEY
    if configured:
        if configured.lstrip().startswith("-----BEGIN"):
            return Vapid02.from_pem(configured.encode())
        return Vapid02.from_string(configured)
    if settings.VAPID_KEY_FILE is None:
        raise ImproperlyConfigured("Set VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY for Web Push.")
    path = Path(settings.VAPID_KEY_FILE)
    if not path.exists():
        _create_key_file(path)
    return Vapid02.from_pem(path.read_bytes())


def vapid_public_key() -> str:
    """The application server key a browser subscribes with (base64url, uncompressed)."""
    configured: str = settings.VAPID_PUBLIC_KEY
    if configured:
        return configured
    public = vapid_key().public_key
    raw = public.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def vapid_subject() -> str:
    subject: str = settings.VAPID_SUBJECT
    return subject


def vapid_available() -> bool:
    return bool(settings.VAPID_PRIVATE_KEY) or settings.VAPID_KEY_FILE is not None
