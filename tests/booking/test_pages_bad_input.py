"""Bad input on the booking pages: a form error next to the field, never an error page."""

from __future__ import annotations

from typing import Any

import pytest

from booking.models import BookingRule

pytestmark = pytest.mark.django_db


def rule_form(club: Any, account: Any, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "Evenings",
        "club": str(club.pk),
        "earliest_start": "18:00",
        "latest_start": "21:30",
        "surface": "any",
        "number_of_players": "4",
        "release_policy": "fixed",
        "release_days_before": "7",
        "release_local_time": "08:30",
        "burst_seconds": "10",
        "snipe_min_notice_minutes": "120",
        "weekdays": ["0", "1"],
        "durations_text": "90",
        "payment_methods": ["club"],
        "accounts": [str(account.pk)],
        "enabled": "on",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("weekdays", "mon"),
        ("weekdays", "²"),
        ("weekdays", "7"),
        ("durations_text", "a,b"),
        ("court_preference", "first"),
        ("weekdays", "9" * 40),
    ],
)
def test_a_list_value_that_is_no_choice_is_a_form_error_on_its_field(
    client, member, club, account, field, value
):
    client.force_login(member)

    page = client.post("/booking/rules/add/", rule_form(club, account, **{field: value}))

    assert page.status_code == 200
    assert field in page.context["form"].errors
    assert not BookingRule.objects.exists()


def test_an_account_id_beyond_any_row_is_a_form_error(client, member, club, account):
    client.force_login(member)

    page = client.post(
        "/booking/rules/add/", rule_form(club, account, accounts=["99999999999999999999"])
    )

    assert page.status_code == 200
    assert "accounts" in page.context["form"].errors


def test_a_duration_beyond_what_a_club_offers_is_explained_on_the_page(
    client, member, club, account
):
    client.force_login(member)

    page = client.post("/booking/rules/add/", rule_form(club, account, durations_text="6000"))

    assert page.status_code == 200
    assert "multiples of 30 up to 360" in page.content.decode()
    assert not BookingRule.objects.exists()
