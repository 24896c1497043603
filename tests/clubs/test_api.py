from __future__ import annotations

import pytest

from accounts.services import account_create
from clubs.models import Club, MonitoringConfig
from tests.availability.analytics_history import make_club
from tests.conftest import SANDBOX_EMAIL, SANDBOX_PASSWORD
from tests.support.api import api_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader(staff):
    """The staff user's Playtomic account on the sandbox: what every read goes through."""
    return account_create(owner=staff, email=SANDBOX_EMAIL, password=SANDBOX_PASSWORD)


def test_anonymous_requests_are_refused():
    club = make_club()
    anonymous = api_client()
    for url in ("/api/clubs/", f"/api/clubs/{club.pk}/", f"/api/clubs/{club.pk}/monitoring"):
        assert anonymous.get(url).status_code in (401, 403)
    assert anonymous.post("/api/clubs/", {"slug": "x"}).status_code in (401, 403)


def test_members_read_but_cannot_change(member):
    club = make_club()
    api = api_client(member)

    assert api.get("/api/clubs/").status_code == 200
    assert api.get(f"/api/clubs/{club.pk}/").status_code == 200
    assert api.post("/api/clubs/", {"slug": "x"}, format="json").status_code == 403
    assert api.patch(f"/api/clubs/{club.pk}/", {"name": "X"}, format="json").status_code == 403
    assert api.delete(f"/api/clubs/{club.pk}/").status_code == 403
    assert api.post(f"/api/clubs/{club.pk}/monitoring", {}, format="json").status_code == 403
    assert Club.objects.get().name == "Club Uno"


def test_it_lists_clubs_paginated_and_filtered(member):
    make_club("Alpha")
    make_club("Beta")
    api = api_client(member)

    everything = api.get("/api/clubs/").json()
    only_beta = api.get("/api/clubs/?q=bet").json()

    assert everything["count"] == 2
    assert [c["name"] for c in everything["results"]] == ["Alpha", "Beta"]
    assert [c["name"] for c in only_beta["results"]] == ["Beta"]
    assert len(everything["results"][0]["courts"]) == 2
    assert everything["results"][0]["monitoring"] is None


def test_an_unknown_club_is_a_404(member):
    assert api_client(member).get("/api/clubs/999/").status_code == 404


def test_staff_search_playtomic_through_the_sandbox(use_sandbox, staff, reader):
    api = api_client(staff)

    response = api.get("/api/clubs/search?query=madrid")

    assert response.status_code == 200
    [found] = response.json()
    assert found["name"] == "Sandbox Padel Madrid"
    assert found["timezone"] == "Europe/Madrid"
    assert found["imported_club_id"] is None


def test_search_explains_bad_input(use_sandbox, staff, reader):
    api = api_client(staff)

    short = api.get("/api/clubs/search?query=m")
    half_place = api.get("/api/clubs/search?lat=40.4")

    assert short.status_code == 400 and "query" in short.json()
    assert half_place.status_code == 400 and "lat" in half_place.json()


def test_search_without_a_playtomic_account_says_so(use_sandbox, staff):
    response = api_client(staff).get("/api/clubs/search?query=madrid")

    assert response.status_code == 400
    assert "Playtomic account" in str(response.json())


def test_staff_import_a_club_by_slug_and_reimport_in_place(use_sandbox, staff, reader):
    api = api_client(staff)

    first = api.post("/api/clubs/", {"slug": "sandbox-padel-madrid"}, format="json")
    again = api.post("/api/clubs/", {"tenant_id": first.json()["playtomic_id"]}, format="json")

    assert first.status_code == 201
    body = first.json()
    assert body["name"] == "Sandbox Padel Madrid"
    assert body["timezone"] == "Europe/Madrid"
    assert len(body["courts"]) > 0
    assert again.status_code == 201 and again.json()["id"] == body["id"]
    assert Club.objects.count() == 1


def test_import_needs_exactly_one_key(staff):
    response = api_client(staff).post("/api/clubs/", {}, format="json")

    assert response.status_code == 400
    assert "tenant_id" in response.json()


@pytest.mark.parametrize("tenant_id", ["../matches", "a" * 65, "x/y", "tenant id"])
def test_an_id_that_cannot_be_a_playtomic_id_is_refused_before_any_request(
    use_sandbox, staff, reader, tenant_id
):
    use_sandbox.clear_requests()

    response = api_client(staff).post("/api/clubs/", {"tenant_id": tenant_id}, format="json")

    assert response.status_code == 400
    assert "tenant_id" in response.json()
    assert use_sandbox.requests(path="/v1/matches") == []
    assert use_sandbox.requests(path="/v1/tenants") == []


def test_staff_rename_and_delete_a_club(staff):
    club = make_club()
    api = api_client(staff)

    renamed = api.patch(f"/api/clubs/{club.pk}/", {"name": "Norte"}, format="json")
    blank = api.patch(f"/api/clubs/{club.pk}/", {"name": " "}, format="json")
    deleted = api.delete(f"/api/clubs/{club.pk}/")

    assert renamed.status_code == 200 and renamed.json()["name"] == "Norte"
    assert blank.status_code == 400 and "name" in blank.json()
    assert deleted.status_code == 204
    assert not Club.objects.exists()


def test_monitoring_config_lifecycle(staff, member):
    club = make_club()
    api = api_client(staff)
    url = f"/api/clubs/{club.pk}/monitoring"

    missing = api.get(url)
    created = api.post(
        url,
        {
            "frequency_minutes": 15,
            "start_time_local": "08:00",
            "end_time_local": "22:00",
            "days_ahead": 3,
        },
        format="json",
    )
    paused = api.patch(url, {"enabled": False}, format="json")
    read = api_client(member).get(url)
    deleted = api.delete(url)

    assert missing.status_code == 404
    assert created.status_code == 201, created.json()
    assert created.json()["end_time_local"] == "22:00"
    assert paused.status_code == 200
    assert paused.json()["enabled"] is False and paused.json()["days_ahead"] == 3
    assert read.status_code == 200 and read.json()["frequency_minutes"] == 15
    assert deleted.status_code == 204
    assert not MonitoringConfig.objects.exists()


def test_monitoring_rejects_bad_values_with_field_messages(staff):
    club = make_club()
    api = api_client(staff)
    url = f"/api/clubs/{club.pk}/monitoring"

    window = api.post(url, {"start_time_local": "22:00", "end_time_local": "08:00"}, format="json")
    garbage = api.post(
        url, {"frequency_minutes": "often", "start_time_local": "25:99"}, format="json"
    )
    too_often = api.post(url, {"frequency_minutes": 1}, format="json")

    assert window.status_code == 400
    assert garbage.status_code == 400
    assert {"frequency_minutes", "start_time_local"} <= set(garbage.json())
    assert too_often.status_code == 400 and "frequency_minutes" in too_often.json()
    assert not MonitoringConfig.objects.exists()
