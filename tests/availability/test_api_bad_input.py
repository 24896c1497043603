"""Bad query parameters on the analytics API: a 400 with a message per field, never a 500.

Found by fuzzing the API with Schemathesis and by hand: far-off dates overflowed the club-local
day arithmetic, and ids beyond the primary key range overflowed the database driver."""

from __future__ import annotations

import pytest

from tests.availability.analytics_history import make_club
from tests.support.api import api_client

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999"
RANGED = [
    "utilization/daily",
    "utilization/daily.csv",
    "utilization/heatmap",
    "utilization/courts",
    "fill-curve",
    "lead-times",
    "prices",
    "chance?weekday=1&time=19:00",
]


def with_query(path: str, query: str) -> str:
    return f"{path}{'&' if '?' in path else '?'}{query}"


@pytest.mark.parametrize("path", RANGED)
@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("to_date=0001-01-01", "to_date"),
        ("from_date=0001-01-01&to_date=0001-01-02", "from_date"),
        ("from_date=9999-12-30&to_date=9999-12-31", "from_date"),
        ("to_date=9999-12-31", "to_date"),
    ],
)
def test_it_rejects_dates_outside_the_supported_years_on_every_range_endpoint(
    member, path, query, field
):
    club = make_club()

    response = api_client(member).get(with_query(f"/api/clubs/{club.pk}/{path}", query))

    assert response.status_code == 400
    (message,) = response.json()[field]
    assert "is not a date between 2000-01-01 and 2099-12-31" in message


def test_it_still_accepts_the_first_and_last_supported_dates(member):
    club = make_club()
    client = api_client(member)

    for query in ("from_date=2000-01-01&to_date=2000-01-05", "to_date=2099-12-31"):
        assert client.get(f"/api/clubs/{club.pk}/utilization/daily?{query}").status_code == 200


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("date=0001-01-01", "date"),
        ("date=9999-12-31", "date"),
        ("at=0001-01-01T00:00:00Z", "at"),
        ("at=1999-12-31T23:59:59Z", "at"),
        ("at=9999-12-31T23:59:59-05:00", "at"),
    ],
)
def test_availability_rejects_far_off_dates_and_instants(member, query, field):
    club = make_club()

    response = api_client(member).get(f"/api/clubs/{club.pk}/availability?{query}")

    assert response.status_code == 400
    assert field in response.json()


def test_changes_reject_far_off_dates_and_a_court_id_beyond_any_row(member):
    club = make_club()
    client = api_client(member)

    for path in ("changes", "changes.csv"):
        dates = client.get(f"/api/clubs/{club.pk}/{path}?from_date=0001-01-01")
        court = client.get(f"/api/clubs/{club.pk}/{path}?court={HUGE}")
        assert dates.status_code == 400 and "from_date" in dates.json()
        assert court.status_code == 400 and "court" in court.json()


def test_compare_rejects_far_off_dates_and_club_ids_beyond_any_row(member):
    club = make_club()
    client = api_client(member)

    dates = client.get(f"/api/clubs/compare?clubs={club.pk}&to_date=9999-12-31")
    ids = client.get(f"/api/clubs/compare?clubs={club.pk},{HUGE}")

    assert dates.status_code == 400 and "to_date" in dates.json()
    assert ids.status_code == 400
    assert ids.json()["clubs"] == ["Club ids are positive whole numbers."]
