"""One way of writing a time: a game booked at a club in Sydney for 09:00 local reads
"Wed 16 Dec 2026, 09:00 AEDT" on every page a player sees it (its games page, the rule, the
attempt, the booking overview, the group's page, the API, the calendar feed), never the UTC instant
(22:00 on the 15th) nor the UTC date; in Spanish the day and month are Spanish."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest
import time_machine
from django.test import Client
from django.utils import translation
from rest_framework.test import APIClient

from booking.models import AttemptEvent, BookingAttempt, BookingRule
from booking.services.rules import rule_save
from groups import services as group_services
from playtomic_monitor import localtime
from tests.booking.conftest import import_club

pytestmark = pytest.mark.django_db

SYDNEY = "sandbox-padel-sydney"
NOW = datetime(2026, 12, 10, 9, 0, tzinfo=UTC)
# 09:00 on Wednesday 16 December in Sydney (AEDT, UTC+11) is 22:00 UTC on the 15th.
GAME_START = datetime(2026, 12, 15, 22, 0, tzinfo=UTC)
READS = "Wed 16 Dec 2026, 09:00 AEDT"


@pytest.fixture(autouse=True)
def frozen() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def sydney_game(group, member, owner, account, use_sandbox) -> BookingAttempt:
    club = import_club(use_sandbox, SYDNEY)
    group_services.account_lend(account=account, group=group, user=member)
    court = club.courts.filter(size="double").order_by("reservation_priority").first()
    rule = rule_save(
        owner=member,
        group=group,
        accounts=[account],
        players=[member, owner],
        name="Wednesday mornings",
        club=club,
        weekdays=[2],
        earliest_start=time(9, 0),
        latest_start=time(10, 0),
        court_preference=[court.pk],
        payment_methods=["club"],
        release_policy=BookingRule.ReleasePolicy.FIXED,
        release_days_before=7,
        release_local_time=time(8, 0),
        enabled=False,
    )
    release = datetime(2026, 12, 8, 21, 0, tzinfo=UTC)  # 08:00 AEDT on the 9th
    attempt = BookingAttempt.objects.create(
        rule=rule,
        target_date=date(2026, 12, 16),
        state=BookingAttempt.State.BOOKED,
        release_at=release,
        deadline_at=release.replace(second=10),
        account=account,
        court=court,
        slot_start=GAME_START,
        duration_minutes=90,
        price="48 AUD",
        payment_method="club",
        match_id="m-sydney",
        players=[{"user_id": "101", "name": "member", "member": member.pk}],
    )
    for round_, kind in ((1, "fire"), (1, "missed"), (2, "snipe_fire"), (2, "booked")):
        AttemptEvent.objects.create(
            attempt=attempt,
            round=round_,
            at=release,
            ms_from_release=0.0,
            kind=kind,
            data={"n": round_},
        )
    return attempt


def text_of(user: Any, path: str) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(path)
    assert response.status_code == 200, path
    return response.content.decode()


def visible(html: str) -> str:
    """The page's text without its tags (a `<time datetime>` attribute holds the UTC instant
    for machines; the reader sees the element's text)."""
    return re.sub(r"<[^>]+>", " ", html)


def test_a_sydney_game_reads_nine_aedt_on_every_page_a_player_sees_it(sydney_game, owner):
    rule = sydney_game.rule
    for path in (
        "/booking/games/",
        f"/booking/rules/{rule.pk}/",
        f"/booking/attempts/{sydney_game.pk}/",
        "/booking/",
        f"/groups/{rule.group.pk}/",
    ):
        text = visible(text_of(owner, path))
        assert READS in text, path
        assert "22:00" not in text, path
        assert "15 Dec" not in text and "2026-12-15" not in text, path


def test_the_attempt_page_has_the_game_in_its_title_and_utc_only_in_the_raw_data(
    sydney_game, owner
):
    html = text_of(owner, f"/booking/attempts/{sydney_game.pk}/")

    [title] = re.findall(r"<h1>(.*?)</h1>", html, re.S)
    assert READS in title
    # The release instant (08:00 in Sydney on the 9th) in the club's time too.
    assert "Wed 9 Dec 2026, 08:00 AEDT" in visible(html)
    raw = re.findall(r'<td class="raw">(.*?)</td>', html, re.S)
    assert raw and all("2026-12-08T21:00:00" in cell for cell in raw)


def test_the_attempt_timeline_separates_its_rounds(sydney_game, owner):
    html = text_of(owner, f"/booking/attempts/{sydney_game.pk}/")

    rounds = html.split('class="timeline-round"')[1:]
    assert [part.split("</h3>")[0].split(">", 1)[1].split("<")[0].strip() for part in rounds] == [
        "Round 1",
        "Round 2",
    ]
    assert "missed" in rounds[0] and "snipe_fire" not in rounds[0]
    assert "snipe_fire" in rounds[1] and "booked" in rounds[1]


def test_the_games_api_says_the_same(sydney_game, owner):
    client = APIClient()
    client.force_authenticate(owner)

    [game] = client.get("/api/booking/games/").json()

    assert game["when"] == READS
    assert game["local_start"] == "2026-12-16T09:00:00+11:00"


def test_the_calendar_feed_has_the_game_at_nine_in_sydney(sydney_game, owner):
    client = Client()
    client.force_login(owner)
    link = client.post("/booking/calendar/", follow=True).context["new_link"]

    feed = Client().get(link.removeprefix("http://testserver"))

    [event] = icalendar.Calendar.from_ical(feed.content).walk("VEVENT")
    start = event.decoded("dtstart")
    assert (start.hour, start.minute, start.date()) == (9, 0, date(2026, 12, 16))
    assert str(start.tzinfo) == "Australia/Sydney"


def test_a_spanish_reader_gets_spanish_day_and_month_names(sydney_game, owner):
    client = Client(headers={"accept-language": "es"})
    client.force_login(owner)

    text = visible(client.get("/booking/games/").content.decode())

    assert "mié 16 dic 2026, 09:00 AEDT" in text


def test_the_helper_writes_english_where_no_language_is_active():
    sydney = ZoneInfo("Australia/Sydney")
    with translation.override(None):
        assert localtime.local_datetime(GAME_START, sydney) == READS
        assert localtime.local_date(date(2026, 12, 16)) == "Wed 16 Dec 2026"
        assert localtime.short_date(date(2026, 12, 16)) == "16 Dec"
    with translation.override("es"):
        assert localtime.local_datetime(GAME_START, "Australia/Sydney") == (
            "mié 16 dic 2026, 09:00 AEDT"
        )
