"""Write paths of Playtomic accounts: adding, changing, testing and recording what a login
said. Tokens are stored by `accounts.client`, the one place that builds a client for an
account."""

from __future__ import annotations

import hashlib
import hmac
import logging

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import PlaytomicAccount
from playtomic.client import PlaytomicClient
from playtomic.errors import PlaytomicError
from playtomic.types import Tokens
from playtomic_monitor.errors import PlaytomicUnavailable
from playtomic_monitor.ratelimit import interactive_guard

logger = logging.getLogger(__name__)

BAD_EMAIL = gettext_lazy("Enter the email address of the Playtomic account.")
DUPLICATE = gettext_lazy("You have added this Playtomic account already.")


def email_lookup_hash(email: str) -> str:
    """Keyed hash of the normalised email: lets us enforce one account per owner and email
    without storing the email in the clear."""
    normalised = email.strip().lower().encode()
    return hmac.new(settings.SECRET_KEY.encode(), normalised, hashlib.sha256).hexdigest()


def _valid_email(email: str) -> bool:
    return "@" in email and len(email) <= 254


def _save_unique(account: PlaytomicAccount) -> None:
    try:
        with transaction.atomic():
            account.save()
    except IntegrityError as exc:
        raise ValidationError({"email": DUPLICATE}) from exc


def account_create(*, owner: User, email: str, password: str, label: str = "") -> PlaytomicAccount:
    email = email.strip()
    errors: dict[str, str | Promise] = {}
    if not _valid_email(email):
        errors["email"] = BAD_EMAIL
    if not password:
        errors["password"] = _("Enter the password of the Playtomic account.")
    if errors:
        raise ValidationError(errors)
    account = PlaytomicAccount(
        owner=owner,
        label=label.strip()[:100],
        email=email,
        email_hash=email_lookup_hash(email),
        password=password,
    )
    _save_unique(account)
    return account


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
        if not _valid_email(email):
            raise ValidationError({"email": BAD_EMAIL})
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
    _save_unique(account)
    return account


def account_delete(*, account: PlaytomicAccount) -> None:
    """Forget the account and its encrypted secrets. Rules stop booking with it, groups it was
    lent to lose it and monitoring that read as it falls back to another account (the
    relations' own `on_delete`)."""
    with transaction.atomic():
        account.delete()


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


def account_record_login(*, account: PlaytomicAccount) -> None:
    PlaytomicAccount.objects.filter(pk=account.pk).update(last_login_at=timezone.now())


def account_record_failure(*, account: PlaytomicAccount, error: PlaytomicError) -> None:
    """Mark the account's login failing. When it was not failing before, each dotted path in
    `settings.ACCOUNT_LOGIN_FAILED_HOOKS` is called with its id and the instant in the same
    transaction (once per episode: until a login works again, nothing more is announced)."""
    message = f"{error.kind}: {error}"[:500]
    failed = PlaytomicAccount.Status.FAILED
    with transaction.atomic():
        started = (
            PlaytomicAccount.objects.filter(pk=account.pk)
            .exclude(status=failed)
            .update(status=failed, last_error=message)
        )
        if started:
            at = timezone.now()
            for path in getattr(settings, "ACCOUNT_LOGIN_FAILED_HOOKS", ()):
                try:
                    with transaction.atomic():  # a failing hook rolls back only itself
                        import_string(path)(account_id=account.pk, at=at)
                except Exception:
                    logger.exception("login-failed hook %s failed for account %s", path, account.pk)
        else:
            PlaytomicAccount.objects.filter(pk=account.pk).update(last_error=message)
    account.status = PlaytomicAccount.Status.FAILED
    account.last_error = message


def account_test_login(*, account: PlaytomicAccount) -> bool:
    """The "test login" action: a fresh login with the stored password, on the interactive
    budget (a person waits for it). False, recorded on the account, when Playtomic refuses the
    login; `PlaytomicUnavailable` when there was no verdict on it (nothing sent, a timeout, a
    5xx, a 429), which says nothing about the account."""
    client = PlaytomicClient(
        settings.PLAYTOMIC_BASE_URL,
        token_store=lambda tokens: account_store_tokens(account=account, tokens=tokens),
        user_agent=settings.PLAYTOMIC_USER_AGENT,
        read_timeout=settings.PLAYTOMIC_INTERACTIVE_READ_TIMEOUT,
        observer=interactive_guard(),
    )
    try:
        client.login(account.email, account.password)
    except PlaytomicError as exc:
        if exc.http_status is None or exc.trips_breaker:
            raise PlaytomicUnavailable(exc) from exc
        account_record_failure(account=account, error=exc)
        return False
    finally:
        client.close()
    account_record_login(account=account)
    return True
