"""`make demo` backfill: a short history against the sandbox, without starting web/worker/beat."""

from __future__ import annotations

import io
import socket
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command

from availability import selectors
from availability.models import PollRun
from clubs.models import Club

pytestmark = pytest.mark.django_db


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_the_demo_imports_the_sandbox_clubs_and_backfills_a_day_of_polled_history(
    politeness: Any,
) -> None:
    out = io.StringIO()

    call_command(
        "demo",
        days=1,
        step_hours=12,
        no_run=True,
        sandbox_port=_free_port(),
        port=8123,
        stdout=out,
    )

    clubs = list(Club.objects.all())
    assert len(clubs) >= 2
    runs = PollRun.objects.filter(trigger=PollRun.Trigger.DEMO)
    # 3 steps (now - 1 day, -12 h, now) for every imported club.
    assert runs.count() == 3 * len(clubs)
    assert runs.exclude(outcome=PollRun.Outcome.FAILED).exists()

    def utilized(club: Club) -> bool:
        today = selectors.local_today(club)
        days = selectors.utilization_daily(
            club=club, date_from=today - timedelta(days=1), date_to=today + timedelta(days=1)
        )
        return any((d.figures.utilization or 0) > 0 for d in days)

    assert any(utilized(club) for club in clubs)
    text = out.getvalue()
    assert "Dashboards: http://127.0.0.1:8123/" in text
    assert "Log in as: demo / " in text


def test_the_demo_hands_its_web_port_to_the_procfile_web_line(monkeypatch: Any) -> None:
    from booking.management.commands import demo

    seen: dict[str, Any] = {}

    def run(argv: list[str], *, env: dict[str, str], **kwargs: Any) -> None:
        seen["env"] = env

    monkeypatch.setattr(demo.subprocess, "run", run)

    demo.Command(stdout=io.StringIO())._run_system("http://127.0.0.1:9", 8123)

    web = next(
        line
        for line in (settings.BASE_DIR / "Procfile").read_text().splitlines()
        if line.startswith("web:")
    )
    variable = web.split("${", 1)[1].split(":-", 1)[0]
    assert seen["env"][variable] == "8123"
    assert seen["env"]["PLAYTOMIC_BASE_URL"] == "http://127.0.0.1:9"
