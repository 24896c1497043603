"""What every message shares: the member's language, prices and links to pages here. Times
are written by `playtomic_monitor.localtime` (club-local, with the zone's abbreviation)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import User
from django.utils.translation import override

from notifications.models import NotificationPreference


def language_of(user: User) -> str:
    preference = NotificationPreference.objects.filter(user=user).first()
    return (
        preference.language if preference is not None else NotificationPreference.Language.ENGLISH
    )


@contextmanager
def in_language_of(user: User) -> Iterator[None]:
    """Render the enclosed gettext calls in the member's language."""
    with override(language_of(user)):
        yield


def price_text(amount: Decimal | str | None, currency: str) -> str:
    if amount is None or amount == "":
        return ""
    return f"{amount} {currency}".strip()


def page_url(path: str) -> str:
    """An absolute link to a page of this site (messages leave the site)."""
    site: str = settings.SITE_URL
    return site.rstrip("/") + path
