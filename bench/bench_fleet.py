"""A poll fleet: 200 clubs polled every 15 minutes, today plus 7 days ahead (8 requests a
poll), by two poll worker processes that share one Playtomic rate limit of 10 requests per
second, against the sandbox.

The clock is accelerated SPEED times, and the rate limit with it, so both stay consistent:
the sandbox's clock runs SPEED times faster than real time, the shared limiter
(playtomic_monitor.ratelimit, in the cache every worker uses) hands out 10 x SPEED request
slots per real second, which is 10 per sandbox second; and every figure is in sandbox
(simulated) time. One whole 15-minute cycle (every club polled once) takes 900 / SPEED real
seconds. The sandbox's seconds are lined up with the limiter's slots (as if our clock and
Playtomic's agreed); CPU work is not accelerated, so a poll's own work weighs SPEED times more
in simulated time than it would in production: the figures are on the safe side.

What runs is what beat and the poll workers run, on the simulated clock: each club's
PeriodicTask crontab (clubs.services, with its per-club offset) says when beat would send
the task; the scheduler here sends (club, due instant) at that instant to a queue both
workers take from (a broker with prefetch 1); a worker checks `monitoring_is_due` as
`poll_club_scheduled` does and calls `poll_club` with the simulated time. Figures:
- `poll_lateness_s_p95`: how late each poll starts against its crontab instant;
- `rate_limit_violations`: seconds (sandbox clock, from its request log, by receive time) in
  which more than 10 requests reached it;
- `polls_per_worker_minute`: polls one worker completes per minute while busy (60 / the mean
  poll duration), the capacity figure docs/monitoring.md sizes deployments with.

Needs PostgreSQL (DATABASE_URL; two processes write at once); a throw-away database is
created next to the configured one and dropped afterwards. Uses REDIS_URL for the shared
limiter when set, else the database cache.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import statistics
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from datetime import time as dt_time
from typing import Any
from zoneinfo import ZoneInfo

from bench.common import merge_results, postgres_url, print_table, run_child

CLUBS = 200
WORKERS = 2
FREQUENCY_MINUTES = 15
DAYS_AHEAD = 7
RATE_PER_SECOND = 10
SPEED = 7.5
ZONE = ZoneInfo("Europe/Madrid")
# The measured cycle: every club is due once in [START, START + FREQUENCY_MINUTES).
START = datetime(2027, 3, 2, 10, 0, tzinfo=ZONE)
EMAIL, PASSWORD = "fleet@sandbox.test", "fleet-password"


class SimClock:
    """Sandbox time from real time: the linear map the sandbox's own clock follows."""

    def __init__(self, real: float, sim: float, speed: float) -> None:
        self.real, self.sim, self.speed = real, sim, speed

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.sim + (time.time() - self.real) * self.speed, UTC)

    def real_time_at(self, instant: datetime) -> float:
        return self.real + (instant.timestamp() - self.sim) / self.speed


def worker(env: dict[str, str], jobs: Any, results: Any, mapping: Any) -> None:
    """A poll worker process: takes (club id, due instant) jobs until None."""
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "playtomic_monitor.settings")
    import logging

    import django

    django.setup()
    logging.disable(logging.WARNING)
    from django.conf import settings

    from availability.models import PollRun
    from availability.services.polling import poll_club
    from clubs.models import MonitoringConfig
    from clubs.selectors import monitoring_is_due

    settings.AVAILABILITY_EVENT_CONSUMERS = {}  # events are written, not relayed
    settings.DEBUG = False  # as a production worker: no query log
    results.put(("ready", os.getpid()))
    clock: SimClock | None = None
    while True:
        job = jobs.get()
        if job is None:
            break
        if clock is None:
            clock = SimClock(*mapping)
        club_id, due = job
        started = clock.now()
        config = MonitoringConfig.objects.select_related("club").get(club_id=club_id)
        if not monitoring_is_due(config=config, now=started):
            results.put(("dropped", club_id, due, started.timestamp()))
            continue
        run = poll_club(club=config.club, trigger=PollRun.Trigger.SCHEDULE, now=started)
        results.put(
            (
                "polled",
                club_id,
                due,
                started.timestamp(),
                clock.now().timestamp(),
                run.outcome,
                run.requests_made,
            )
        )


def _due_instants(configs: list[Any]) -> list[tuple[datetime, int]]:
    """When beat would send each club's task in the measured cycle: the minutes its stored
    crontab matches (in the club's zone) that the task's window check lets through."""
    from clubs.selectors import monitoring_is_due

    due = []
    for config in configs:
        schedule = config.periodic_task.crontab.schedule
        for minute in range(FREQUENCY_MINUTES):
            at = START + timedelta(minutes=minute)
            local = at.astimezone(config.club.zone)
            if (
                local.minute in schedule.minute
                and local.hour in schedule.hour
                and monitoring_is_due(config=config, now=at)
            ):
                due.append((at, config.club_id))
    return sorted(due)


def child() -> dict[str, Any]:
    from bench.common import in_django

    return in_django(_run)


