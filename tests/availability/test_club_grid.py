"""The club page's court grid opens at the current hour in the club's own time (or the evening
once the day's slots have all started, and on a past day), under the day written the one way
("Wed 16 Dec 2026"), with links to the previous and next day that keep the other filters."""

from __future__ import annotations

import html
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine

from tests.availability.analytics_history import make_club

pytestmark = pytest.mark.django_db


@pytest.fixture
def sydney() -> Any:
    return make_club(name="Padel Bondi", tz="Australia/Sydney", opens="07:00", closes="23:00")


def club_page(client: Any, member: Any, club: Any, now: datetime, query: str = "") -> Any:
    with time_machine.travel(now, tick=False):
        client.force_login(member)
        page = client.get(f"/clubs/{club.pk}/{query}")
    assert page.status_code == 200
    return page


def focus(page: Any) -> str:
    """The label of the column the grid opens at; the page marks its hour's header."""
    labels = page.context["grid"].local_times
    column = labels[page.context["grid_focus"]]
    assert f'<th colspan="2" data-grid-focus>{column}</th>' in page.content.decode()
    return str(column)


def test_it_opens_at_the_current_hour_in_the_clubs_time(client, member, sydney):
    # 02:20 UTC is 13:20 in Sydney (AEDT), on Wednesday 16 December there.
    page = club_page(client, member, sydney, datetime(2026, 12, 16, 2, 20, tzinfo=UTC))

    assert focus(page) == "13:00"
    assert "Courts on Wed 16 Dec 2026" in page.content.decode()


def test_it_opens_at_the_evening_once_the_days_last_slot_has_started(client, member, sydney):
    # 12:40 UTC is 23:40 in Sydney: the 22:30 slot, the day's last, has started.
    page = club_page(client, member, sydney, datetime(2026, 12, 16, 12, 40, tzinfo=UTC))

    assert focus(page) == "18:00"


def test_a_past_day_opens_at_the_evening(client, member, sydney):
    page = club_page(
        client, member, sydney, datetime(2026, 12, 16, 2, 20, tzinfo=UTC), "?date=2026-12-14"
    )

    assert focus(page) == "18:00"
    assert "Courts on Mon 14 Dec 2026" in page.content.decode()


def test_the_previous_and_next_day_links_keep_the_other_filters(client, member, sydney):
    page = club_page(
        client,
        member,
        sydney,
        datetime(2026, 12, 16, 2, 20, tzinfo=UTC),
        "?date=2026-12-16&from=2026-12-01&to=2026-12-10",
    )

    text = html.unescape(page.content.decode())
    assert 'href="?date=2026-12-15&from=2026-12-01&to=2026-12-10#grid" rel="prev"' in text
    assert 'href="?date=2026-12-17&from=2026-12-01&to=2026-12-10#grid" rel="next"' in text


def test_a_court_name_is_written_into_the_grid_as_text_not_markup(client, member, sydney):
    court = sydney.courts.first()
    court.name = 'Pista "<b>1</b>" & co'
    court.save()

    page = club_page(client, member, sydney, datetime(2026, 12, 16, 3, 0, tzinfo=UTC))

    content = page.content.decode()
    assert "<b>1</b>" not in content
    assert "Pista &quot;&lt;b&gt;1&lt;/b&gt;&quot; &amp; co " in content
