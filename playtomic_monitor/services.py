"""API tokens: issue (the secret is returned once and never stored), revoke, authenticate."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from playtomic_monitor.bearer_secrets import secret_digest, secret_new, secret_worth_looking_up
from playtomic_monitor.models import ApiToken

# Makes a leaked token recognisable to people and secret scanners; the rest is 32 random bytes.
TOKEN_MARK = "ptm_"  # noqa: S105 (public marker, not a secret)
PREFIX_LENGTH = 12
DEFAULT_TOKEN_DAYS = 90
# last_used_at is a hint for people, not an audit log: one write a minute per token at most,
# rather than one per request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def api_token_create(
    *, user: User, name: str, days: int = DEFAULT_TOKEN_DAYS
) -> tuple[ApiToken, str]:
    """Store a new token for `user` and return it with its secret, the only time the secret
    exists outside the caller's hands."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the token a name saying what it is for.")})
    if days < 1:
        raise ValidationError({"days": _("A token must live at least one day.")})
    new = secret_new(prefix_length=PREFIX_LENGTH, random_bytes=32, mark=TOKEN_MARK)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        **new.stored,
        expires_at=timezone.now() + timedelta(days=days),
    )
    return token, new.secret


def api_token_revoke(*, token: ApiToken) -> bool:
    """Refuse the token from now on. False if it was revoked already."""
    now = timezone.now()
    changed = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now)
    if changed:
        token.revoked_at = now
    return bool(changed)


def api_token_authenticate(*, secret: str) -> ApiToken | None:
    """The live token (not expired, not revoked, active user) whose secret this is, or None.

    The lookup compares digests, so its timing says nothing about any stored secret."""
    if not secret_worth_looking_up(secret):
        return None
    now = timezone.now()
    token = (
        ApiToken.objects.select_related("user")
        .filter(
            digest=secret_digest(secret),
            revoked_at__isnull=True,
            expires_at__gt=now,
            user__is_active=True,
        )
        .first()
    )
    if token is None:
        return None
    if token.last_used_at is None or token.last_used_at < now - LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
