"""The rule form in headless Chromium on a 390 px phone: nothing wider than the window, and
the up/down buttons set the courts' order the rule is saved with."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model

from accounts.services import account_create
from booking.models import BookingRule
from tests.booking.conftest import import_club
from tests.browser.test_crawl import overflow
from tests.browser.test_dashboards import SHOTS, log_in, page
from tests.conftest import SANDBOX_EMAIL, SANDBOX_PASSWORD

__all__ = ["page"]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_rule_form_fits_a_phone_and_orders_courts_with_buttons(
    page: Any, live_server: Any, use_sandbox: Any
) -> None:
    club = import_club(use_sandbox)
    antwerpen = import_club(use_sandbox, "sandbox-padel-antwerpen")
    member = get_user_model().objects.create_user("olga", password="olga-pass-123")
    account_create(owner=member, email=SANDBOX_EMAIL, password=SANDBOX_PASSWORD, label="Olga")
    first, second = club.courts.filter(size="double").order_by("name")[:2]
    log_in(page, live_server, "olga", "olga-pass-123")
    page.set_viewport_size({"width": 390, "height": 844})

    page.goto(f"{live_server.url}/booking/rules/add/")
    page.screenshot(path=str(SHOTS / "rule-form-390.png"), full_page=True)
    assert overflow(page) == 0

    page.fill("#id_name", "Evenings")
    page.select_option("#id_club", str(club.pk))
    antwerpen_court = page.locator(f"li.ordered-row[data-club='{antwerpen.pk}']").first
    assert antwerpen_court.is_hidden()  # only the chosen club's courts are offered
    page.fill("#id_earliest_start", "18:00")
    page.fill("#id_latest_start", "20:00")
    page.select_option("#id_release_policy", "fixed")
    page.fill("#id_release_days_before", "7")
    page.fill("#id_release_local_time", "08:30:00")
    page.check("input[name=accounts]")
    page.check(f"input[name=court_preference][value='{first.pk}']")
    page.check(f"input[name=court_preference][value='{second.pk}']")
    row = page.locator(f"li.ordered-row:has(input[value='{first.pk}'][name=court_preference])")
    assert row.locator(".ordered-pos").is_hidden()  # the buttons replace the boxes
    other = page.locator(f"li.ordered-row:has(input[value='{second.pk}'][name=court_preference])")

    def position(item: Any) -> int:
        return int(item.locator(".ordered-pos").input_value())

    for _ in range(12):  # down, row by row, until it is below the second court
        if position(row) > position(other):
            break
        row.locator("button").nth(1).click()
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{live_server.url}/booking/rules/*/")

    rule = BookingRule.objects.get()
    assert rule.court_preference == [second.pk, first.pk]
