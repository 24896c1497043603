"""The API token page in headless Chromium on a 390 px phone: a new token's secret, its copy
button and the list of tokens fit the window."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model

from playtomic_monitor.models import ApiToken
from tests.browser.test_crawl import overflow
from tests.browser.test_dashboards import SHOTS, log_in, page

__all__ = ["page"]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_new_token_is_shown_once_on_a_phone_without_sideways_scrolling(
    page: Any, live_server: Any
) -> None:
    get_user_model().objects.create_user("olga", password="olga-pass-123")
    log_in(page, live_server, "olga", "olga-pass-123")
    page.set_viewport_size({"width": 390, "height": 844})

    page.goto(f"{live_server.url}/api-tokens/")
    page.fill("#id_name", "grafana dashboard")
    page.click("button[type=submit].primary")
    page.wait_for_selector("#token-secret")
    page.screenshot(path=str(SHOTS / "api-tokens-390.png"), full_page=True)

    assert overflow(page) == 0
    assert page.input_value("#token-secret").startswith(ApiToken.objects.get().prefix)
    page.goto(f"{live_server.url}/api-tokens/")
    assert page.locator("#token-secret").count() == 0
