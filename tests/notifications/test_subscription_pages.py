"""The subscription pages: list, add, edit, delete, the language of messages; errors beside
their field; another member's subscription is a 404."""

from __future__ import annotations

from typing import Any

import pytest

from clubs.models import Club, MonitoringConfig
from notifications.models import NotificationPreference, Subscription
from tests.support.web import web

pytestmark = pytest.mark.django_db


@pytest.fixture
def monitored(db: Any) -> Club:
    club = Club.objects.create(playtomic_id="t-1", name="Padel Madrid", timezone="Europe/Madrid")
    MonitoringConfig.objects.create(club=club)
    return club


def test_a_member_adds_an_alert_for_weekday_evenings_at_one_club(member, monitored):
    response = web(member).post(
        "/notifications/subscriptions/add/",
        {
            "name": "Evenings",
            "enabled": "on",
            "freed": "on",
            "clubs": [monitored.pk],
            "weekdays": ["1", "2", "3", "4", "5"],
            "time_from": "18:00",
            "time_to": "21:30",
        },
    )

    assert response.status_code == 302
    subscription = Subscription.objects.get(user=member)
    assert subscription.weekdays == [1, 2, 3, 4, 5]
    assert [club.pk for club in subscription.clubs.all()] == [monitored.pk]
    listing = web(member).get("/notifications/subscriptions/")
    assert "Evenings" in listing.content.decode()
    assert "Padel Madrid" in listing.content.decode()


def test_an_alert_for_nothing_shows_the_error_beside_its_field(member):
    response = web(member).post(
        "/notifications/subscriptions/add/", {"name": "Nothing", "min_duration_minutes": "5"}
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="id_freed_error"' in page
    assert 'id="id_min_duration_minutes_error"' in page
    assert not Subscription.objects.exists()


def test_a_bad_time_is_a_form_error_not_a_500(member):
    response = web(member).post(
        "/notifications/subscriptions/add/", {"freed": "on", "time_from": "27:99"}
    )

    assert response.status_code == 200
    assert 'id="id_time_from_error"' in response.content.decode()


def test_a_member_edits_and_deletes_their_alert(member):
    subscription = Subscription.objects.create(user=member, name="Old")
    client = web(member)

    assert client.get(f"/notifications/subscriptions/{subscription.pk}/").status_code == 200
    client.post(
        f"/notifications/subscriptions/{subscription.pk}/",
        {"name": "New", "released": "on", "starts_within_minutes": "120"},
    )
    subscription.refresh_from_db()
    assert (subscription.name, subscription.released, subscription.freed) == ("New", True, False)
    assert subscription.starts_within_minutes == 120

    client.post(f"/notifications/subscriptions/{subscription.pk}/delete/")
    assert not Subscription.objects.exists()


def test_another_members_alert_is_a_404(member, outsider):
    theirs = Subscription.objects.create(user=outsider)
    client = web(member)

    assert client.get(f"/notifications/subscriptions/{theirs.pk}/").status_code == 404
    assert client.post(f"/notifications/subscriptions/{theirs.pk}/delete/").status_code == 404
    assert Subscription.objects.filter(pk=theirs.pk).exists()


def test_a_member_chooses_the_language_of_their_messages_and_a_digest(member):
    web(member).post("/notifications/subscriptions/", {"language": "es", "digest": "weekly"})

    preference = NotificationPreference.objects.get(user=member)
    assert (preference.language, preference.digest) == ("es", "weekly")


def test_an_unknown_language_is_an_error_beside_its_field(member):
    response = web(member).post("/notifications/subscriptions/", {"language": "fr"})

    assert response.status_code == 200
    assert 'id="id_language_error"' in response.content.decode()
    assert not NotificationPreference.objects.exists()


def test_visitors_are_sent_to_log_in(client):
    response = client.get("/notifications/subscriptions/")

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
