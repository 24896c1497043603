"""Release latency and contested win rate, with a real beat and a real booking worker.

A sandbox (real clock, no background demand) opens one club-local date per release, a few
seconds apart (/_sandbox/releases). Each release belongs to its own fixed-time rule, so beat
arms the worker through the rules' own clocked entries exactly as in production (the arm
lead is shortened to 15 s to keep the run to a few minutes).

- release_latency_ms_p50 / _p95: the sandbox's receive time of the first booking request
  (POST /v1/payment_intents) minus T, over the uncontested releases; release_early_count
  counts every booking request received before the T of the release it was sent for (a
  request outside every release's burst counts as early for the next release, however
  early). Fewer than MIN_SAMPLES latencies print a warning; figures that could not be
  measured are dropped from the results rather than written as a placeholder.
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

from bench.common import drop_results, merge_results, print_table, run_child
from bench.racing import BURST_SECONDS, latency_ms, release_rule

PLAIN = 22
CONTESTED = 22
SPACING_SECONDS = 3.0
FIRST_RELEASE_IN = 20.0
ARM_LEAD = "15"
EMAIL = "bench-booker@sandbox.test"
PASSWORD = "bench-booker-pw"
# A POST cannot leave the racer after the burst's deadline; a little slack for the network.
POST_SLACK_SECONDS = 0.5
MIN_SAMPLES = 20


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def attribute_posts(
    received: list[float], releases: list[dict[str, Any]]
) -> tuple[list[list[float]], int]:
    """Which release each booking POST was sent for, by time: inside a release's burst
    [T, T + burst + slack) it belongs to that release; anywhere else it was sent early for
    the next release. Returns the receive times per release and the count of POSTs after the
    last burst (sent for no release)."""
    per_release: list[list[float]] = [[] for _ in releases]
    stray = 0
    horizon = BURST_SECONDS + POST_SLACK_SECONDS
    for at in sorted(received):
        for index, release in enumerate(releases):
            if at < release["T"] + horizon:
                per_release[index].append(at)
                break
        else:
            stray += 1
    return per_release, stray


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

    from accounts.services import account_create
    from booking.models import BookingAttempt
    from clubs.services import club_store_tenant
    from playtomic.types import parse_tenant
    from tests.support.processes import start_beat, start_worker, stop, subprocess_env

    var_dir = Path(os.environ["VAR_DIR"])
    user = get_user_model().objects.create_user(username="bench", password="bench-pass-123")
    account = account_create(owner=user, email=EMAIL, password=PASSWORD, label="bench")
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
        rule = release_rule(
            user, account, club, court, name=f"bench {k}", days_before=k + 2, at=local.time()
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
    sent_for, stray = attribute_posts([e["received_unix"] for e in posts], releases)
    latencies: list[float] = []
    early = 0
    wins = 0
    rows = []
    states: dict[str, int] = {}
    for index, release in enumerate(releases):
        window = sent_for[index]
        early += sum(1 for at in window if at < release["T"])
        attempt = BookingAttempt.objects.get(rule_id=release["rule"], target_date=release["target"])
        states[attempt.state] = states.get(attempt.state, 0) + 1
        latency = (min(window) - release["T"]) * 1000 if window else None
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
        "release_latency_ms_p50": statistics.median(latencies) if latencies else None,
        "release_latency_ms_p95": percentile(latencies, 0.95) if latencies else None,
        "release_early_count": early,
        "_latency_samples": len(latencies),
        "_posts_after_every_release": stray,
        "contested_win_rate": wins / CONTESTED,
        "_releases_without_request": missing,
        "_double_bookings": len(bookings) - len(slots),
        "_states": states,
        "_rows": rows,
    }


def main() -> None:
    result = run_child("bench.bench_release")
    measured = {
        key: value for key, value in result.items() if not key.startswith("_") and value is not None
    }
    unmeasured = [key for key, value in result.items() if value is None]
    merge_results(measured)
    drop_results(unmeasured)
    samples = result["_latency_samples"]
    if samples < MIN_SAMPLES:
        print(
            f"WARNING: only {samples} release latencies were measured (wanted at least "
            f"{MIN_SAMPLES} of {PLAIN}): the percentiles below rest on too few releases."
        )

    def ms(name: str, goal: str) -> str:
        return latency_ms(result[name], goal, samples)

    print_table(
        "Release racer (real beat + booking worker, sandbox on loopback)",
        [
            ("uncontested releases", PLAIN),
            ("contested releases", CONTESTED),
            ("release_latency_ms_p50", ms("release_latency_ms_p50", "goal <= 10")),
            ("release_latency_ms_p95", ms("release_latency_ms_p95", "goal <= 50")),
            ("release_early_count", f"{result['release_early_count']}  (goal 0)"),
            ("contested_win_rate", f"{result['contested_win_rate']:.2f}  (goal >= 0.95)"),
            ("releases with no request", result["_releases_without_request"]),
            ("requests after the last burst", result["_posts_after_every_release"]),
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
