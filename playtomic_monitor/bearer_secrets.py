"""Bearer secrets: API tokens, group invite links and calendar links. Whoever holds one is let
in, so only its SHA-256 digest is stored (a database dump holds nothing that works) and the
secret is shown once, when it is made; its first characters are kept to tell secrets apart.

A plain digest (no salt, no slow hash) is enough because every secret here is at least 192
random bits, not a password: nobody can guess one to match a leaked digest. Lookups compare
digests, so their timing says nothing about any stored secret."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

# Longer than any secret handed out; anything longer is not worth hashing.
MAX_SECRET_LENGTH = 100


@dataclass(frozen=True, slots=True)
class NewSecret:
    secret: str  # for the person who asked, once
    prefix: str  # stored: tells secrets apart on a page
    digest: str  # stored: what a lookup matches

    @property
    def stored(self) -> dict[str, str]:
        """The columns a model keeps of the secret."""
        return {"prefix": self.prefix, "digest": self.digest}


def secret_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def secret_new(*, prefix_length: int, random_bytes: int = 24, mark: str = "") -> NewSecret:
    """A fresh secret of `random_bytes` random bytes (URL-safe), after `mark` (a public label
    that makes a leaked secret recognisable)."""
    secret = mark + secrets.token_urlsafe(random_bytes)
    return NewSecret(secret=secret, prefix=secret[:prefix_length], digest=secret_digest(secret))


def secret_worth_looking_up(secret: str) -> bool:
    """Whether `secret` could be one we handed out (empty or overlong ones are not)."""
    return 0 < len(secret) <= MAX_SECRET_LENGTH
