"""Every page a member reaches, on a 390 px phone and a 1400 px screen: log in as the owner of
the demo's group (its clubs with days of history, rules, past attempts and booked games),
check that the menu collapses behind a button on the phone, follow every same-origin link
from the home page (GET only; never log out or delete), and on each page at both widths find
no server error and nothing wider than the window (wide tables, grids and charts scroll inside
their own box). Screenshots go to var/screenshots/crawl/."""

from __future__ import annotations

import re
import time
from collections import Counter, deque
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from django.utils import timezone

from bench.history import fill
from booking.demo import demo_group_seed
from tests.booking.conftest import import_club
from tests.browser.test_dashboards import SHOTS, log_in, page
from tests.clubs.conftest import politeness

__all__ = ["page", "politeness"]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1400, "height": 900}}
# Links a crawl must not follow: they act (log out, delete), are not pages (feeds, CSV, the
# API's JSON, the admin a member cannot use), or leave for Playtomic.
SKIP = re.compile(r"logout|delete|remove|\.ics$|\.csv$|^/api/(?!docs/)|^/admin/|^/health/")
MOST_PAGES = 40
# Pages of one kind (every attempt, every rule) share a template: two of each is enough.
SAME_KIND = 2


@pytest.fixture
def demo_owner(use_sandbox: Any) -> Any:
    """The demo's data set, smaller: two sandbox clubs with ten days of history and the
    demo group (rules, past attempts, games booked on the sandbox). Returns its owner's login."""
    now = datetime.now(UTC)
    clubs = [import_club(use_sandbox), import_club(use_sandbox, "sandbox-padel-antwerpen")]
    for club in clubs:
        fill(club, days_back=10, days_ahead=7, now=now)
    logins = demo_group_seed(
        clubs=clubs, add_sandbox_account=use_sandbox.add_account, now=timezone.now()
    )
    return next(login for login in logins if login.role == "Owner")


def links_of(page: Any, origin: str) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
    found = []
    for href in hrefs:
        parts = urlsplit(urljoin(page.url, href))
        if f"{parts.scheme}://{parts.netloc}" != origin or SKIP.search(parts.path):
            continue
        found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def overflow(page: Any) -> int:
    """How far the page reaches past the window's right edge, in CSS pixels."""
    return int(
        page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        if page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
        else 0
    )


# The outermost elements that reach past the window's right edge, to name in a failure.
SPILLS = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5)
  .filter(e => !e.parentElement.closest('.grid-scroll, .table-scroll, .chart-scroll'))
  .slice(0, 3)
  .map(e => e.tagName.toLowerCase() + (e.className ? '.' + String(e.className).split(' ')[0] : '')
    + ' ' + Math.round(e.getBoundingClientRect().right) + 'px')"""


def shot_name(path: str, width: str) -> str:
    return f"{re.sub(r'[^a-z0-9]+', '-', path.lower()).strip('-') or 'home'}-{width}.png"


def menu_on_a_phone_keeps_log_out_in_reach(page: Any) -> None:
    """The top menu collapses behind a button on a phone; opened, every link and Log out fit."""
    page.set_viewport_size(WIDTHS["phone"])
    log_out = page.locator("button:has-text('Log out')")
    games = page.locator(".nav a[href='/booking/games/']")
    assert not log_out.is_visible() and not games.is_visible()
    page.click("label.menu-button")
    assert log_out.is_visible() and games.is_visible()
    box = log_out.bounding_box()
    assert box is not None and box["x"] + box["width"] <= WIDTHS["phone"]["width"]
    page.screenshot(path=str(SHOTS / "crawl" / "menu-open-phone.png"))
    page.set_viewport_size(WIDTHS["desktop"])
    assert not page.locator("label.menu-button").is_visible()
    assert log_out.is_visible() and games.is_visible()


def test_every_page_a_member_reaches_fits_a_phone_and_a_wide_screen(
    page: Any, live_server: Any, demo_owner: Any
):
    started = time.monotonic()
    shots = SHOTS / "crawl"
    shots.mkdir(parents=True, exist_ok=True)
    log_in(page, live_server, demo_owner.username, demo_owner.password)
    menu_on_a_phone_keeps_log_out_in_reach(page)

    # One visit per path: a page's query-string variants (a club's other days, a group's
    # filters) are the same template, and the day links would lead on forever.
    queue, seen = deque(["/"]), {"/"}
    visited: list[str] = []
    kinds: Counter[str] = Counter()
    problems: list[str] = []
    while queue and len(visited) < MOST_PAGES:
        path = queue.popleft()
        visited.append(path)
        for width, viewport in WIDTHS.items():
            page.set_viewport_size(viewport)
            response = page.goto(f"{live_server.url}{path}")
            assert response is not None
            if response.status != 200:
                problems.append(f"{path}: HTTP {response.status} at {width}")
                continue
            if not response.headers.get("content-type", "").startswith("text/html"):
                break
            if (wider := overflow(page)) > 0:
                spills = ", ".join(page.evaluate(SPILLS))
                problems.append(f"{path}: {wider} px wider than the {width} window ({spills})")
            page.screenshot(path=str(shots / shot_name(path, width)), full_page=True)
            if width == "desktop":
                for link in links_of(page, live_server.url):
                    path_only = urlsplit(link).path
                    kind = re.sub(r"\d+", "N", path_only)
                    if path_only not in seen and kinds[kind] < SAME_KIND:
                        seen.add(path_only)
                        kinds[kind] += 1
                        queue.append(link)

    assert not problems, "\n".join(problems)
    # The member's pages were all found: clubs, games, play, booking, rules, attempts, groups.
    for expected in ("/clubs/", "/booking/games/", "/booking/play/", "/booking/rules/"):
        assert any(p.startswith(expected) for p in visited), expected
    assert any(p.startswith("/booking/attempts/") for p in visited)
    assert any(p.startswith("/groups/") for p in visited)
    court_grid_on_a_phone_opens_the_evening_of_the_previous_day(page, live_server, visited)
    assert time.monotonic() - started < 90, "the crawl should stay quick"


def court_grid_on_a_phone_opens_the_evening_of_the_previous_day(
    page: Any, live_server: Any, visited: list[str]
) -> None:
    """On a phone the court grid is wider than the screen: a past day opens scrolled to the
    evening (18:00 just right of the court names, which stay in view)."""
    club = next(p for p in visited if re.fullmatch(r"/clubs/\d+/", p))
    page.set_viewport_size(WIDTHS["phone"])
    page.goto(f"{live_server.url}{club}")
    page.click("a[rel=prev]")
    page.wait_for_url(re.compile(r"date="))
    box = page.locator("[data-grid-scroll]")
    focus = page.locator("[data-grid-focus]")
    assert focus.inner_text() == "18:00"
    assert box.evaluate("b => b.scrollLeft") > 0
    shown, names = focus.bounding_box(), page.locator(".slot-grid tbody th").first.bounding_box()
    assert shown is not None and names is not None
    assert names["x"] + names["width"] <= shown["x"] < WIDTHS["phone"]["width"] - shown["width"]
    page.screenshot(path=str(SHOTS / "crawl" / "court-grid-evening-phone.png"))
