"""Write paths of the booking app. Accounts first: every Playtomic client that acts for an
account is built here, so rotated tokens always land in the database before they are used."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from booking.models import PlaytomicAccount
from playtomic.client import PlaytomicClient
from playtomic.errors import PlaytomicError
from playtomic.types import Tokens


def email_lookup_hash(email: str) -> str:
    """Keyed hash of the normalised email: lets us enforce one account per owner and email
    without storing the email in the clear."""
    normalised = email.strip().lower().encode()
    return hmac.new(settings.SECRET_KEY.encode(), normalised, hashlib.sha256).hexdigest()


def account_create(
    *, owner: AbstractBaseUser, email: str, password: str, label: str = ""
) -> PlaytomicAccount:
    email = email.strip()
    errors: dict[str, str] = {}
    if "@" not in email or len(email) > 254:
        errors["email"] = "Enter the email address of the Playtomic account."
    if not password:
        errors["password"] = "Enter the password of the Playtomic account."
    if errors:
        raise ValidationError(errors)
    account = PlaytomicAccount(
        owner=owner,
        label=label.strip()[:100],
        email=email,
        email_hash=email_lookup_hash(email),
        password=password,
    )
    try:
        with transaction.atomic():
            account.save()
    except IntegrityError as exc:
        raise ValidationError({"email": "You have added this Playtomic account already."}) from exc
    return account


def account_store_tokens(*, account: PlaytomicAccount, tokens: Tokens) -> None:
    """Persist a token pair the moment Playtomic hands it out. Refresh tokens are single-use:
    losing the new one locks the account out, so this commits on its own, before the client
    uses the tokens."""
    now = timezone.now()
    fields = {
        "access_token": tokens.access_token,
        "access_token_expires_at": tokens.access_expires_at,
        "refresh_token": tokens.refresh_token,
        "refresh_token_expires_at": tokens.refresh_expires_at,
        "playtomic_user_id": tokens.user_id or account.playtomic_user_id,
        "tokens_rotated_at": now,
        "status": PlaytomicAccount.Status.OK,
        "last_error": "",
    }
    with transaction.atomic():
        PlaytomicAccount.objects.filter(pk=account.pk).update(**fields)
    for name, value in fields.items():
        setattr(account, name, value)


def account_record_failure(*, account: PlaytomicAccount, error: PlaytomicError) -> None:
    message = f"{error.kind}: {error}"[:500]
    PlaytomicAccount.objects.filter(pk=account.pk).update(
        status=PlaytomicAccount.Status.FAILED, last_error=message
    )
    account.status = PlaytomicAccount.Status.FAILED
    account.last_error = message


def account_tokens(account: PlaytomicAccount) -> Tokens | None:
    if not account.refresh_token and not account.access_token:
        return None
    return Tokens(
        access_token=account.access_token,
        access_expires_at=account.access_token_expires_at or timezone.now(),
        refresh_token=account.refresh_token,
        refresh_expires_at=account.refresh_token_expires_at,
        user_id=account.playtomic_user_id,
    )


def account_client(
    *,
    account: PlaytomicAccount,
    before_request: Callable[[str], None] | None = None,
    read_timeout: float = 10.0,
    fresh: bool = False,
) -> PlaytomicClient:
    """A client acting as `account`, logged in (or refreshed) and ready to call. `fresh`
    ignores the stored tokens and logs in with the password."""
    tokens = None if fresh else account_tokens(account)
    client = PlaytomicClient(
        settings.PLAYTOMIC_BASE_URL,
        tokens=tokens,
        token_store=lambda tokens: account_store_tokens(account=account, tokens=tokens),
        user_agent=settings.PLAYTOMIC_USER_AGENT,
        read_timeout=read_timeout,
        before_request=before_request,
    )
    if tokens is None:
        client.login(account.email, account.password)
        PlaytomicAccount.objects.filter(pk=account.pk).update(last_login_at=timezone.now())
    return client


def account_test_login(*, account: PlaytomicAccount) -> bool:
    """The "test login" action: a fresh login with the stored password."""
    client = PlaytomicClient(
        settings.PLAYTOMIC_BASE_URL,
        token_store=lambda tokens: account_store_tokens(account=account, tokens=tokens),
        user_agent=settings.PLAYTOMIC_USER_AGENT,
    )
    try:
        client.login(account.email, account.password)
    except PlaytomicError as exc:
        account_record_failure(account=account, error=exc)
        return False
    PlaytomicAccount.objects.filter(pk=account.pk).update(last_login_at=timezone.now())
    return True


# ------------------------------------------------------------------------------- accounts


def account_update(
    *,
    account: PlaytomicAccount,
    label: str | None = None,
    email: str | None = None,
    password: str | None = None,
) -> PlaytomicAccount:
    """Change the label or credentials. New credentials drop the stored tokens: they belong
    to the old login."""
    if label is not None:
        account.label = label.strip()[:100]
    if email:
        email = email.strip()
        if "@" not in email or len(email) > 254:
            raise ValidationError({"email": "Enter the email address of the Playtomic account."})
        account.email = email
        account.email_hash = email_lookup_hash(email)
    if password:
        account.password = password
    if email or password:
        account.access_token = ""
        account.refresh_token = ""
        account.access_token_expires_at = None
        account.refresh_token_expires_at = None
        account.status = PlaytomicAccount.Status.NEW
        account.last_error = ""
    try:
        with transaction.atomic():
            account.save()
    except IntegrityError as exc:
        raise ValidationError({"email": "You have added this Playtomic account already."}) from exc
    return account
