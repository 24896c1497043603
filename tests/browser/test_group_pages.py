"""The group pages on a 390 px phone in headless Chromium: a member on the way home opens
"When can we play?" and "Our games"; every booking page fits the screen (nothing scrolls
sideways) and the buttons are there to tap."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest

from availability.services.polling import poll_club
from booking.models import BookingRule
from tests.booking.conftest import account, booked_game, club, lent_group_rule, sandbox
from tests.browser.phone import fits_the_phone, log_in_on_a_phone
from tests.browser.test_dashboards import SHOTS, page
from tests.clubs.conftest import politeness, reader

__all__ = ["account", "club", "page", "politeness", "reader", "sandbox"]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def weekday_evenings(group, member, admin, account, club, reader) -> BookingRule:
    rule = lent_group_rule(
        group,
        account,
        club,
        owner=member,
        lender=member,
        players=[member, admin],
        name="Weekday evenings",
        weekdays=[0, 1, 2, 3, 4],
        earliest_start=time(18, 0),
        latest_start=time(21, 0),
        court_preference=[],
    )
    poll_club(club=club, days_ahead=7)
    start = (datetime.now(UTC) + timedelta(days=2)).replace(hour=18, minute=0, second=0)
    booked_game(
        rule,
        club.courts.filter(size="double").first(),
        start,
        account=account,
        match_id="m-phone",
        players=[{"user_id": "1", "name": "member", "member": member.pk}],
    )
    return rule


def test_a_member_on_a_phone_finds_a_court_and_the_groups_games(
    page: Any, live_server: Any, group, member, weekday_evenings
):
    log_in_on_a_phone(page, live_server, member, "member-pass-123")

    page.goto(f"{live_server.url}/booking/play/?group={group.pk}")
    book = page.locator("a:has-text('Book on Playtomic')").first
    assert book.is_visible()
    assert book.get_attribute("href").startswith("https://app.playtomic.com/payments?")
    box = book.bounding_box()
    assert box is not None and box["height"] >= 40  # a thumb-sized target
    assert fits_the_phone(page)
    page.screenshot(path=str(SHOTS / "play-phone.png"))

    page.goto(f"{live_server.url}/booking/games/")
    assert page.locator("text=Open on Playtomic").first.is_visible()
    assert fits_the_phone(page)
    page.screenshot(path=str(SHOTS / "games-phone.png"), full_page=True)

    for path in (
        "/booking/",
        f"/booking/rules/{weekday_evenings.pk}/",
        f"/booking/rules/{weekday_evenings.pk}/edit/",
        "/booking/calendar/",
    ):
        page.goto(f"{live_server.url}{path}")
        assert fits_the_phone(page), path
