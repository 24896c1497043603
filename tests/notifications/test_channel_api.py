"""The channels API: CRUD of the caller's own channels with secrets write-only, field errors
as 400s, a test send, and the delivery log."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from notifications.models import Channel
from tests.notifications.conftest import logged_delivery
from tests.support.api import api_client

pytestmark = pytest.mark.django_db

SECRET = "a-webhook-signing-secret-123"


@pytest.fixture
def api(member: Any) -> APIClient:
    return api_client(member)


def test_it_creates_a_channel_and_never_returns_its_secret(api: APIClient):
    response = api.post(
        "/api/notifications/channels/",
        {"kind": "webhook", "address": "https://example.com/h", "secret": SECRET},
        format="json",
    )

    assert response.status_code == 201, response.content
    assert SECRET not in response.content.decode()
    assert response.json()["has_secret"] is True
    listing = api.get("/api/notifications/channels/")
    assert SECRET not in listing.content.decode()
    assert Channel.objects.get().secret == SECRET


def test_bad_input_is_a_400_with_field_messages(api: APIClient):
    response = api.post(
        "/api/notifications/channels/",
        {"kind": "webhook", "address": "nope", "secret": "short", "kinds": ["bogus"]},
        format="json",
    )
    assert response.status_code == 400
    assert "kinds" in response.json()

    response = api.post(
        "/api/notifications/channels/",
        {"kind": "webhook", "address": "nope", "secret": "short"},
        format="json",
    )
    assert response.status_code == 400
    assert {"address", "secret"} <= set(response.json())


def test_update_keeps_the_secret_and_can_turn_the_channel_off(api: APIClient, member: Any):
    channel = Channel.objects.create(
        user=member, kind="webhook", address="https://example.com/h", secret=SECRET
    )
    response = api.put(
        f"/api/notifications/channels/{channel.pk}/",
        {"address": "https://example.com/new", "enabled": False},
        format="json",
    )

    assert response.status_code == 200, response.content
    channel.refresh_from_db()
    assert (channel.address, channel.secret, channel.enabled) == (
        "https://example.com/new",
        SECRET,
        False,
    )


def test_another_members_channel_is_a_404(api: APIClient, outsider: Any):
    theirs = Channel.objects.create(user=outsider, kind="email", address="o@example.com")
    assert api.get(f"/api/notifications/channels/{theirs.pk}/").status_code == 404
    assert api.delete(f"/api/notifications/channels/{theirs.pk}/").status_code == 404
    assert api.post(f"/api/notifications/channels/{theirs.pk}/test/").status_code == 404
    assert Channel.objects.filter(pk=theirs.pk).exists()


def test_test_send_writes_a_delivery_and_the_log_lists_it(api: APIClient, member: Any):
    channel = Channel.objects.create(user=member, kind="email", address="m@example.com")

    assert api.post(f"/api/notifications/channels/{channel.pk}/test/").status_code == 202

    log = api.get(f"/api/notifications/deliveries/?channel={channel.pk}").json()
    [row] = log["results"]
    assert (row["kind"], row["state"], row["channel"]) == ("test", "pending", channel.pk)


def test_the_log_holds_only_the_callers_deliveries(api: APIClient, outsider: Any):
    theirs = Channel.objects.create(user=outsider, kind="email", address="o@example.com")
    logged_delivery(theirs)

    assert api.get("/api/notifications/deliveries/").json()["results"] == []
