"""Any other service (Discord, Slack, ntfy, Pushover, Matrix, ...) through an apprise URL."""

from __future__ import annotations

import apprise

from notifications.transports.addresses import address_refusal
from notifications.transports.base import Message, Transport, TransportError


class AppriseTransport(Transport):
    def send(self, message: Message) -> None:
        target = apprise.Apprise()
        if not target.add(self.channel.secret):
            raise TransportError("The apprise URL is not valid", permanent=True)
        if address_refusal(self.channel.secret):
            raise TransportError("The address is on a private network", permanent=True)
        body = message.body + (f"\n\n{message.link}" if message.link else "")
        # apprise reports only success or failure: a failure is taken as temporary, and the
        # retries end in "failed" if it persists.
        if not target.notify(title=message.subject, body=body):
            raise TransportError("The apprise service did not take the message", permanent=False)


def apprise_url_valid(url: str) -> bool:
    return bool(apprise.Apprise().add(url))
