"""`make demo`: a short history against the sandbox, without starting web/worker/beat."""

from __future__ import annotations

import io
import socket
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command

from availability import selectors
from availability.models import PollRun
from clubs.models import Club, MonitoringConfig
from clubs.selectors import club_sports
from playtomic_monitor.demo_run import DEMO_ENV, HISTORY_PROGRESS

pytestmark = pytest.mark.django_db


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def var_dir(settings: Any, tmp_path: Path) -> Path:
    settings.VAR_DIR = tmp_path
    return tmp_path


def _demo(**options: Any) -> str:
    out = io.StringIO()
    defaults = {"days": 1, "step_hours": 12, "no_run": True, "port": 8123}
    call_command("demo", sandbox_port=_free_port(), stdout=out, **{**defaults, **options})
    return out.getvalue()


def test_the_demo_imports_the_sandbox_clubs_and_backfills_a_day_of_polled_history(
    politeness: Any, var_dir: Path
) -> None:
    text = _demo()

    clubs = list(Club.objects.all())
    assert len(clubs) >= 2
    runs = PollRun.objects.filter(trigger=PollRun.Trigger.DEMO)
    # 3 steps (now - 1 day, -12 h, the time the replay got there) for every imported club.
    assert runs.count() == 3 * len(clubs)
    assert runs.exclude(outcome=PollRun.Outcome.FAILED).exists()
    assert not runs.filter(outcome=PollRun.Outcome.FAILED).exists()

    def utilized(club: Club) -> bool:
        today = selectors.local_today(club)
        days = selectors.utilization_daily(
            club=club, date_from=today - timedelta(days=1), date_to=today + timedelta(days=1)
        )
        return any((d.figures.utilization or 0) > 0 for d in days)

    assert any(utilized(club) for club in clubs)
    assert "Dashboards: http://127.0.0.1:8123/" in text
    assert "Log in as: demo / " in text
    # The sandbox accounts that log in are printed, the one docs/sandbox.md names among them.
    assert "player@sandbox.test / sandbox " in text
    assert "demo@sandbox.test / sandbox-demo-password" in text
    assert "ana@sandbox.test, ben@sandbox.test" in text
    # Stopped: nothing points at its sandbox any more.
    assert not (var_dir / DEMO_ENV).exists()
    assert not (var_dir / HISTORY_PROGRESS).exists()


def test_the_demo_monitors_every_sport_of_its_clubs_live_once_the_history_is_in(
    politeness: Any, var_dir: Path
) -> None:
    _demo()

    configs = list(MonitoringConfig.objects.select_related("club", "account"))
    assert configs
    sports = {}
    for config in configs:
        assert config.enabled
        assert config.account is not None and config.account.label == "Sandbox"
        assert sorted(config.sports) == sorted(club_sports(club=config.club))
        sports[config.club.slug] = sorted(config.sports)
    assert sports["sandbox-racquets-london"] == ["PADEL", "TENNIS"]
    assert "PICKLEBALL" in sports["sandbox-padel-pickleball-cdmx"]
    # Each sport's courts have history.
    london = Club.objects.get(slug="sandbox-racquets-london")
    today = selectors.local_today(london)
    tennis = selectors.utilization_daily(
        club=london, date_from=today, date_to=today + timedelta(days=1), sport_id="TENNIS"
    )
    assert any(d.figures.observed for d in tennis)


def test_the_demo_reports_its_replays_progress_step_by_step(
    politeness: Any, var_dir: Path, monkeypatch: Any
) -> None:
    from booking.management.commands import demo

    steps: list[tuple[int, int, int]] = []
    write = demo.history_progress_write

    def record(var: Path, *, done: int, total: int, days: int) -> None:
        steps.append((done, total, days))
        write(var, done=done, total=total, days=days)

    monkeypatch.setattr(demo, "history_progress_write", record)

    _demo()

    assert steps == [(0, 3, 1), (1, 3, 1), (2, 3, 1), (3, 3, 1)]


def test_the_demo_hands_its_web_port_and_sandbox_to_the_procfile(monkeypatch: Any) -> None:
    from booking.management.commands import demo

    seen: dict[str, Any] = {}

    def popen(argv: list[str], *, env: dict[str, str], **kwargs: Any) -> str:
        seen["env"] = env
        return "honcho"

    monkeypatch.setattr(demo.subprocess, "Popen", popen)

    started: Any = demo.Command(stdout=io.StringIO())._start_system("http://127.0.0.1:9", 8123)

    assert started == "honcho"
    web = next(
        line
        for line in (settings.BASE_DIR / "Procfile").read_text().splitlines()
        if line.startswith("web:")
    )
    variable = web.split("${", 1)[1].split(":-", 1)[0]
    assert seen["env"][variable] == "8123"
    assert seen["env"]["PLAYTOMIC_BASE_URL"] == "http://127.0.0.1:9"


def test_run_again_the_demo_logs_in_anew_and_only_extends_its_history(
    politeness: Any, var_dir: Path
) -> None:
    _demo()
    first = list(PollRun.objects.filter(trigger=PollRun.Trigger.DEMO))
    last = max(run.started_at for run in first)

    text = _demo(days=3)

    added = PollRun.objects.filter(trigger=PollRun.Trigger.DEMO).exclude(
        pk__in=[run.pk for run in first]
    )
    clubs = Club.objects.count()
    # Not three days again: from where the first run's history ended to now.
    assert clubs <= added.count() <= 2 * clubs
    assert all(run.started_at >= last for run in added)
    assert not added.filter(outcome=PollRun.Outcome.FAILED).exists()
    assert "Filling in 1 day of history" in text


def test_the_site_starts_before_the_clubs_the_group_and_the_history_and_stops_last(
    politeness: Any, var_dir: Path, monkeypatch: Any
) -> None:
    from booking.management.commands import demo

    order: list[str] = []

    class System:
        def poll(self) -> int | None:
            return None

        def wait(self, timeout: float | None = None) -> int:
            order.append("system waited")
            return 0

        def send_signal(self, signum: int) -> None:
            order.append("system stopped")

    def start(self: Any, sandbox_url: str, port: int) -> System:
        order.append("system started")
        assert (var_dir / DEMO_ENV).exists()  # a second shell already finds the sandbox
        return System()

    def step(name: str, original: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            order.append(name)
            return original(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(demo.Command, "_start_system", start)
    monkeypatch.setattr(demo.Command, "_wait_for_web", lambda *args: order.append("web answers"))
    monkeypatch.setattr(demo.Command, "_import", step("clubs", demo.Command._import))
    monkeypatch.setattr(demo, "demo_group_seed", step("group", demo.demo_group_seed))
    monkeypatch.setattr(demo.Command, "_backfill", step("history", demo.Command._backfill))

    _demo(no_run=False)

    assert order == [
        "system started",
        "web answers",
        "clubs",
        "group",
        "history",
        "system waited",
        "system stopped",
        "system waited",
    ]
    assert not (var_dir / DEMO_ENV).exists()
