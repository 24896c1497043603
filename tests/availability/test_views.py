"""The club and compare pages with bad input: they fall back with a message, never an error
page."""

from __future__ import annotations

import pytest

from tests.availability.analytics_history import make_club

pytestmark = pytest.mark.django_db


def test_the_compare_page_explains_far_off_dates_instead_of_failing(client, member):
    make_club()
    client.force_login(member)

    page = client.get("/compare/?from=0001-01-01&to=9999-12-31")

    assert page.status_code == 200
    assert "“9999-12-31” is not a date between 2000-01-01 and 2099-12-31" in page.content.decode()


def test_the_compare_page_ignores_club_ids_that_are_digits_but_not_numbers(client, member):
    club = make_club()
    client.force_login(member)

    page = client.get("/compare/?club=%C2%B2&club=99999999999999999999")

    assert page.status_code == 200
    assert club.name in page.content.decode()


@pytest.mark.parametrize("sport", ["%00", "PADEL%00", "x" * 40, "%F0%9F%8E%BE"])
def test_the_club_and_compare_pages_drop_a_sport_that_cannot_be_one(client, member, sport):
    club = make_club()
    client.force_login(member)

    for url in (f"/clubs/{club.pk}/?sport={sport}", f"/compare/?sport={sport}"):
        page = client.get(url)

        assert page.status_code == 200, url
        assert "That is not a sport; showing every sport." in page.content.decode()
