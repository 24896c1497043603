"""Email through Django's mail backend (SMTP settings in .env.example)."""

from __future__ import annotations

import smtplib

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

from notifications.transports.base import Message, Transport, TransportError, send_timeout


class EmailTransport(Transport):
    def send(self, message: Message) -> None:
        body = message.body + (f"\n\n{message.link}" if message.link else "")
        email = EmailMessage(
            subject=message.subject,
            body=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[self.channel.address],
            headers={"X-Notification-Id": message.id},
            connection=get_connection(timeout=send_timeout()),
        )
        for attachment in message.attachments:
            email.attach(attachment["filename"], attachment["content"], attachment["content_type"])
        try:
            email.send(fail_silently=False)
        except smtplib.SMTPRecipientsRefused as exc:
            raise TransportError("The mail server refused the address", permanent=True) from exc
        except smtplib.SMTPResponseException as exc:
            # 5xx: the server will never take it; 4xx: try again later.
            raise TransportError(
                f"The mail server answered {exc.smtp_code}", permanent=exc.smtp_code >= 500
            ) from exc
        except (TimeoutError, smtplib.SMTPException, OSError) as exc:
            raise TransportError(
                f"Mail server unreachable ({type(exc).__name__})", permanent=False
            ) from exc
