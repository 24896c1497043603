"""What the browser tests check on a 390 px phone: nothing scrolls sideways. Signing a member
in on a phone-sized screen, and walking a list of pages that must each fit it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tests.browser.test_dashboards import SHOTS, log_in

PHONE = {"width": 390, "height": 844}


def fits_the_phone(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"])


def log_in_on_a_phone(page: Any, live_server: Any, user: Any, password: str) -> None:
    """Give `user` the password, size the page to the phone and sign them in."""
    user.set_password(password)
    user.save()
    page.set_viewport_size(PHONE)
    log_in(page, live_server, user.username, password)


def assert_each_page_fits_the_phone(
    page: Any, live_server: Any, paths: Iterable[tuple[str, str]], shot_prefix: str
) -> None:
    """Open each (path, name), keep a full-page screenshot `<shot_prefix>-<name>-390.png`."""
    for path, name in paths:
        page.goto(f"{live_server.url}{path}")
        page.screenshot(path=str(SHOTS / f"{shot_prefix}-{name}-390.png"), full_page=True)
        assert fits_the_phone(page), path
