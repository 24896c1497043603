"""The rule form is made for people: weekdays as checkboxes numbered as the API numbers them,
courts picked by name in the member's order, time pickers, a price cap with its currency,
each error once beside its field, and what was typed kept when the page comes back."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from booking.models import BookingRule
from tests.booking.test_pages_bad_input import rule_form

pytestmark = pytest.mark.django_db

ADD = "/booking/rules/add/"


@pytest.fixture
def web(member: Any) -> Client:
    client = Client()
    client.force_login(member)
    return client


def checked_values(page: str, name: str) -> list[str]:
    """The values of the ticked checkboxes called `name`, in page order."""
    return [
        match.group(1)
        for tag in re.findall(r"<input[^>]*>", page)
        if f'name="{name}"' in tag and "checked" in tag
        for match in [re.search(r'value="([^"]*)"', tag)]
        if match
    ]


def doubles(club: Any) -> list[Any]:
    return list(club.courts.filter(size="double").order_by("reservation_priority", "pk"))


def test_it_offers_the_weekdays_as_checkboxes_monday_first(web, club, account):
    page = web.get(ADD).content.decode()

    days = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
    positions = [re.search(rf">\s*{day}</label>", page).start() for day in days]  # type: ignore[union-attr]
    assert positions == sorted(positions)
    assert checked_values(page, "weekdays") == ["0", "1", "2", "3", "4"]
    assert 'type="checkbox" name="weekdays" value="0"' in page


def test_weekdays_made_in_the_api_are_ticked_on_the_form_and_back(web, member, club, account):
    api = APIClient()
    api.force_authenticate(member)
    created = api.post(
        "/api/booking/rules/",
        {
            **{k: v for k, v in rule_form(club, account).items() if not k.endswith("_text")},
            "weekdays": [0, 2],
            "durations": [90],
            "accounts": [account.pk],
            "enabled": True,
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]

    page = web.get(f"/booking/rules/{pk}/edit/").content.decode()
    assert checked_values(page, "weekdays") == ["0", "2"]  # Monday and Wednesday

    saved = web.post(f"/booking/rules/{pk}/edit/", rule_form(club, account, weekdays=["1", "4"]))
    assert saved.status_code == 302
    assert api.get(f"/api/booking/rules/{pk}/").json()["weekdays"] == [1, 4]
    assert "Tuesday, Friday" in web.get(f"/booking/rules/{pk}/").content.decode()


def test_courts_are_picked_by_name_in_the_order_given(web, club, account):
    first, second = doubles(club)[:2]
    page = web.get(ADD).content.decode()
    assert first.name in page and second.name in page

    # Without JavaScript the member numbers the ticked courts.
    response = web.post(
        ADD,
        rule_form(
            club,
            account,
            court_preference=[str(first.pk), str(second.pk)],
            **{
                f"court_preference__pos_{first.pk}": "2",
                f"court_preference__pos_{second.pk}": "1",
            },
        ),
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    rule = BookingRule.objects.get()
    assert rule.court_preference == [second.pk, first.pk]
    detail = web.get(f"/booking/rules/{rule.pk}/").content.decode()
    assert detail.index(second.name) < detail.index(first.name)
    edit = web.get(f"/booking/rules/{rule.pk}/edit/").content.decode()
    assert checked_values(edit, "court_preference") == [str(second.pk), str(first.pk)]


def test_it_speaks_plainly_with_time_pickers_and_the_price_cap_in_the_club_currency(
    web, club, account
):
    page = web.get(ADD).content.decode()

    assert "booking_ahead_limit" not in page
    assert "End time local" not in page
    for name in ("earliest_start", "latest_start", "release_local_time"):
        tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', page)
        assert tag and 'type="time"' in tag.group(0), name
    assert f"Price cap per booking ({club.currency})" in page


def test_a_service_error_appears_once_beside_its_field(web, club, account):
    message = "The latest start must not be before the earliest start."

    page = web.post(
        ADD, rule_form(club, account, earliest_start="20:00", latest_start="18:00")
    ).content.decode()

    assert page.count(message) == 1
    start = page.index('id="field-latest_start"')
    field = page[start : page.index('id="field-', start + 1)]
    assert 'id="id_latest_start_error"' in field and message in field
    assert 'id="form-errors"' not in page
    assert not BookingRule.objects.exists()


def test_a_field_error_appears_once_beside_its_field(web, club, account):
    page = web.post(ADD, rule_form(club, account, weekdays=[])).content.decode()

    assert page.count("Pick at least one day.") == 1
    assert 'id="id_weekdays_error"' in page
    assert 'id="form-errors"' not in page


def test_what_was_typed_is_kept_when_the_page_comes_back_with_an_error(web, club, account):
    first, second = doubles(club)[:2]

    page = web.post(
        ADD,
        rule_form(
            club,
            account,
            name="Late games",
            weekdays=["5", "6"],
            earliest_start="21:00",
            latest_start="20:00",
            durations_text="120, 90",
            max_price="48.50",
            court_preference=[str(second.pk), str(first.pk)],
        ),
    ).content.decode()

    assert 'value="Late games"' in page
    assert checked_values(page, "weekdays") == ["5", "6"]
    assert 'name="earliest_start" value="21:00"' in page
    assert 'value="120, 90"' in page
    assert 'value="48.50"' in page
    assert checked_values(page, "court_preference") == [str(second.pk), str(first.pk)]


def test_the_rule_page_shows_everything_the_rule_says_in_plain_words(web, club, account):
    first, second = doubles(club)[:2]
    web.post(
        ADD,
        rule_form(
            club,
            account,
            weekdays=["0", "2"],
            max_price="60",
            court_preference=[str(second.pk), str(first.pk)],
            payment_methods=["wallet", "club"],
        ),
    )
    rule = BookingRule.objects.get()

    page = web.get(f"/booking/rules/{rule.pk}/").content.decode()

    assert "Monday, Wednesday" in page
    assert page.index(second.name) < page.index(first.name)
    assert f"60.00 {club.currency} per booking" in page
    assert "Playtomic wallet, At the club" in page
    assert "At a set time, a set number of days before" in page
    assert "booking_ahead_limit" not in page
