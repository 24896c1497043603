"""The one place that builds a Playtomic client acting for an account: stored tokens in,
rotated tokens persisted (in their own transaction) before the client uses them."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone

from accounts.models import PlaytomicAccount
from accounts.services import account_record_login, account_store_tokens
from playtomic.client import ExchangeObserver, PlaytomicClient
from playtomic.types import Tokens
from playtomic_monitor.ratelimit import interactive_guard


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
    observer: ExchangeObserver | None = None,
    read_timeout: float = 10.0,
    max_retries: int = 2,
    retry_after_cap: float = 60.0,
    fresh: bool = False,
) -> PlaytomicClient:
    """A client acting as `account`, logged in (or refreshed) and ready to call. `fresh`
    ignores the stored tokens and logs in with the password. `observer` (a HostGuard) sees
    every exchange, the login included: the rate limit and the breaker live there."""
    tokens = None if fresh else account_tokens(account)
    client = PlaytomicClient(
        settings.PLAYTOMIC_BASE_URL,
        tokens=tokens,
        token_store=lambda tokens: account_store_tokens(account=account, tokens=tokens),
        user_agent=settings.PLAYTOMIC_USER_AGENT,
        read_timeout=read_timeout,
        observer=observer,
        max_retries=max_retries,
        retry_after_cap=retry_after_cap,
    )
    if tokens is None:
        client.login(account.email, account.password)
        account_record_login(account=account)
    return client


def account_interactive_client(*, account: PlaytomicAccount) -> PlaytomicClient:
    """A client for a call a person waits on in a web request (club search, club import): the
    interactive budget, which refuses rather than queue, a short read timeout, one retry at
    most and no long Retry-After sleeps, so the request is answered within seconds."""
    return account_client(
        account=account,
        observer=interactive_guard(),
        read_timeout=settings.PLAYTOMIC_INTERACTIVE_READ_TIMEOUT,
        max_retries=1,
        retry_after_cap=settings.PLAYTOMIC_INTERACTIVE_MAX_WAIT_SECONDS,
    )
