"""Our games: every member of the group sees its booked games (club, court, local time with
the zone's abbreviation, price, who paid, who plays, a link to the match), on the page, in the
API and in a calendar feed at a secret link that parses with the right TZID, local times and
VTIMEZONE, and that rotates (the old link is a 404)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

import icalendar
import pytest
import time_machine
from django.test import Client

from booking.models import BookingAttempt, CalendarFeed
from tests.booking.conftest import booked_game, lent_group_rule
from tests.support.api import api_client
from tests.support.web import web

pytestmark = pytest.mark.django_db

# A Thursday in December: the game below is on Tuesday 15 December, 19:00 in Madrid (CET).
NOW = datetime(2026, 12, 10, 9, 0, tzinfo=UTC)
GAME_START = datetime(2026, 12, 15, 18, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def game(group, member, owner, admin, account, club) -> BookingAttempt:
    court = club.courts.filter(size="double").order_by("reservation_priority").first()
    rule = lent_group_rule(
        group,
        account,
        club,
        name="Tuesday evenings",
        owner=member,
        lender=member,
        players=[member, owner],
        weekdays=[1],
        earliest_start=time(19, 0),
        latest_start=time(20, 0),
        court_preference=[court.pk],
        enabled=False,
    )
    return booked_game(
        rule,
        court,
        GAME_START,
        account=account,
        match_id="m-1234",
        players=[
            {"user_id": "101", "name": "member", "member": member.pk},
            {"user_id": "102", "name": "Olga", "member": owner.pk},
        ],
    )


def test_every_member_of_the_group_sees_its_games(game, owner, admin, member):
    for user in (owner, admin, member):
        page = web(user).get("/booking/games/")
        assert page.status_code == 200
        text = page.content.decode()
        assert "Tue 15 Dec 2026, 19:00 CET" in text
        assert "Sandbox Padel Madrid" in text
        assert game.court.name in text
        assert "48 EUR" in text
        assert "Paid by Mine, split 4 ways" in text
        assert "Olga" in text
        assert "2 open seats" in text
        assert "https://app.playtomic.com/matches/m-1234" in text


def test_an_outsider_sees_none_of_the_groups_games(game, outsider):
    page = web(outsider).get("/booking/games/").content.decode()
    assert "Tue 15 Dec" not in page
    assert api_client(outsider).get("/api/booking/games/").json() == []


def test_the_games_api_answers_the_same_games(game, owner, group):
    response = api_client(owner).get(f"/api/booking/games/?group={group.pk}")

    assert response.status_code == 200
    [answer] = response.json()
    assert answer["when"] == "Tue 15 Dec 2026, 19:00 CET"
    assert answer["local_start"] == "2026-12-15T19:00:00+01:00"
    assert answer["club_timezone"] == "Europe/Madrid"
    assert answer["players"] == ["member", "Olga"]
    assert answer["open_seats"] == 2
    assert answer["paid_by"] == "Mine"
    assert answer["split_parts"] == 4
    assert answer["match_url"] == "https://app.playtomic.com/matches/m-1234"


def test_an_outsiders_group_in_the_games_api_is_a_404(game, outsider, group):
    assert api_client(outsider).get(f"/api/booking/games/?group={group.pk}").status_code == 404


def test_a_game_that_is_over_is_no_longer_upcoming(game, owner):
    with time_machine.travel(GAME_START + timedelta(hours=2), tick=False):
        assert "Tue 15 Dec" not in web(owner).get("/booking/games/").content.decode()


def calendar_link(user: Any) -> str:
    response = web(user).post("/booking/calendar/", follow=True)
    assert response.status_code == 200
    link = response.context["new_link"]
    assert link and link.startswith("http://testserver/booking/calendar/")
    return link.removeprefix("http://testserver")


def test_the_calendar_feed_parses_with_the_clubs_tzid_and_local_times(game, admin):
    link = calendar_link(admin)

    response = Client().get(link)  # a calendar app: no login

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    [event] = calendar.walk("VEVENT")
    assert event["DTSTART"].params["TZID"] == "Europe/Madrid"
    start = event.decoded("DTSTART")
    assert (start.tzinfo.key, start.replace(tzinfo=None)) == (
        "Europe/Madrid",
        datetime(2026, 12, 15, 19, 0),
    )
    assert event.decoded("DTEND").replace(tzinfo=None) == datetime(2026, 12, 15, 20, 30)
    assert start == GAME_START
    assert "Sandbox Padel Madrid" in str(event["SUMMARY"])
    assert str(event["URL"]) == "https://app.playtomic.com/matches/m-1234"
    assert "Olga" in str(event["DESCRIPTION"])
    [zone] = calendar.walk("VTIMEZONE")
    assert str(zone["TZID"]) == "Europe/Madrid"
    names = {str(part["TZNAME"]) for part in zone.subcomponents}
    assert "CET" in names
    assert b"DTSTART;TZID=Europe/Madrid:20261215T190000" in response.content


def test_the_calendar_link_rotates_and_the_old_one_is_a_404(game, member):
    old = calendar_link(member)
    assert Client().get(old).status_code == 200

    new = calendar_link(member)

    assert new != old
    assert Client().get(old).status_code == 404
    assert Client().get(new).status_code == 200
    feed = CalendarFeed.objects.get(user=member)
    secret = new.rsplit("/", 1)[1].removesuffix(".ics")
    assert secret not in feed.digest and feed.prefix == secret[:8]


def test_an_unknown_calendar_link_is_a_404(game):
    assert Client().get("/booking/calendar/not-a-secret.ics").status_code == 404
    assert Client().get(f"/booking/calendar/{'x' * 200}.ics").status_code == 404


def test_an_outsiders_calendar_holds_none_of_the_groups_games(game, outsider):
    link = calendar_link(outsider)

    calendar = icalendar.Calendar.from_ical(Client().get(link).content)

    assert calendar.walk("VEVENT") == []


def test_the_calendar_page_needs_a_login():
    response = web().get("/booking/calendar/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
