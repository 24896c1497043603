from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from clubs.models import Club, Court
from clubs.services import NoReaderAccount, club_import, club_search, club_update
from tests.clubs.conftest import LONDON, MADRID, tenant_id

pytestmark = pytest.mark.django_db


def test_it_imports_a_club_with_its_zone_hours_horizon_and_courts(madrid: Club):
    assert madrid.name == "Sandbox Padel Madrid"
    assert madrid.timezone == "Europe/Madrid"
    assert madrid.opening_hours["MONDAY"] == {"opening_time": "08:00", "closing_time": "23:00"}
    assert madrid.opening_hours["FRIDAY"]["closing_time"] == "00:00"
    assert madrid.booking_ahead_limit_minutes == 20160
    assert madrid.cancellation_policy_hours == 24
    assert madrid.latitude == pytest.approx(40.4218)
    assert madrid.currency == "EUR"
    assert madrid.courts.filter(is_active=True, sport_id="PADEL").count() == 10
    court = madrid.courts.order_by("reservation_priority").first()
    assert court is not None and court.durations == [60, 90, 120]
    assert court.size == "single"


def test_it_imports_every_sport_of_a_club(reader: Any, use_sandbox: Any):
    club = club_import(slug=LONDON)
    assert club.sport_ids == ["PADEL", "TENNIS"]
    sports = sorted(club.courts.values_list("sport_id", flat=True))
    assert sports == ["PADEL"] * 4 + ["TENNIS"] * 3


def test_it_updates_in_place_on_reimport_and_deactivates_vanished_courts(
    madrid: Club, use_sandbox: Any
):
    ghost = Court.objects.create(
        club=madrid, playtomic_id="gone", name="Old court", sport_id="PADEL"
    )
    Club.objects.filter(pk=madrid.pk).update(name="Renamed locally", city="")

    again = club_import(tenant_id=tenant_id(use_sandbox, MADRID))

    assert again.pk == madrid.pk
    assert again.name == "Sandbox Padel Madrid"
    assert again.city == "Madrid"
    ghost.refresh_from_db()
    assert ghost.is_active is False
    assert Court.objects.filter(club=madrid).count() == 11
    assert Club.objects.count() == 1


def test_it_rejects_an_unknown_tenant_id(reader: Any):
    with pytest.raises(ValidationError) as info:
        club_import(tenant_id="00000000-0000-4000-8000-000000000000")
    assert info.value.message_dict == {"tenant_id": ["Playtomic has no club with this id."]}


def test_it_rejects_an_unknown_slug(reader: Any):
    with pytest.raises(ValidationError) as info:
        club_import(slug="no-such-club")
    assert info.value.message_dict == {"slug": ["Playtomic has no club with this slug."]}


def test_it_wants_exactly_one_of_tenant_id_and_slug(reader: Any):
    with pytest.raises(ValidationError, match="either a Playtomic tenant id or a club slug"):
        club_import()
    with pytest.raises(ValidationError):
        club_import(tenant_id="x", slug="y")


def test_it_says_to_add_an_account_when_none_can_read(use_sandbox: Any, db: Any):
    with pytest.raises(NoReaderAccount) as info:
        club_import(slug=MADRID)
    assert "add a Playtomic account for monitoring" in info.value.messages[0]


def test_it_searches_by_name(reader: Any):
    names = [t.name for t in club_search(query="padel")]
    assert "Sandbox Padel Madrid" in names
    assert all("padel" in name.lower() for name in names)


def test_it_searches_near_a_place(reader: Any):
    tenants = club_search(coordinate=(40.42, -3.68), radius_m=5000)
    assert [t.slug for t in tenants] == [MADRID]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({}, "query"),
        ({"query": "a"}, "query"),
        ({"coordinate": (95.0, 0.0)}, "coordinate"),
        ({"query": "padel", "radius_m": 1000}, "radius_m"),
        ({"coordinate": (40.0, -3.0), "radius_m": 0}, "radius_m"),
    ],
)
def test_it_rejects_bad_search_input_with_a_field_message(reader: Any, kwargs: Any, field: str):
    with pytest.raises(ValidationError) as info:
        club_search(**kwargs)
    assert field in info.value.message_dict


def test_it_renames_a_club_but_refuses_an_empty_name(madrid: Club):
    assert club_update(club=madrid, name="  Madrid centre ").name == "Madrid centre"
    with pytest.raises(ValidationError) as info:
        club_update(club=madrid, name="   ")
    assert info.value.message_dict == {"name": ["The club needs a name."]}
