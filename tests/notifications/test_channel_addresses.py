"""Channels send to public addresses only: a webhook, a push endpoint or an apprise URL on a
private network (this machine, the LAN, a cloud metadata address) is refused when it is saved
and again right before each send, unless the operator allows private addresses."""

from __future__ import annotations

import json
import socket
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from notifications.models import Channel, Delivery
from notifications.receivers import WebhookReceiver
from notifications.services.delivery import delivery_send
from notifications.services.outbox import notification_create
from notifications.transports.addresses import address_check_resolved
from notifications.transports.base import TransportError
from tests.notifications.conftest import WEBHOOK_SECRET
from tests.support.api import api_client

pytestmark = pytest.mark.django_db

PRIVATE_URLS = [
    "http://127.0.0.1:8000/admin/",
    "http://localhost/hook",
    "http://api.localhost/hook",
    "http://10.0.0.5/hook",
    "http://192.168.1.20:8123/api/webhook/x",
    "http://169.254.169.254/latest/meta-data/",
    "http://[::1]:5432/",
    "http://[::ffff:127.0.0.1]/",
    "http://0.0.0.0:6379/",
]


@pytest.fixture
def private_refused(settings: Any) -> None:
    settings.NOTIFY_ALLOW_PRIVATE_ADDRESSES = False


def post_webhook(member: Any, address: str) -> Any:
    """The API's answer to `member` adding a webhook channel to `address`."""
    return api_client(member).post(
        "/api/notifications/channels/",
        {"kind": "webhook", "address": address, "secret": WEBHOOK_SECRET},
        format="json",
    )


@pytest.mark.parametrize("url", PRIVATE_URLS)
def test_the_api_refuses_a_webhook_on_a_private_address(
    member: Any, private_refused: None, url: str
):
    response = post_webhook(member, url)

    assert response.status_code == 400
    assert "private network" in " ".join(response.json()["address"])
    assert not Channel.objects.exists()


def test_a_public_webhook_address_is_accepted_without_looking_it_up(
    member: Any, private_refused: None, monkeypatch: Any
):
    def no_dns(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("saving a channel must not wait on DNS")

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    response = post_webhook(member, "https://hooks.example.com/x")

    assert response.status_code == 201, response.content


def test_the_page_shows_the_refusal_beside_the_address(
    client: Client, member: Any, private_refused: None
):
    client.force_login(member)
    response = client.post(
        reverse("notifications:channel-add"),
        {
            "kind": "webhook",
            "name": "home assistant",
            "address": "http://192.168.1.20:8123/api/webhook/x",
            "rate_limit_per_minute": "20",
            "timezone": "Europe/Madrid",
        },
    )

    assert response.status_code == 200
    assert "private network" in " ".join(response.context["form"].errors["address"])
    assert not Channel.objects.exists()


def test_push_endpoints_and_apprise_urls_are_held_to_the_same_rule(
    member: Any, private_refused: None
):
    api = api_client(member)
    push = json.dumps(
        {"endpoint": "http://10.1.2.3/push/abc", "keys": {"p256dh": "k", "auth": "a"}}
    )

    for kind, secret in (("webpush", push), ("apprise", "json://127.0.0.1:9000/notify")):
        response = api.post(
            "/api/notifications/channels/", {"kind": kind, "secret": secret}, format="json"
        )
        assert response.status_code == 400, kind
        assert "private network" in " ".join(response.json()["secret"])


def test_the_operator_can_allow_private_addresses(member: Any, settings: Any):
    settings.NOTIFY_ALLOW_PRIVATE_ADDRESSES = True
    response = post_webhook(member, "http://192.168.1.20/hook")

    assert response.status_code == 201, response.content


def test_a_saved_channel_that_points_inside_is_not_sent_to_and_is_disabled(
    member: Any, webhook: WebhookReceiver, settings: Any
):
    # Saved while private addresses were allowed; the operator has since turned that off.
    channel = Channel.objects.create(
        user=member,
        kind=Channel.Kind.WEBHOOK,
        name="inside",
        address=webhook.url,
        secret=WEBHOOK_SECRET,
    )
    notification = notification_create(
        user=member, kind="slot_freed", dedupe_key="freed:1", subject="Court 3 is free", body=""
    )
    assert notification is not None
    delivery = notification.deliveries.get()
    settings.NOTIFY_ALLOW_PRIVATE_ADDRESSES = False

    assert delivery_send(delivery_id=delivery.pk) == Delivery.State.FAILED

    assert webhook.received == []
    channel.refresh_from_db()
    assert not channel.enabled
    assert "private network" in channel.disabled_reason


def test_a_public_name_that_resolves_inside_is_refused_before_sending(
    private_refused: None, monkeypatch: Any
):
    def resolve(host: str, port: int, *args: Any, **kwargs: Any) -> list[Any]:
        assert (host, port) == ("hooks.example.com", 443)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.20.30.40", port))]

    monkeypatch.setattr(socket, "getaddrinfo", resolve)

    with pytest.raises(TransportError) as refused:
        address_check_resolved("https://hooks.example.com/x")
    assert refused.value.permanent


def test_a_public_name_that_resolves_outside_is_sent_to(private_refused: None, monkeypatch: Any):
    def resolve(host: str, port: int, *args: Any, **kwargs: Any) -> list[Any]:
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", port))]

    monkeypatch.setattr(socket, "getaddrinfo", resolve)

    address_check_resolved("https://hooks.example.com/x")  # raises if refused
