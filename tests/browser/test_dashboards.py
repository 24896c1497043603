"""The dashboards in headless Chromium: log in, open the home, club and compare pages, check
that the grid and charts are drawn with data, and keep screenshots in var/screenshots/."""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connections

from availability.models import PollRun
from bench.history import ClubPlan, create_club, fill

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
SHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"


@pytest.fixture
def page(live_server, monkeypatch):
    # Playwright's sync API keeps an event loop in this thread; the ORM calls made by the test
    # itself are still plain synchronous calls.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright import sync_api as playwright

    if not Path(CHROMIUM).exists():
        # CI installs Chromium (.ci/run), so there a missing browser is a failure, not a skip.
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing at /usr/bin/chromium")
        pytest.skip("Chromium is not installed (apt-get install -y chromium)")
    SHOTS.mkdir(parents=True, exist_ok=True)
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1360, "height": 900})
        yield page
        browser.close()
        # ORM calls made while Playwright's event loop runs get a connection of their own
        # (Django keys connections by async context); close it here, or PostgreSQL refuses to
        # drop the test database at the end of the run.
        connections.close_all()


@pytest.fixture
def clubs():
    now = datetime.now(UTC)
    made = []
    for i, plan in enumerate(
        [
            ClubPlan("Padel Norte Madrid", "Europe/Madrid", 6, 1.0),
            ClubPlan("Racquets East London", "Europe/London", 4, 0.7),
        ]
    ):
        club = create_club(plan, i)
        fill(club, days_back=35, days_ahead=7, now=now, demand=plan.demand)
        made.append(club)
    return made


def log_in(page, live_server, username, password):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def test_a_member_sees_home_club_and_compare_pages_drawn_with_data(page, live_server, clubs):
    get_user_model().objects.create_user(username="ana", password="member-pass-123")
    log_in(page, live_server, "ana", "member-pass-123")

    assert page.locator(".club-card").count() == 2
    assert page.locator(".club-card svg.sparkline polyline").count() == 2
    assert "Add a club" not in page.content()
    page.screenshot(path=str(SHOTS / "home.png"), full_page=True)

    page.click(f"a[data-club='{clubs[0].pk}']")
    page.wait_for_selector("table.slot-grid")
    assert page.locator("table.slot-grid td.slot").count() == 6 * 30
    assert page.locator("td.slot.taken").count() > 0
    assert page.locator("td.slot.free").count() > 0
    assert page.locator("#daily svg rect.bar").count() > 20
    assert page.locator("#fill svg polyline").count() == 3
    assert page.locator("#heatmap td[style*='hsl']").count() == 7 * 15
    assert page.locator("#prices svg rect.range").count() == 15
    assert page.locator("#chance svg circle").count() > 3
    bars = page.locator("#courts .court-bar")
    assert bars.count() == 6
    assert bars.locator(".court-name").all_inner_texts() == [
        c.name for c in clubs[0].courts.order_by("reservation_priority", "name", "id")
    ]
    widths = [
        int(style.split("width:")[1].split("%")[0])
        for style in bars.locator(".hbar > div").evaluate_all(
            "els => els.map(e => e.style.cssText)"
        )
    ]
    assert len(widths) == 6 and all(0 < w <= 100 for w in widths)
    assert all(t.endswith("%") for t in bars.locator("span.small").all_inner_texts())
    assert page.locator("#monitoring").count() == 0  # members look, staff change
    assert page.locator("text=Fetch now").count() == 0
    page.screenshot(path=str(SHOTS / "club.png"), full_page=True)

    page.goto(f"{live_server.url}/compare/")
    assert page.locator(".compare-table tbody tr").count() == 2
    assert page.locator("svg.chart polyline").count() == 2
    page.screenshot(path=str(SHOTS / "compare.png"), full_page=True)


def test_staff_get_the_controls(page, live_server, clubs):
    get_user_model().objects.create_user(username="boss", password="staff-pass-123", is_staff=True)
    log_in(page, live_server, "boss", "staff-pass-123")

    assert page.locator("text=Add a club").count() == 1
    page.goto(f"{live_server.url}/clubs/{clubs[1].pk}/")
    assert page.locator("#monitoring form").count() == 1
    assert page.locator("text=Fetch now").count() == 1
    page.screenshot(path=str(SHOTS / "club-staff.png"), full_page=True)


def test_the_home_cards_show_each_clubs_last_poll_and_recent_failures(page, live_server, clubs):
    now = datetime.now(UTC)
    # Both clubs had a good poll 5 minutes ago (fill). Then Madrid's latest poll failed; London
    # failed once two hours ago and recovered.
    for club, ago in ((clubs[0], timedelta(minutes=1)), (clubs[1], timedelta(hours=2))):
        PollRun.objects.create(
            club=club,
            started_at=now - ago,
            finished_at=now - ago + timedelta(seconds=2),
            outcome=PollRun.Outcome.FAILED,
            error_kind="timeout",
            error_message="read timed out",
        )
    get_user_model().objects.create_user(username="ana", password="member-pass-123")
    log_in(page, live_server, "ana", "member-pass-123")

    madrid = page.locator(f".club-card[data-club='{clubs[0].pk}'] .status-line")
    london = page.locator(f".club-card[data-club='{clubs[1].pk}'] .status-line")
    assert madrid.locator(".badge.bad").inner_text() == "last poll failed: timeout"
    assert madrid.locator(".badge.bad").get_attribute("title") == "read timed out"
    assert madrid.locator(".badge.warn").count() == 0
    assert london.locator(".badge.warn").inner_text() == "1 failure in 24 h"
    assert london.locator(".badge.bad").count() == 0
    for card in (madrid, london):
        # fill() stamped the good poll 5 minutes before the fixture ran.
        assert re.fullmatch(
            r"last good poll [5-9]\xa0minutes ago", card.locator(".muted").inner_text()
        )
    page.screenshot(path=str(SHOTS / "home-status.png"), full_page=True)
