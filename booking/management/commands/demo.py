"""`make demo`: the whole system against the built-in Playtomic sandbox, with weeks of history
and a group of friends.

1. Start the sandbox in this process on a fixed loopback port, its clock weeks in the past.
2. Import every sandbox club, give the demo admin a Playtomic (sandbox) account to read with,
   and configure monitoring.
3. Backfill: step the sandbox clock forward to now, polling every club at each step, exactly as
   the worker would (same service, same ingest), with a progress bar.
4. Seed a group of four (`booking.demo`): members with their own sandbox accounts, two lent to
   the group, its rules, past attempts and games booked on the sandbox for the coming days.
5. Put the sandbox back on real time and run web, worker and beat (honcho, Procfile) against
   it, so monitoring continues live. Ctrl-C stops everything.

It lives in booking, the highest app it needs (it seeds groups and booking rules).
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from datetime import UTC, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandParser
from django.test.utils import override_settings

from accounts.models import PlaytomicAccount
from accounts.services import account_create
from availability.models import PollRun
from availability.services.polling import poll_club
from availability.services.summaries import summaries_refresh_due
from booking.demo import GROUP_NAME, demo_group_seed
from clubs.models import Club
from clubs.services import MonitoringSettings, club_import, monitoring_configure

SANDBOX_EMAIL = "demo@sandbox.test"
SANDBOX_PASSWORD = "sandbox-demo-password"  # noqa: S105 - a sandbox-only account
DEMO_USER = "demo"


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

    def handle(self, *args: Any, **options: Any) -> None:
        from playtomic.sandbox.server import SandboxServer

        now = datetime.now(UTC).replace(second=0, microsecond=0)
        start = now - timedelta(days=options["days"])
        sandbox = SandboxServer(
            seed=1,
            accounts=[(SANDBOX_EMAIL, SANDBOX_PASSWORD)],
            port=options["sandbox_port"],
            now=start,
            frozen=True,
        ).start()
        self.stdout.write(
            f"Playtomic sandbox on {sandbox.url} (clock at {start:%Y-%m-%d %H:%M} UTC)"
        )
        try:
            # Polls in this process skip the politeness delay: the sandbox is ours.
            with override_settings(PLAYTOMIC_BASE_URL=sandbox.url, PLAYTOMIC_RATE_PER_SECOND=0):
                password = self._demo_user()
                clubs = self._import(sandbox)
                self._backfill(sandbox, clubs, start, now, options["step_hours"])
                sandbox.clock.reset()
                logins = demo_group_seed(
                    clubs=clubs, add_sandbox_account=sandbox.add_account, now=now
                )
            sandbox.clock.reset()
            url = f"http://127.0.0.1:{options['port']}/"
            bar = "=" * 64
            members = "\n".join(
                f"    {login.username} / {login.password}  ({login.role})" for login in logins
            )
            self.stdout.write(
                f"\n{bar}\n  Dashboards: {url}\n  Log in as: {DEMO_USER} / {password}\n"
                f"  The group {GROUP_NAME!r} ({url}booking/games/), its members:\n{members}\n"
                f"  API docs:   {url}api/docs/\n{bar}\n"
            )
            if not options["no_run"]:
                self._run_system(sandbox.url, options["port"])
        finally:
            sandbox.stop()

    def _demo_user(self) -> str:
        """A staff superuser with a fresh password each run (printed once), and its sandbox
        Playtomic account, which monitoring reads with."""
        user_model = get_user_model()
        user, _ = user_model.objects.get_or_create(
            username=DEMO_USER, defaults={"is_staff": True, "is_superuser": True}
        )
        password = secrets.token_urlsafe(9)
        user.set_password(password)
        user.is_staff = user.is_superuser = True
        user.save()
        if not PlaytomicAccount.objects.filter(owner=user).exists():
            account_create(
                owner=user, email=SANDBOX_EMAIL, password=SANDBOX_PASSWORD, label="Sandbox"
            )
        return password

    def _import(self, sandbox: Any) -> list[Club]:
        account = PlaytomicAccount.objects.filter(owner__username=DEMO_USER).first()
        clubs = []
        for sandbox_club in sandbox.world.clubs:
            if sandbox_club.playtomic_status not in ("", "ACTIVE", None):
                continue
            club = club_import(tenant_id=sandbox_club.tenant_id, account=account)
            monitoring_configure(
                club=club,
                monitoring=MonitoringSettings(start_time_local=time(7), account=account),
            )
            clubs.append(club)
            self.stdout.write(
                f"  imported {club.name} ({club.timezone}, {club.courts.count()} courts)"
            )
        return clubs

    def _backfill(
        self, sandbox: Any, clubs: list[Club], start: datetime, end: datetime, step_hours: int
    ) -> None:
        steps = int((end - start) / timedelta(hours=step_hours)) + 1
        failures = 0
        # Polls with the DEMO trigger mark their events as replays: cancellations seen in
        # replayed history are long gone, so no consumer is handed them.
        for i in range(steps):
            at = min(end, start + timedelta(hours=step_hours * i))
            sandbox.clock.set(at, frozen=True)
            for club in clubs:
                run = poll_club(club=club, trigger=PollRun.Trigger.DEMO, now=at)
                failures += run.outcome == PollRun.Outcome.FAILED
            done = (i + 1) / steps
            filled = int(done * 40)
            sys.stdout.write(
                f"\r  history [{'#' * filled}{'.' * (40 - filled)}] {done:4.0%} "
                f"{at:%Y-%m-%d %H:%M} UTC, {failures} failed polls"
            )
            sys.stdout.flush()
        sys.stdout.write("\n")
        # The days that closed in the replayed history, summarized as beat's task keeps them.
        summaries_refresh_due(now=end)

    def _run_system(self, sandbox_url: str, port: int) -> None:
        env = dict(os.environ)
        env["PLAYTOMIC_BASE_URL"] = sandbox_url
        env["WEB_PORT"] = str(port)
        self.stdout.write("Starting web, worker and beat (Ctrl-C stops all)...")
        honcho = [
            sys.executable,
            "-m",
            "honcho",
            "start",
            "-f",
            str(settings.BASE_DIR / "Procfile"),
        ]
        try:
            subprocess.run(honcho, env=env, cwd=settings.BASE_DIR, check=False)  # noqa: S603
        except KeyboardInterrupt:
            self.stdout.write("Stopped.")
