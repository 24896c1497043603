"""Subscriptions and notification preferences in the admin."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from notifications.models import NotificationPreference, Subscription
from tests.support.web import web

pytestmark = pytest.mark.django_db


def test_staff_see_and_open_members_subscriptions_and_preferences(member):
    root = get_user_model().objects.create_superuser("root", password="root-pass-123")
    subscription = Subscription.objects.create(user=member, name="Evenings")
    preference = NotificationPreference.objects.create(user=member, language="es")
    client = web(root)

    listing = client.get("/admin/notifications/subscription/")
    assert listing.status_code == 200
    assert "Evenings" in listing.content.decode()
    assert (
        client.get(f"/admin/notifications/subscription/{subscription.pk}/change/").status_code
        == 200
    )
    assert client.get("/admin/notifications/subscription/add/").status_code == 200
    assert (
        client.get(
            f"/admin/notifications/notificationpreference/{preference.pk}/change/"
        ).status_code
        == 200
    )
