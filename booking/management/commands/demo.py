"""`make demo`: the whole system against the built-in Playtomic sandbox, with weeks of history
and a group of friends, answering within seconds while the history fills in behind it.

1. (`--migrate`, as `make demo` runs it) Migrate the database, in this process: each
   `manage.py` start costs seconds on a busy machine.
2. Start the live sandbox (real time) on a fixed loopback port and write VAR_DIR/demo.env, so
   every process on this VAR_DIR (a `manage.py` command from a second shell too) talks to it.
3. Start web, workers and beat (honcho, Procfile) and wait until the web answers: the site is
   up first, everything else happens behind it.
4. Import every sandbox club, give the demo admin a Playtomic (sandbox) account, and configure
   monitoring of every sport each club has, switched off until the history is in. Seed a group
   of four (`booking.demo`) against the live sandbox; print the logins and the sandbox accounts
   that work.
5. Replay the history behind it: a second, private sandbox (same seed, so the same clubs and
   players) has its clock stepped from weeks ago to now, and every club is polled at each step
   exactly as the worker would (same service, same ingest), with its own account so the two
   sandboxes never fight over one account's tokens. The progress goes to
   VAR_DIR/demo-history.json, which every page shows as a banner.
6. Switch live monitoring on (beat polls the clubs from now on) and wait. Ctrl-C or SIGTERM
   stops everything and removes the files.

Live polling waits for the replay because history is stored as changes: a replayed (older)
observation ingested after a live one would rewrite the present with the past.

It lives in booking, the highest app it needs (it seeds groups and booking rules).
"""

from __future__ import annotations

import dataclasses
import math
import os
import secrets
import signal
import subprocess
import sys
import time as monotonic_time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Max
from django.test.utils import override_settings

from accounts.models import PlaytomicAccount
from accounts.services import account_create, account_update
from availability.models import PollRun
from availability.services.polling import poll_club
from availability.services.summaries import summaries_refresh_due
from booking import demo as group_demo
from booking.demo import GROUP_NAME, demo_group_seed
from clubs.models import Club, MonitoringConfig
from clubs.selectors import club_sports
from clubs.services import MonitoringSettings, club_import, monitoring_configure
from playtomic.sandbox.__main__ import DEFAULT_ACCOUNT
from playtomic_monitor.demo_run import (
    demo_env_write,
    demo_files_remove,
    history_progress_clear,
    history_progress_write,
)

SANDBOX_EMAIL = "demo@sandbox.test"
SANDBOX_PASSWORD = "sandbox-demo-password"  # noqa: S105 - a sandbox-only account
# The history replay reads with its own account: its tokens come from the private sandbox.
HISTORY_EMAIL = "history@sandbox.test"
HISTORY_PASSWORD = "sandbox-history-password"  # noqa: S105 - a sandbox-only account
DEMO_USER = "demo"
# How long web, workers and beat get to stop after SIGTERM before they are killed.
STOP_SECONDS = 15
# How long the demo waits for the web server to answer before it goes on regardless.
WEB_WAIT_SECONDS = 90


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


@contextmanager
def _sigterm_interrupts() -> Iterator[None]:
    """SIGTERM (a service manager, `kill`) stops the demo as Ctrl-C does, with the clean-up."""
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


