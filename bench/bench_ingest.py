"""Ingest cost: CPU milliseconds per club-day (parse the JSON answer, diff, write), median over
many club-days, on SQLite and, when DATABASE_URL points at PostgreSQL, on PostgreSQL.

Answers are captured once from the sandbox (a 10-court club, 8 days, polled every 15 minutes
over two simulated days, so consecutive answers differ as players book and cancel), then
replayed in order through `ingest_day` so every replay diffs against the state the previous
one left. CPU time is this process's (`time.process_time`); wall time is printed beside it.
On PostgreSQL the database server's own CPU is not in the figure, its latency is in the wall.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bench.common import (
    drop_results,
    hand_over_quickly,
    merge_results,
    print_table,
    run_child,
    setup_django,
)

MADRID = ZoneInfo("Europe/Madrid")
FIRST_DAY = date(2026, 2, 2)
POLL_HOURS = 20  # simulated hours of 15-minute polls captured (08:00 to 04:00)


def _decoded(payload: Any) -> Any:
    return payload


def capture(sandbox: Any, tenant_id: str, clock: Any) -> list[tuple[datetime, date, Any]]:
    """(observed_at, local day, raw JSON answer) for every poll and day."""
    from playtomic.client import PlaytomicClient
    from playtomic.timewindows import local_day_utc_windows, to_api_timestamp

    client = PlaytomicClient(sandbox.url)
    client.login("bench@sandbox.test", "bench-password")
    answers = []
    start = datetime.combine(FIRST_DAY, datetime.min.time(), tzinfo=MADRID) + timedelta(hours=8)
    for step in range(POLL_HOURS * 4):
        now = start + timedelta(minutes=15 * step)
        clock.move_to(now)
        today = now.astimezone(MADRID).date()
        for offset in range(8):
            day = today + timedelta(days=offset)
            ((low, high),) = local_day_utc_windows(day, MADRID)
            # The client's own transport (tokens refreshed as the clock runs), keeping the
            # decoded JSON so the typed parse is timed with the ingest.
            payload = client._request(
                "GET",
                "/v1/availability",
                params={
                    "tenant_id": tenant_id,
                    "sport_id": "PADEL",
                    "start_min": to_api_timestamp(low),
                    "start_max": to_api_timestamp(high),
                },
                parse=_decoded,
            )
            answers.append((now, day, json.dumps(payload)))
    client.close()
    return answers


def child() -> dict[str, Any]:
    hand_over_quickly()  # the capture's sandbox is a thread of this process
    cleanup = setup_django()
    import time_machine
    from django.conf import settings
    from django.db import connection

    from availability.services.ingest import ingest_day
    from clubs.models import Club
    from clubs.services import club_store_tenant
    from playtomic.sandbox.server import SandboxServer
    from playtomic.types import parse_availability, parse_tenant

    # No consumer runs in a benchmark: events are written, not relayed to a broker.
    settings.AVAILABILITY_EVENT_CONSUMERS = {}
    # As a poll worker runs in production: no query log (DEBUG records every statement).
    settings.DEBUG = False
    start = datetime.combine(FIRST_DAY, datetime.min.time(), tzinfo=MADRID)
    with (
        time_machine.travel(start, tick=False) as clock,
        SandboxServer(seed=1, accounts=[("bench@sandbox.test", "bench-password")]) as sandbox,
    ):
        world_club = sandbox.world.club_by_slug("sandbox-padel-madrid")
        Club.objects.filter(playtomic_id=world_club.tenant_id).delete()
        club = club_store_tenant(tenant=parse_tenant(world_club.to_json()))
        answers = capture(sandbox, club.playtomic_id, clock)
    courts = list(club.courts.filter(is_active=True))
    cpu: list[float] = []
    wall: list[float] = []
    changes = 0
    for observed_at, day, raw in answers:
        cpu_start, wall_start = time.process_time(), time.perf_counter()
        result = ingest_day(
            club=club,
            local_date=day,
            availability=parse_availability(json.loads(raw)),
            observed_at=observed_at,
            courts=courts,
        )
        cpu.append((time.process_time() - cpu_start) * 1000)
        wall.append((time.perf_counter() - wall_start) * 1000)
        changes += result.changes_written
    vendor = connection.vendor
    cleanup()
    return {
        "vendor": vendor,
        "club_days": len(cpu),
        "changes": changes,
        "cpu_median_ms": statistics.median(cpu),
        "cpu_p95_ms": statistics.quantiles(cpu, n=20)[18],
        "wall_median_ms": statistics.median(wall),
        "wall_p95_ms": statistics.quantiles(wall, n=20)[18],
    }


def main() -> None:
    rows: list[tuple[Any, ...]] = [
        ("database", "club-days", "CPU median", "CPU p95", "wall median", "wall p95")
    ]
    figures: dict[str, float] = {}
    database_url = os.environ.get("DATABASE_URL", "")
    targets: list[tuple[str, dict[str, str] | None]] = [("sqlite", None)]
    if database_url.startswith(("postgres://", "postgresql://", "pgsql://")):
        targets.append(("postgres", {"DATABASE_URL": database_url}))
    for name, env in targets:
        result = run_child("bench.bench_ingest", env=env)
        rows.append(
            (
                name,
                result["club_days"],
                f"{result['cpu_median_ms']:.1f} ms",
                f"{result['cpu_p95_ms']:.1f} ms",
                f"{result['wall_median_ms']:.1f} ms",
                f"{result['wall_p95_ms']:.1f} ms",
            )
        )
        figures[f"ingest_ms_per_club_day_{name}"] = result["cpu_median_ms"]
    print_table("Ingest per club-day (10 courts, parse + diff + write, one transaction)", rows)
    if "ingest_ms_per_club_day_postgres" not in figures:
        print("  PostgreSQL skipped: set DATABASE_URL=postgresql://... to measure it.")
        drop_results(["ingest_ms_per_club_day_postgres"])
    merge_results(figures)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", action="store_true")
    if parser.parse_args().child:
        print(json.dumps(child()))
    else:
        main()
