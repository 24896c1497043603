"""Release latency and contested win rate, with a real beat and a real booking worker.

A sandbox (real clock, no background demand) opens one club-local date per release, a few
seconds apart (/_sandbox/releases). Each release belongs to its own fixed-time rule, so beat
arms the worker through the rules' own clocked entries exactly as in production (the arm
lead is shortened to 15 s to keep the run to a few minutes).

- release_latency_ms_p50 / _p95: the sandbox's receive time of the first booking request
  (POST /v1/payment_intents) minus T, over the uncontested releases; release_early_count
  counts requests received before T.
- contested_win_rate: share of contested releases (rivals try the rule's first-choice slot
  from T + 50..500 ms) where the rule booked that first-choice slot.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.common import merge_results, print_table, run_child

PLAIN = 22
CONTESTED = 22
SPACING_SECONDS = 3.5
FIRST_RELEASE_IN = 25.0
ARM_LEAD = "15"
EMAIL = "bench-booker@sandbox.test"
PASSWORD = "bench-booker-pw"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def child() -> dict[str, Any]:
    from playtomic.sandbox.server import SandboxServer

    sandbox = SandboxServer(seed=7, accounts=[(EMAIL, PASSWORD)], demand=False).start()
    os.environ["PLAYTOMIC_BASE_URL"] = sandbox.url
    os.environ["BOOKING_ARM_LEAD_SECONDS"] = ARM_LEAD
    from bench.common import setup_django

    teardown = setup_django()
    from datetime import time as wall

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from booking import services
    from booking.models import BookingAttempt
    from clubs.services import club_store_tenant
    from playtomic.types import parse_tenant
    from tests.support.processes import start_beat, start_worker, stop, subprocess_env

    var_dir = Path(os.environ["VAR_DIR"])
    user = get_user_model().objects.create_user(username="bench", password="bench-pass-123")
    account = services.account_create(owner=user, email=EMAIL, password=PASSWORD, label="bench")
    tenant = parse_tenant(sandbox.world.club_by_slug("sandbox-padel-madrid").to_json())
    with transaction.atomic():
        club = club_store_tenant(tenant=tenant)
    court = club.courts.order_by("reservation_priority").first()
    assert court is not None
    base = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=FIRST_RELEASE_IN)
    releases: list[dict[str, Any]] = []
    for k in range(PLAIN + CONTESTED):
        release_at = base + timedelta(seconds=k * SPACING_SECONDS)
        local = release_at.astimezone(club.zone)
        target = local.date() + timedelta(days=k + 2)
        rule = services.rule_save(
            owner=user,
            accounts=[account],
            name=f"bench {k}",
            club=club,
            weekdays=list(range(7)),
            earliest_start=wall(18, 0),
            latest_start=wall(18, 0),
            durations=[90],
            court_preference=[court.pk],
            payment_methods=["club"],
            release_policy="fixed",
            release_days_before=k + 2,
            release_local_time=local.time(),
            burst_seconds=1.5,
        )
        sandbox.set_release(club.playtomic_id, target, release_at)
        contested = k >= PLAIN
        start = datetime.combine(target, wall(18, 0), tzinfo=club.zone).astimezone(UTC)
        if contested:
            sandbox.add_rivals(
                [
                    {
                        "tenant_id": club.playtomic_id,
                        "resource_id": court.playtomic_id,
                        "start": start.strftime("%Y-%m-%dT%H:%M:%S"),
                        "duration": 90,
                    }
                ]
            )
        releases.append(
            {
                "rule": rule.pk,
                "T": release_at.timestamp(),
                "target": target,
                "start": start,
                "contested": contested,
            }
        )
    env = subprocess_env(var_dir, {"BOOKING_ARM_LEAD_SECONDS": ARM_LEAD})
    keys = list(settings.FIELD_ENCRYPTION_KEYS) or [
        line.strip()
        for line in Path(settings.FIELD_ENCRYPTION_KEY_FILE).read_text().splitlines()
        if line.strip()
    ]
    env["FIELD_ENCRYPTION_KEYS"] = ",".join(keys)
    worker = start_worker(
        ["booking"], env, log_path=var_dir / "worker.log", pool="prefork", concurrency=8
    )
    beat = start_beat(env, log_path=var_dir / "beat.log", var_dir=var_dir)
    try:
        deadline = releases[-1]["T"] + 20
        while time.time() < deadline:
            pending = BookingAttempt.objects.filter(
                rule_id__in=[r["rule"] for r in releases],
                state__in=BookingAttempt.ACTIVE_STATES,
            ).exclude(target_date__gt=max(r["target"] for r in releases))
            if releases[-1]["T"] < time.time() and not pending.exists():
                break
            time.sleep(1)
    finally:
        stop(beat)
        stop(worker)
    posts = [
        e
        for e in sandbox.requests(path="/v1/payment_intents")
        if e["method"] == "POST" and e["path"] == "/v1/payment_intents" and e["email"] == EMAIL
    ]
    latencies: list[float] = []
    early = 0
    wins = 0
    rows = []
    states: dict[str, int] = {}
    for release in releases:
        window = [
            e["received_unix"]
            for e in posts
            if release["T"] - 1.0 <= e["received_unix"] < release["T"] + 1.5
        ]
        attempt = BookingAttempt.objects.get(rule_id=release["rule"], target_date=release["target"])
        states[attempt.state] = states.get(attempt.state, 0) + 1
        latency = (min(window) - release["T"]) * 1000 if window else None
        if latency is not None and latency < 0:
            early += 1
        if release["contested"]:
            won = (
                attempt.state == BookingAttempt.State.BOOKED
                and attempt.court_id == court.pk
                and attempt.slot_start == release["start"]
            )
            wins += won
        elif latency is not None:
            latencies.append(latency)
        rows.append(
            (
                release["rule"],
                "contested" if release["contested"] else "plain",
                attempt.state,
                f"{latency:.2f}" if latency is not None else "-",
            )
        )
    bookings = [b for b in sandbox.state()["bookings"] if b["owner_email"] == EMAIL]
    slots = {(b["resource_id"], b["start_date"]) for b in bookings}
    sandbox.stop()
    teardown()
    missing = PLAIN - len(latencies)
    return {
        "release_latency_ms_p50": statistics.median(latencies) if latencies else -1,
        "release_latency_ms_p95": percentile(latencies, 0.95) if latencies else -1,
        "release_early_count": early,
        "contested_win_rate": wins / CONTESTED,
        "_releases_without_request": missing,
        "_double_bookings": len(bookings) - len(slots),
        "_states": states,
        "_rows": rows,
    }


def main() -> None:
    result = run_child("bench.bench_release")
    figures = {key: value for key, value in result.items() if not key.startswith("_")}
    merge_results(figures)
    print_table(
        "Release racer (real beat + booking worker, sandbox on loopback)",
        [
            ("uncontested releases", PLAIN),
            ("contested releases", CONTESTED),
            ("release_latency_ms_p50", f"{figures['release_latency_ms_p50']:.2f}  (goal <= 10)"),
            ("release_latency_ms_p95", f"{figures['release_latency_ms_p95']:.2f}  (goal <= 50)"),
            ("release_early_count", f"{figures['release_early_count']}  (goal 0)"),
            ("contested_win_rate", f"{figures['contested_win_rate']:.2f}  (goal >= 0.95)"),
            ("releases with no request", result["_releases_without_request"]),
            ("double bookings", result["_double_bookings"]),
            ("attempt states", json.dumps(result["_states"])),
        ],
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", action="store_true")
    if parser.parse_args().child:
        print(json.dumps(child(), default=str))
    else:
        main()
