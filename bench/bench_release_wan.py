"""Release figures over a simulated wide-area network: the sandbox's clock is not ours and the
network is tens of milliseconds away, with jitter.

Several lanes run side by side, each a child process with its own sandbox (a separate
`python -m playtomic.sandbox` process) and its own SQLite database. A lane races its releases
one after another, in process, through `booking.services.race.attempt_race` (the production
code path: claim, prepare, clock and delay estimate, aimed opening, burst, record; no Celery).
The Ts lie on one grid of whole seconds: lane i's are i x LANE_STAGGER after lane 0's, so no
two lanes' bursts share the CPU, and each T is at least LEAD_SECONDS after its rule is made.
Before each release the lane draws, on the sandbox's control API:
- a clock offset uniform in [-3 s, +3 s] (`POST /_sandbox/clock`);
- a one-way delay base uniform in [20, 60] ms, the same both ways, each request adding a
  Lomax (Pareto II) jitter of scale 3 ms and tail index 2 (median 1.2 ms, p95 10 ms, capped
  at 50 ms) per direction, plus 1-3 ms of processing (`PUT /_sandbox/network`).
Each release is a fixed-time rule whose date the sandbox opens at T on *its own* clock; T is a
whole second. The clock estimate gets `BOOKING_CLOCK_SYNC_SECONDS` = 8 (production: 10) to keep
the run short. Every other release is contested: a rival tries the rule's first-choice slot at
T + a delay uniform in [20, 150] ms (sandbox clock).

Figures (times on the sandbox's clock, from its request log, `received_at`: when the request
reached it):
- release_latency_wan_ms_p50 / _p95: over the uncontested releases, the receive time of the
  release's first booking request (POST /v1/payment_intents) minus T. Goals 10 / 30 ms.
- release_early_count_wan: booking requests received before T (necessarily refused: nothing is
  released before T) in releases whose race did not end with the rule's first-choice slot
  booked. An early request followed by a retry that won the first choice is not counted; one
  after which the first choice was lost (to the rival, or to nobody: booked another court, or
  nothing) is. Goal 0. `_early_requests` counts every request received before T, whatever
  followed.
- contested_win_rate_wan: share of contested releases where the rule booked the rival's slot
  (its first choice). Goal >= 0.95.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import requests

from bench.common import drop_results, merge_results, migrated_sqlite, print_table, run_child
from bench.racing import BURST_SECONDS, latency_ms, release_rule

LANES = 10
RELEASES_PER_LANE = 6
# Each release is at least this far ahead when its rule is made (the clock estimate takes
# SYNC_SECONDS + 5 s of it).
LEAD_SECONDS = 14.0
SYNC_SECONDS = "8"
# The lanes' Ts are this many whole seconds apart (a burst lasts at most BURST_SECONDS), so a
# lane's own Ts are LANES x LANE_STAGGER apart: room for LEAD_SECONDS plus one race.
LANE_STAGGER = 2
PERIOD_SECONDS = LANES * LANE_STAGGER
# The lanes start at once; lane 0's first T is this long after: every lane's set-up (a sandbox
# and a copy of one migrated database each) plus LEAD_SECONDS. A lane that is not ready by then
# takes the next point of its grid.
FIRST_RELEASE_IN = 30
OFFSET_SECONDS = 3.0
ONE_WAY_MS = (20.0, 60.0)
RIVAL_MS = (20.0, 150.0)
EMAIL = "wan-booker@sandbox.test"
PASSWORD = "wan-booker-pw"
MIN_SAMPLES = 30


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def network_model(one_way_ms: float, seed: int) -> dict[str, Any]:
    way = {"base_ms": one_way_ms, "jitter": "pareto", "jitter_ms": 3, "shape": 2, "cap_ms": 50}
    return {
        "inbound": way,
        "outbound": way,
        "processing": {"base_ms": 1, "jitter": "uniform", "jitter_ms": 2},
        "seed": seed,
    }


class Sandbox:
    """A sandbox in its own process, driven through its control API."""

    def __init__(self, seed: int) -> None:
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "playtomic.sandbox",
                "--port",
                "0",
                "--seed",
                str(seed),
                "--no-demand",
                "--account",
                f"{EMAIL}:{PASSWORD}",
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        self.url = line.split(" on ", 1)[1].split()[0]
        self.session = requests.Session()

    def control(self, method: str, path: str, body: Any = None) -> Any:
        response = self.session.request(method, self.url + path, json=body, timeout=10)
        response.raise_for_status()
        return response.json()

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def next_release(grid_start: int) -> datetime:
    """The first T of a lane's grid (whole seconds from `grid_start`, PERIOD_SECONDS apart)
    that is at least LEAD_SECONDS from now."""
    steps = max(0, math.ceil((time.time() + LEAD_SECONDS - grid_start) / PERIOD_SECONDS))
    return datetime.fromtimestamp(grid_start + steps * PERIOD_SECONDS, UTC)


def lane(index: int, releases: int, grid_start: int) -> dict[str, Any]:
    """One lane: a sandbox, a database, and `releases` releases raced one after another, at
    Ts on the lane's grid."""
    begun = time.time()
    sandbox = Sandbox(seed=7 + index)
    os.environ["PLAYTOMIC_BASE_URL"] = sandbox.url
    from bench.common import setup_django

    teardown = setup_django()
    from datetime import time as wall

    from django.contrib.auth import get_user_model
    from django.db import transaction

    from accounts.client import account_client
    from accounts.services import account_create
    from booking.models import BookingAttempt
    from booking.services.race import attempt_race
    from clubs.services import club_store_tenant

    rng = random.Random(f"wan:{index}")
    user = get_user_model().objects.create_user(username="wan", password="wan-bench-pass-1")
    account = account_create(owner=user, email=EMAIL, password=PASSWORD, label="wan")
    clubs = sandbox.control("GET", "/_sandbox/state")["clubs"]
    tenant_id = next(c["tenant_id"] for c in clubs if c["slug"] == "sandbox-padel-madrid")
    tenant = account_client(account=account).get_tenant(tenant_id)
    with transaction.atomic():
        club = club_store_tenant(tenant=tenant)
    court = club.courts.filter(sport_id="PADEL").order_by("reservation_priority", "name").first()
    assert court is not None
    started = time.time()
    rows: list[dict[str, Any]] = []
    for k in range(releases):
        contested = (k + index) % 2 == 1
        offset = rng.uniform(-OFFSET_SECONDS, OFFSET_SECONDS)
        one_way = rng.uniform(*ONE_WAY_MS)
        sandbox.control("POST", "/_sandbox/clock", {"offset_seconds": offset})
        sandbox.control("PUT", "/_sandbox/network", network_model(one_way, seed=100 * index + k))
        release_at = next_release(grid_start)
        local = release_at.astimezone(club.zone)
        target = local.date() + timedelta(days=k + 2)
        start = datetime.combine(target, wall(18, 0), tzinfo=club.zone).astimezone(UTC)
        rule = release_rule(
            user, account, club, court, name=f"wan {index}-{k}", days_before=k + 2, at=local.time()
        )
        sandbox.control(
            "POST",
            "/_sandbox/releases",
            {
                "tenant_id": club.playtomic_id,
                "local_date": target.isoformat(),
                "release_at": release_at.strftime("%Y-%m-%dT%H:%M:%S"),
            },
        )
        rival_ms = None
        if contested:
            rival_ms = rng.uniform(*RIVAL_MS)
            sandbox.control(
                "POST",
                "/_sandbox/rivals",
                {
                    "slots": [
                        {
                            "tenant_id": club.playtomic_id,
                            "resource_id": court.playtomic_id,
                            "start": start.strftime("%Y-%m-%dT%H:%M:%S"),
                            "duration": 90,
                            "delay_ms": rival_ms,
                        }
                    ]
                },
            )
        attempt = attempt_race(
            attempt_id=BookingAttempt.objects.get(rule=rule, target_date=target).pk
        )
        kinds = dict(attempt.events.values_list("kind", "data"))
        clock = kinds.get("clock") or {}
        first_sent = attempt.events.filter(kind="intent_sent").order_by("at").first()
        rows.append(
            {
                "T": release_at.timestamp(),
                "contested": contested,
                "rival_ms": rival_ms,
                "offset_s": offset,
                "one_way_ms": one_way,
                "state": attempt.state,
                "first_choice": attempt.state == BookingAttempt.State.BOOKED
                and attempt.court_id == court.pk
                and attempt.slot_start == start,
                "uncertainty_ms": clock.get("uncertainty_ms"),
                "late_ms": (
                    None
                    if first_sent is None or not (kinds.get("aim") or {}).get("shots_ms")
                    else first_sent.ms_from_release - kinds["aim"]["shots_ms"][0]
                ),
                "offset_error_ms": (
                    None if "offset_ms" not in clock else clock["offset_ms"] - offset * 1000
                ),
                "samples": clock.get("samples"),
                "coarse": "clock_coarse" in kinds,
                "staggered": len((kinds.get("aim") or {}).get("shots_ms", [])) > 1,
                "early_retries": attempt.events.filter(kind="early_retry").count(),
            }
        )
    posts = [
        e
        for e in sandbox.control("GET", "/_sandbox/requests?path=/v1/payment_intents")
        if e["method"] == "POST" and e["path"] == "/v1/payment_intents" and e["email"] == EMAIL
    ]
    bookings = [
        b
        for b in sandbox.control("GET", "/_sandbox/state")["bookings"]
        if b["owner_email"] == EMAIL
    ]
    sandbox.stop()
    teardown()
    return {
        "rows": rows,
        "posts": posts,
        "bookings": bookings,
        "setup_seconds": started - begun,
        "seconds": time.time() - started,
    }


