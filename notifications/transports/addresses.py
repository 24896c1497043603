"""Where a member's channel may send. A webhook, a push endpoint or an apprise URL is typed in
by a member, and the worker posts to it from inside the deployment's network: left unchecked,
a member could point a channel at this server's own services (the admin on 127.0.0.1, a
database port, a cloud metadata address) and read the answers in the delivery log. So such an
address must be on the public internet, unless the operator allows private addresses
(`NOTIFY_ALLOW_PRIVATE_ADDRESSES`, for a receiver on the same machine or the home network).

Two checks: `address_refusal` when the channel is saved (no DNS lookup: a literal IP address
or a localhost name), and `address_check_resolved` right before each send (every address the
name resolves to), which also catches a public name that points inside."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

from notifications.transports.base import TransportError


def _private_ip(value: str) -> bool:
    try:
        ip = ipaddress.ip_address(value.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


def _private_name(host: str) -> bool:
    name = host.rstrip(".").lower()
    return name == "localhost" or name.endswith(".localhost") or _private_ip(name)


def private_allowed() -> bool:
    allowed: bool = settings.NOTIFY_ALLOW_PRIVATE_ADDRESSES
    return allowed


def address_refusal(url: str) -> str | None:
    """Why a channel may not send to `url` (a message for the member), or None."""
    host = urlsplit(url).hostname
    if host and not private_allowed() and _private_name(host):
        return _("This address is on a private network; channels send to public addresses only.")
    return None


def address_check_resolved(url: str) -> None:
    """Raise a permanent TransportError when `url`'s host is, or resolves to, a private
    address (and private addresses are not allowed). A name that does not resolve is left
    to the send, which reports it as a connection error."""
    if private_allowed():
        return
    parts = urlsplit(url)
    host = parts.hostname
    if not host:
        return
    if _private_name(host):
        raise TransportError("The address is on a private network", permanent=True)
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, ValueError):
        return
    if any(_private_ip(str(info[4][0])) for info in infos):
        raise TransportError("The address resolves to a private network", permanent=True)