class Command(BaseCommand):
    help = "Run the whole system against the Playtomic sandbox with weeks of history."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=21, help="Days of history to backfill")
        parser.add_argument("--step-hours", type=int, default=4, help="Backfill poll interval")
        parser.add_argument("--sandbox-port", type=int, default=8800)
        parser.add_argument("--port", type=int, default=8000, help="Web port")
        parser.add_argument(
            "--no-run", action="store_true", help="Backfill only; do not start web/worker/beat"
        )
        parser.add_argument(
            "--migrate", action="store_true", help="Migrate and create the cache table first"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from playtomic.sandbox.server import SandboxServer

        began = monotonic_time.monotonic()
        if options["migrate"]:
            call_command("migrate", interactive=False, verbosity=0)
            call_command("createcachetable", verbosity=0)
        now = datetime.now(UTC).replace(second=0, microsecond=0)
        start = self._replay_start(now, options["days"])
        live = SandboxServer(
            seed=1,
            accounts=[
                (SANDBOX_EMAIL, SANDBOX_PASSWORD),
                (HISTORY_EMAIL, HISTORY_PASSWORD),
                DEFAULT_ACCOUNT,
            ],
            port=options["sandbox_port"],
        ).start()
        history = SandboxServer(
            seed=1, accounts=[(HISTORY_EMAIL, HISTORY_PASSWORD)], now=start, frozen=True
        ).start()
        self.stdout.write(f"Playtomic sandbox on {live.url}")
        honcho: subprocess.Popen[bytes] | None = None
        try:
            with _sigterm_interrupts():
                demo_env_write(settings.VAR_DIR, base_url=live.url)
                if not options["no_run"]:
                    honcho = self._start_system(live.url, options["port"])
                    self._wait_for_web(options["port"], began, honcho)
                # Calls from this process skip the politeness delay: the sandbox is ours.
                with override_settings(PLAYTOMIC_BASE_URL=live.url, PLAYTOMIC_RATE_PER_SECOND=0):
                    user, password = self._demo_user()
                    clubs = self._import(live, user)
                    logins = demo_group_seed(
                        clubs=clubs, add_sandbox_account=live.add_account, now=now
                    )
                self._print_logins(live.url, options["port"], password, logins)
                with override_settings(PLAYTOMIC_BASE_URL=history.url, PLAYTOMIC_RATE_PER_SECOND=0):
                    self._backfill(history, clubs, start, now, options, honcho)
                self._monitor_live(clubs, user)
                if honcho is not None:
                    self.stdout.write("History filled in; live monitoring is on (Ctrl-C stops).")
                    honcho.wait()
        except KeyboardInterrupt:
            self.stdout.write("Stopping...")
        finally:
            if honcho is not None:
                self._stop_system(honcho)
            history.stop()
            live.stop()
            demo_files_remove(settings.VAR_DIR)

    @staticmethod
    def _replay_start(now: datetime, days: int) -> datetime:
        """`days` back, or, on a database a demo has filled before, where its history ends:
        history is stored as changes, so it is only ever extended forward."""
        start = now - timedelta(days=days)
        last = PollRun.objects.aggregate(last=Max("started_at"))["last"]
        return start if last is None else max(start, min(last, now))

    def _demo_user(self) -> tuple[User, str]:
        """A staff superuser with a fresh password each run (printed once), its sandbox
        Playtomic account (monitoring reads with it) and the history replay's account."""
        user_model = get_user_model()
        user, _ = user_model.objects.get_or_create(
            username=DEMO_USER, defaults={"is_staff": True, "is_superuser": True}
        )
        password = secrets.token_urlsafe(9)
        user.set_password(password)
        user.is_staff = user.is_superuser = True
        user.save()
        for email, secret, label in (
            (SANDBOX_EMAIL, SANDBOX_PASSWORD, "Sandbox"),
            (HISTORY_EMAIL, HISTORY_PASSWORD, "Sandbox (history replay)"),
        ):
            account = self._account(user, label)
            if account is None:
                account_create(owner=user, email=email, password=secret, label=label)
            else:
                # Each run's sandbox is new: tokens a previous run stored are unknown to it.
                account_update(account=account, email=email, password=secret)
        return user, password

    @staticmethod
    def _account(user: User, label: str) -> PlaytomicAccount | None:
        return PlaytomicAccount.objects.filter(owner=user, label=label).order_by("pk").first()

    def _import(self, sandbox: Any, user: User) -> list[Club]:
        """Every active sandbox club, monitored for every sport it has; switched off (and read
        with the replay's account) until the history is in."""
        account = self._account(user, "Sandbox")
        replay_account = self._account(user, "Sandbox (history replay)")
        clubs = []
        for sandbox_club in sandbox.world.clubs:
            if sandbox_club.playtomic_status not in ("", "ACTIVE", None):
                continue
            club = club_import(tenant_id=sandbox_club.tenant_id, account=account)
            monitoring_configure(
                club=club,
                monitoring=MonitoringSettings(
                    enabled=False,
                    start_time_local=time(7),
                    sports=club_sports(club=club),
                    account=replay_account,
                ),
            )
            clubs.append(club)
            self.stdout.write(
                f"  imported {club.name} ({club.timezone}, {club.courts.count()} courts: "
                f"{', '.join(club_sports(club=club)).lower()})"
            )
        return clubs

    def _print_logins(
        self, sandbox_url: str, port: int, password: str, logins: list[group_demo.Login]
    ) -> None:
        url = f"http://127.0.0.1:{port}/"
        bar = "=" * 72
        members = "\n".join(
            f"    {login.username} / {login.password}  ({login.role})" for login in logins
        )
        friends = ", ".join(f"{login.username}@sandbox.test" for login in logins)
        self.stdout.write(
            f"\n{bar}\n  Dashboards: {url}\n  Log in as: {DEMO_USER} / {password}\n"
            f"  The group {GROUP_NAME!r} ({url}booking/games/), its members:\n{members}\n"
            f"  API docs:   {url}api/docs/\n"
            f"  Playtomic sandbox accounts that log in on {sandbox_url}:\n"
            f"    {DEFAULT_ACCOUNT[0]} / {DEFAULT_ACCOUNT[1]}  (free to add: Booking -> "
            "Add Playtomic account)\n"
            f"    {SANDBOX_EMAIL} / {SANDBOX_PASSWORD}  (the demo user's; monitoring reads "
            "with it)\n"
            f"    {HISTORY_EMAIL} / {HISTORY_PASSWORD}  (the history replay's)\n"
            f"    {friends} / {group_demo.SANDBOX_PASSWORD}\n"
            f"  manage.py commands on this VAR_DIR talk to this sandbox while the demo runs.\n"
            f"{bar}\n"
        )

    def _backfill(
        self,
        sandbox: Any,
        clubs: list[Club],
        start: datetime,
        end: datetime,
        options: dict[str, Any],
        honcho: subprocess.Popen[bytes] | None = None,
    ) -> None:
        """Step the private sandbox's clock from `start` to `end`, then to the current time,
        polling every club at each step; progress in VAR_DIR/demo-history.json. Stops the demo
        if web, workers and beat (`honcho`) have stopped: nobody would see the history."""
        step = timedelta(hours=options["step_hours"])
        instants = [start + step * i for i in range(int((end - start) / step) + 1)]
        instants = [at for at in instants if at < end]
        total = len(instants) + 1  # the last step is the current time, when it is reached
        days = max(1, math.ceil((end - start) / timedelta(days=1)))
        failures = 0
        shown = -1
        history_progress_write(settings.VAR_DIR, done=0, total=total, days=days)
        span = f"{days} day" if days == 1 else f"{days} days"
        self.stdout.write(f"Filling in {span} of history behind the running site...")
        # Polls with the DEMO trigger mark their events as replays: cancellations seen in
        # replayed history are long gone, so no consumer is handed them.
        for i in range(total):
            at = instants[i] if i < len(instants) else datetime.now(UTC)
            sandbox.clock.set(at, frozen=True)
            for club in clubs:
                run = poll_club(club=club, trigger=PollRun.Trigger.DEMO, now=at)
                failures += run.outcome == PollRun.Outcome.FAILED
            history_progress_write(settings.VAR_DIR, done=i + 1, total=total, days=days)
            if honcho is not None and honcho.poll() is not None:
                raise CommandError("Web, workers or beat stopped (see above): the demo stops.")
            percent = 100 * (i + 1) // total
            if percent // 10 != shown:
                shown = percent // 10
                self.stdout.write(
                    f"  history {percent:3d}%  {at:%Y-%m-%d %H:%M} UTC, {failures} failed polls"
                )
        # The days that closed in the replayed history, summarized as beat's task keeps them.
        summaries_refresh_due(now=datetime.now(UTC))
        history_progress_clear(settings.VAR_DIR)

    def _monitor_live(self, clubs: list[Club], user: User) -> None:
        """Monitoring on, reading with the demo user's account, on the live sandbox."""
        account = self._account(user, "Sandbox")
        for config in MonitoringConfig.objects.filter(club__in=clubs).select_related("club"):
            monitoring = dataclasses.replace(
                MonitoringSettings.of(config), enabled=True, account=account
            )
            monitoring_configure(club=config.club, monitoring=monitoring)

    def _start_system(self, sandbox_url: str, port: int) -> subprocess.Popen[bytes]:
        env = dict(os.environ)
        env["PLAYTOMIC_BASE_URL"] = sandbox_url
        env["WEB_PORT"] = str(port)
        self.stdout.write("Starting web, workers and beat (Ctrl-C stops all)...")
        honcho = [
            sys.executable,
            "-m",
            "honcho",
            "start",
            "-f",
            str(settings.BASE_DIR / "Procfile"),
        ]
        return subprocess.Popen(honcho, env=env, cwd=settings.BASE_DIR)  # noqa: S603

    def _wait_for_web(self, port: int, began: float, honcho: subprocess.Popen[bytes]) -> None:
        """Until the login page answers (the demo's own work would only slow its start)."""
        url = f"http://127.0.0.1:{port}/accounts/login/"
        while monotonic_time.monotonic() - began < WEB_WAIT_SECONDS:
            if honcho.poll() is not None:
                raise CommandError("Web, workers or beat did not start (see above).")
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        elapsed = monotonic_time.monotonic() - began
                        self.stdout.write(f"The site answers at {url} ({elapsed:.0f} s).")
                        return
            except (urllib.error.URLError, OSError):
                pass
            monotonic_time.sleep(0.25)

    def _stop_system(self, honcho: subprocess.Popen[bytes]) -> None:
        """Honcho stops its processes on SIGTERM (Ctrl-C reached it already, as the whole
        foreground group gets it); kill it if it has not finished in STOP_SECONDS."""
        if honcho.poll() is None:
            honcho.send_signal(signal.SIGTERM)
        try:
            honcho.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            honcho.kill()
            honcho.wait()
        self.stdout.write("Stopped.")
