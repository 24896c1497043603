"""`?sport=` narrows the analytics API to one sport's courts for a club that offers several."""

from __future__ import annotations

from typing import Any

import pytest

from clubs.models import Club, Court
from tests.availability.analytics_history import cell, court, local, make_club, poll
from tests.availability.dst_week import DAYS, FREE, RANGE, SAT, TAKEN
from tests.support.api import api_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def club() -> Club:
    """Saturday 08:00-10:00: two padel courts fully booked at 08:00, one tennis court free at
    08:00 and booked at 09:00."""
    club = make_club(courts=2, sport_id="PADEL")
    tennis = Court.objects.create(
        club=club,
        playtomic_id="r-tennis",
        name="Tennis 1",
        sport_id="TENNIS",
        reservation_priority=9,
    )
    for padel in (court(club, 0), court(club, 1)):
        cell(club, padel, SAT, "08:00", [(2 * DAYS, FREE), (DAYS, TAKEN)])
    cell(club, tennis, SAT, "08:00", [(2 * DAYS, FREE)])
    cell(club, tennis, SAT, "09:00", [(2 * DAYS, TAKEN)])
    poll(club, local(club, SAT, "08:00") - 2 * DAYS, [SAT])
    return club


def _get(member: Any, club: Club, path: str) -> dict[str, Any]:
    response = api_client(member).get(f"/api/clubs/{club.pk}/{path}")
    assert response.status_code == 200, response.content
    return response.json()


def _taken_free(figures: dict[str, Any]) -> tuple[int, int]:
    return figures["taken"], figures["free"]


def test_daily_utilization_counts_only_the_asked_sports_courts(club, member):
    padel = _get(member, club, f"utilization/daily?{RANGE}&sport=PADEL")["total"]
    tennis = _get(member, club, f"utilization/daily?{RANGE}&sport=TENNIS")["total"]
    both = _get(member, club, f"utilization/daily?{RANGE}")["total"]

    assert _taken_free(padel) == (2, 0)
    assert padel["utilization"] == 1.0
    assert _taken_free(tennis) == (1, 1)
    assert tennis["utilization"] == 0.5
    assert _taken_free(both) == (3, 1)


def test_the_heatmap_shows_only_the_asked_sports_cells(club, member):
    def cells(sport: str) -> list[tuple[int, int, int, int]]:
        heat = _get(member, club, f"utilization/heatmap?{RANGE}&sport={sport}")
        return [(c["weekday"], c["hour"], c["taken"], c["free"]) for c in heat["cells"]]

    assert cells("PADEL") == [(6, 8, 2, 0)]
    assert cells("TENNIS") == [(6, 8, 0, 1), (6, 9, 1, 0)]


def test_the_sport_is_matched_whatever_its_case(club, member):
    lower = _get(member, club, f"utilization/daily?{RANGE}&sport=tennis")["total"]
    assert _taken_free(lower) == (1, 1)
