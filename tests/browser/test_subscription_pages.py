"""The free-court alert pages on a 390 px phone in headless Chromium: the list, the add form
(clubs, weekdays, courts with long names) and its errors fit the screen."""

from __future__ import annotations

from typing import Any

import pytest

from clubs.models import Club, Court, MonitoringConfig
from notifications.models import Subscription
from tests.browser.phone import (
    assert_each_page_fits_the_phone,
    fits_the_phone,
    log_in_on_a_phone,
)
from tests.browser.test_dashboards import page

__all__ = ["page"]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_alert_pages_fit_a_phone(page: Any, live_server: Any, member: Any):
    club = Club.objects.create(
        playtomic_id="t-1",
        name="Club de Pádel Internacional de la Comunidad de Madrid Norte",
        timezone="Europe/Madrid",
    )
    MonitoringConfig.objects.create(club=club)
    for number in range(1, 4):
        Court.objects.create(
            club=club,
            playtomic_id=f"c-{number}",
            name=f"Pista central panorámica cubierta número {number}",
            sport_id="PADEL",
        )
    subscription = Subscription.objects.create(
        user=member, name="Weekday evenings at the club by the river", weekdays=[1, 2, 3]
    )
    subscription.clubs.set([club])
    log_in_on_a_phone(page, live_server, member, "member-pass-123")

    assert_each_page_fits_the_phone(
        page,
        live_server,
        [
            ("/notifications/subscriptions/", "list"),
            ("/notifications/subscriptions/add/", "add"),
            (f"/notifications/subscriptions/{subscription.pk}/", "edit"),
            (f"/notifications/subscriptions/{subscription.pk}/delete/", "delete"),
        ],
        "alerts",
    )

    page.goto(f"{live_server.url}/notifications/subscriptions/add/")
    page.uncheck("#id_freed")
    page.fill("#id_min_duration_minutes", "5")
    page.click("button[type=submit].primary")
    page.wait_for_load_state()
    assert page.locator("#id_freed_error").is_visible()
    assert page.locator("#id_min_duration_minutes_error").is_visible()
    assert fits_the_phone(page)