def analyse(lanes: list[dict[str, Any]]) -> dict[str, Any]:
    latencies: list[float] = []
    early = 0
    early_requests = 0
    contested = wins = 0
    without_request = 0
    double = 0
    uncertainties: list[float] = []
    offset_errors: list[float] = []
    coarse = staggered = retries = 0
    late: list[float] = []
    states: dict[str, int] = {}
    for result in lanes:
        bookings = result["bookings"]
        double += len(bookings) - len({(b["resource_id"], b["start_date"]) for b in bookings})
        for row in result["rows"]:
            release = row["T"]
            mine = [
                (datetime.fromisoformat(p["received_at"]).timestamp() - release, p)
                for p in result["posts"]
                if -10
                <= datetime.fromisoformat(p["received_at"]).timestamp() - release
                < BURST_SECONDS + 5
            ]
            mine.sort(key=lambda item: item[0])
            if row["uncertainty_ms"] is not None:
                uncertainties.append(row["uncertainty_ms"])
            if row["offset_error_ms"] is not None:
                offset_errors.append(abs(row["offset_error_ms"]))
            states[row["state"]] = states.get(row["state"], 0) + 1
            if row["late_ms"] is not None:
                late.append(row["late_ms"])
            coarse += row["coarse"]
            staggered += row["staggered"]
            retries += row["early_retries"]
            for at, _post in mine:
                if at >= 0:
                    continue
                early_requests += 1
                if not row["first_choice"]:
                    early += 1
            if not mine:
                without_request += 1
            if row["contested"]:
                contested += 1
                wins += row["first_choice"]
            elif mine:
                latencies.append(mine[0][0] * 1000)
    return {
        "release_latency_wan_ms_p50": statistics.median(latencies) if latencies else None,
        "release_latency_wan_ms_p95": percentile(latencies, 0.95) if latencies else None,
        "release_early_count_wan": early,
        "contested_win_rate_wan": wins / contested if contested else None,
        "_latency_samples": len(latencies),
        "_contested": contested,
        "_early_requests": early_requests,
        "_early_retries": retries,
        "_releases_without_request": without_request,
        "_double_bookings": double,
        "_uncertainty_ms_p50": statistics.median(uncertainties) if uncertainties else None,
        "_offset_error_ms_p50": statistics.median(offset_errors) if offset_errors else None,
        "_send_late_ms_p95": percentile(late, 0.95) if late else None,
        "_states": states,
        "_coarse_estimates": coarse,
        "_staggered_openings": staggered,
        "_lane_seconds": [round(result["seconds"]) for result in lanes],
        "_setup_seconds": [round(result["setup_seconds"]) for result in lanes],
    }


