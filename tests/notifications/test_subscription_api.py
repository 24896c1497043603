"""The subscriptions API: the caller's own only, 400 with field messages on bad input."""

from __future__ import annotations

from decimal import Decimal

import pytest

from clubs.models import Club, Court
from notifications.models import Subscription
from tests.support.api import api_client

pytestmark = pytest.mark.django_db

URL = "/api/notifications/subscriptions/"


@pytest.fixture
def two_clubs(db) -> tuple[Club, Club]:
    first = Club.objects.create(playtomic_id="t-1", name="First", timezone="Europe/Madrid")
    second = Club.objects.create(playtomic_id="t-2", name="Second", timezone="Europe/London")
    Court.objects.create(club=first, playtomic_id="c-1", name="Court 1", sport_id="PADEL")
    Court.objects.create(club=second, playtomic_id="c-2", name="Court 2", sport_id="PADEL")
    return first, second


def test_a_member_creates_reads_replaces_and_deletes_a_subscription(member, two_clubs):
    first, _ = two_clubs
    client = api_client(member)
    created = client.post(
        URL,
        {
            "name": "Weekday evenings",
            "clubs": [first.pk],
            "weekdays": [1, 2, 3, 4, 5],
            "time_from": "18:00",
            "time_to": "21:30",
            "min_duration_minutes": 90,
            "surface": "indoor",
            "max_hourly_price": "30.00",
            "starts_within_minutes": 120,
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["time_from"], body["weekdays"], body["freed"]) == (
        "18:00:00",
        [1, 2, 3, 4, 5],
        True,
    )
    url = f"{URL}{body['id']}/"

    replaced = client.put(url, {"released": True, "freed": False}, format="json")
    assert replaced.status_code == 200, replaced.json()
    subscription = Subscription.objects.get()
    assert (subscription.released, subscription.freed, subscription.weekdays) == (True, False, [])
    assert list(subscription.clubs.all()) == []
    assert client.get(URL).json()[0]["id"] == subscription.pk

    assert client.delete(url).status_code == 204
    assert not Subscription.objects.exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"weekdays": [0]}, "weekdays"),
        ({"weekdays": [8]}, "weekdays"),
        ({"time_from": "25:00"}, "time_from"),
        ({"time_to": "18:00+02:00"}, "time_to"),
        ({"freed": False, "released": False}, "freed"),
        ({"min_duration_minutes": 10}, "min_duration_minutes"),
        ({"max_hourly_price": "-1"}, "max_hourly_price"),
        ({"max_hourly_price": "1e30"}, "max_hourly_price"),
        ({"starts_within_minutes": 7}, "starts_within_minutes"),
        ({"surface": "roof"}, "surface"),
        ({"clubs": [999999]}, "clubs"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(member, data, field):
    response = api_client(member).post(URL, data, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert not Subscription.objects.exists()


def test_courts_must_belong_to_the_chosen_clubs(member, two_clubs):
    first, second = two_clubs
    court = second.courts.get()

    response = api_client(member).post(
        URL, {"clubs": [first.pk], "courts": [court.pk]}, format="json"
    )

    assert response.status_code == 400
    assert "courts" in response.json()


def test_another_members_subscription_is_a_404(member, outsider):
    theirs = Subscription.objects.create(user=outsider, max_hourly_price=Decimal("20"))
    client = api_client(member)

    assert client.get(URL).json() == []
    assert client.get(f"{URL}{theirs.pk}/").status_code == 404
    assert client.delete(f"{URL}{theirs.pk}/").status_code == 404
    assert Subscription.objects.filter(pk=theirs.pk).exists()


def test_anonymous_callers_are_refused(client):
    assert client.get(URL).status_code in (401, 403)