def _run() -> dict[str, Any]:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection

    from accounts.services import account_create
    from clubs.models import MonitoringConfig
    from clubs.services import MonitoringSettings, club_store_tenant, monitoring_configure
    from playtomic.sandbox.server import SandboxServer
    from playtomic.types import parse_tenant

    with SandboxServer(seed=1, accounts=[(EMAIL, PASSWORD)], now=START, frozen=True) as sandbox:
        copies = sandbox.world.add_club_copies(CLUBS)
        staff = get_user_model().objects.create_user("fleet", is_staff=True)
        account_create(owner=staff, email=EMAIL, password=PASSWORD)
        for copy in copies:
            club = club_store_tenant(tenant=parse_tenant(copy.to_json()))
            monitoring_configure(
                club=club,
                # Around the clock: the clubs are in five zones, never all open at once.
                monitoring=MonitoringSettings(
                    frequency_minutes=FREQUENCY_MINUTES,
                    start_time_local=dt_time(0),
                    end_time_local=dt_time(23, 59),
                    days_ahead=DAYS_AHEAD,
                ),
            )
        configs = list(MonitoringConfig.objects.select_related("club", "periodic_task__crontab"))
        due = _due_instants(configs)
        connection.close()  # the workers open their own

        database = settings.DATABASES["default"]
        env = {
            "DATABASE_URL": (
                f"postgresql://{database['USER']}:{database['PASSWORD'] or ''}@{database['HOST']}:"
                f"{database['PORT']}/{database['NAME']}"
            ),
            "PLAYTOMIC_BASE_URL": sandbox.url,
            "PLAYTOMIC_RATE_PER_SECOND": str(RATE_PER_SECOND * SPEED),
        }
        context = multiprocessing.get_context("spawn")
        jobs, results = context.Queue(), context.Queue()
        mapping = context.Array("d", 3)
        workers = [
            context.Process(target=worker, args=(env, jobs, results, mapping))
            for _ in range(WORKERS)
        ]
        for process in workers:
            process.start()
        for _ in workers:
            assert results.get(timeout=120)[0] == "ready"

        # Start the clock a few simulated seconds before the cycle, with its seconds on the
        # limiter's slots: 10 x SPEED slots per real second from the Unix epoch.
        sandbox.clock.set(START - timedelta(seconds=5), speed=SPEED)
        real, sim = sandbox.clock.reading()
        phase = (sim - real * SPEED) % 1.0
        sandbox.clock.advance(timedelta(seconds=-phase))
        real, sim = sandbox.clock.reading()
        mapping[:] = [real, sim, SPEED]
        clock = SimClock(real, sim, SPEED)
        cycle_started = time.monotonic()
        for at, club_id in due:  # beat: each task at its instant
            wait = clock.real_time_at(at) - time.time()
            if wait > 0:
                time.sleep(wait)
            jobs.put((club_id, at.timestamp()))
        for _ in workers:
            jobs.put(None)
        done = [results.get(timeout=600) for _ in due]
        for process in workers:
            process.join(timeout=60)
        cycle_s = time.monotonic() - cycle_started
        log = sandbox.requests()

    polled = [r for r in done if r[0] == "polled"]
    lateness = sorted(started - due_at for _, _, due_at, started, *_ in polled)
    durations = [finished - started for _, _, _, started, finished, *_ in polled]
    per_second = Counter(
        int(datetime.fromisoformat(entry["received_at"]).timestamp()) for entry in log
    )
    p95 = lateness[min(len(lateness) - 1, round(0.95 * (len(lateness) - 1)))]
    return {
        "polls_due": len(due),
        "polls": len(polled),
        "dropped": len(done) - len(polled),
        "ok": sum(1 for r in polled if r[5] == "ok"),
        "requests": len(log),
        "max_requests_in_a_second": max(per_second.values(), default=0),
        "poll_lateness_s_median": statistics.median(lateness),
        "poll_lateness_s_p95": p95,
        "poll_lateness_s_max": lateness[-1],
        "poll_s_median": statistics.median(durations),
        "rate_limit_violations": sum(1 for n in per_second.values() if n > RATE_PER_SECOND),
        "polls_per_worker_minute": 60 / statistics.mean(durations),
        "cycle_real_s": cycle_s,
    }


def main() -> None:
    database_url = postgres_url("bench_fleet", "two worker processes write at once")
    if database_url is None:
        return
    env = {"DATABASE_URL": database_url}
    if os.environ.get("REDIS_URL"):
        env["REDIS_URL"] = os.environ["REDIS_URL"]
    f = run_child("bench.bench_fleet", env=env)
    rows: list[tuple[Any, ...]] = [
        ("figure", "value", "goal"),
        ("polls due / done / ok", f"{f['polls_due']} / {f['polls']} / {f['ok']}", ""),
        (
            "poll lateness median / p95 / max",
            f"{f['poll_lateness_s_median']:.1f} / {f['poll_lateness_s_p95']:.1f} / "
            f"{f['poll_lateness_s_max']:.1f} s",
            "p95 <= 60 s",
        ),
        (
            "requests / most in one second",
            f"{f['requests']} / {f['max_requests_in_a_second']}",
            f"<= {RATE_PER_SECOND}",
        ),
        ("seconds over the rate limit", f["rate_limit_violations"], "0"),
        ("poll duration median", f"{f['poll_s_median']:.1f} s", ""),
        ("polls per worker minute (busy)", f"{f['polls_per_worker_minute']:.1f}", ""),
    ]
    print_table(
        f"Poll fleet: {CLUBS} clubs every {FREQUENCY_MINUTES} min, {DAYS_AHEAD + 1} days, "
        f"{WORKERS} workers, {RATE_PER_SECOND} req/s shared (simulated time, clock and limit "
        f"x{SPEED:g}; one cycle in {f['cycle_real_s']:.0f} s)",
        rows,
    )
    merge_results(
        {
            name: f[name]
            for name in ("poll_lateness_s_p95", "rate_limit_violations", "polls_per_worker_minute")
        }
    )


if __name__ == "__main__":
    if "--child" in sys.argv:
        print(json.dumps(child()))
    else:
        main()
