"""Issue 9 in headless Chromium on a phone-sized screen: "Fetch now" comes back at once with a
progress box, and static/js/poll-progress.js follows the run until the worker has finished,
then reloads the page with the result."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model

from availability.models import PollRun
from availability.tasks import poll_club_now
from playtomic_monitor.celery import app as celery_app
from tests.browser.phone import PHONE
from tests.browser.test_dashboards import SHOTS, log_in, page
from tests.clubs.conftest import madrid, politeness, reader

__all__ = ["madrid", "page", "politeness", "reader"]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_fetch_now_shows_live_progress_and_then_the_result_on_a_phone(
    page: Any, live_server: Any, madrid: Any, monkeypatch: Any
):
    sent: list[Any] = []
    monkeypatch.setattr(celery_app, "send_task", lambda name, args, queue: sent.append(args))
    user = get_user_model().objects.get(username="staff")
    user.set_password("staff-pass-123")
    user.save()
    page.set_viewport_size(PHONE)
    log_in(page, live_server, "staff", "staff-pass-123")

    page.goto(f"{live_server.url}/clubs/{madrid.pk}/")
    page.click("text=Fetch now")
    page.wait_for_selector("#poll")
    run = PollRun.objects.get()
    assert page.url.endswith(f"/clubs/{madrid.pk}/?poll={run.pk}")
    assert page.inner_text("#poll [data-poll-badge]") == "Queued"
    assert sent == [[run.pk]]

    poll_club_now(run.pk)  # the poll worker; the page is watching meanwhile
    page.wait_for_selector("#poll[data-finished='1']", timeout=15_000)

    run.refresh_from_db()
    summary = page.inner_text("#poll [data-poll-summary]")
    assert summary.startswith(f"Done: 8 of 8 days stored, {run.cells_seen} cells seen")
    assert page.inner_text("#poll [data-poll-badge]") == "OK"
    box = page.locator("#poll").bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    page.screenshot(path=str(SHOTS / "fetch-progress-phone.png"))
