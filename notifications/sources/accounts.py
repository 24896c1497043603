"""A Playtomic account whose login fails: its owner is told once per episode (from the first
failure after a working login until a login works again). Wired as
`settings.ACCOUNT_LOGIN_FAILED_HOOKS`; accounts calls it in the transaction that marks the
account failing."""

from __future__ import annotations

from datetime import datetime

from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import PlaytomicAccount
from notifications.models import Notification
from notifications.services.outbox import notification_create
from notifications.wording import in_language_of, page_url


def account_login_failed_notify(*, account_id: int, at: datetime) -> bool:
    """Tell the owner that the account can no longer log in. True when a notification was
    written."""
    account = PlaytomicAccount.objects.select_related("owner").filter(pk=account_id).first()
    if account is None:
        return False
    link = page_url(reverse("accounts:list"))
    with in_language_of(account.owner):
        subject = _("Playtomic login failing: %(account)s") % {"account": str(account)}
        body = "\n".join(
            [
                _(
                    "Playtomic refused the login of %(account)s; bookings and monitoring "
                    "that read as it stop until its password is fixed."
                )
                % {"account": str(account)},
                _("Error: %(error)s") % {"error": account.last_error},
                link,
            ]
        )
    notification = notification_create(
        user=account.owner,
        kind=Notification.Kind.ACCOUNT_LOGIN_FAILING,
        dedupe_key=f"account_login:{account.pk}:{at.isoformat()}",
        subject=subject,
        body=body,
        link=link,
    )
    return notification is not None