def run_lanes(database: dict[str, str]) -> list[dict[str, Any]]:
    """Every lane at once, each a child on a copy of the migrated `database`."""
    grid_start = math.ceil(time.time()) + FIRST_RELEASE_IN

    def run_lane(index: int) -> dict[str, Any]:
        return run_child(
            "bench.bench_release_wan",
            "--lane",
            str(index),
            "--releases",
            str(RELEASES_PER_LANE),
            "--grid-start",
            str(grid_start + index * LANE_STAGGER),
            env={"BOOKING_CLOCK_SYNC_SECONDS": SYNC_SECONDS, **database},
        )

    with ThreadPoolExecutor(max_workers=LANES) as pool:
        return list(pool.map(run_lane, range(LANES)))


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="ptm-bench-") as directory:
        database = migrated_sqlite(Path(directory) / "template.sqlite3")
        lanes = run_lanes(database)
    result = analyse(lanes)
    measured = {
        key: value for key, value in result.items() if not key.startswith("_") and value is not None
    }
    merge_results(measured)
    drop_results([key for key, value in result.items() if value is None])
    samples = result["_latency_samples"]
    if samples < MIN_SAMPLES or result["_contested"] < MIN_SAMPLES:
        print(
            f"WARNING: {samples} uncontested and {result['_contested']} contested releases were "
            f"measured (wanted at least {MIN_SAMPLES} of each)."
        )

    def ms(name: str, goal: str) -> str:
        return latency_ms(result[name], goal, samples)

    win_rate = result["contested_win_rate_wan"]

    def number(name: str) -> str:
        value = result[name]
        return "-" if value is None else f"{value:.2f}"

    print_table(
        "Release racer over a simulated WAN (offset within ±3 s, one way 20-60 ms + jitter)",
        [
            ("releases", LANES * RELEASES_PER_LANE),
            ("release_latency_wan_ms_p50", ms("release_latency_wan_ms_p50", "goal <= 10")),
            ("release_latency_wan_ms_p95", ms("release_latency_wan_ms_p95", "goal <= 30")),
            ("release_early_count_wan", f"{result['release_early_count_wan']}  (goal 0)"),
            (
                "contested_win_rate_wan",
                "not measured"
                if win_rate is None
                else f"{win_rate:.2f}  (goal >= 0.95, n={result['_contested']}, "
                "rivals at T + 20..150 ms)",
            ),
            ("requests received before T", result["_early_requests"]),
            ("early retries", result["_early_retries"]),
            ("arrival uncertainty p50 (ms)", number("_uncertainty_ms_p50")),
            ("offset error p50 (ms)", number("_offset_error_ms_p50")),
            ("first request sent late p95 (ms, machine load)", number("_send_late_ms_p95")),
            ("coarse estimates", result["_coarse_estimates"]),
            ("staggered openings", result["_staggered_openings"]),
            ("releases with no request", result["_releases_without_request"]),
            ("double bookings", result["_double_bookings"]),
            ("attempt states", json.dumps(result["_states"])),
            ("lane seconds (set-up)", f"{result['_lane_seconds']} ({result['_setup_seconds']})"),
        ],
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", action="store_true")
    parser.add_argument("--lane", type=int, default=0)
    parser.add_argument("--releases", type=int, default=RELEASES_PER_LANE)
    parser.add_argument("--grid-start", type=int, default=0)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(lane(args.lane, args.releases, args.grid_start), default=str))
    else:
        main()
