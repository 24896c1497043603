"""Release latency and contested win rate, with a real beat and a real booking worker.

A sandbox (real clock, no background demand) opens one club-local date per release, a few
seconds apart (/_sandbox/releases). Each release belongs to its own fixed-time rule, so beat
arms the worker through the rules' own clocked entries exactly as in production (the arm
lead is shortened to 15 s to keep the run to a few minutes). Each rule books with a Playtomic
account of its own, so the sandbox's request log says exactly which release every booking
request was sent for, however close the releases are.

- release_latency_ms_p50 / _p95: the sandbox's receive time of the first booking request
  (POST /v1/payment_intents) minus T, over the uncontested releases; release_early_count
  counts every booking request received before the T of the release it was sent for.
  Fewer than MIN_SAMPLES latencies print a warning; figures that could not be measured are
  dropped from the results rather than written as a placeholder.
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
# Whole seconds (a release instant is one), and more than a burst: no two bursts share the CPU.
SPACING_SECONDS = 2
FIRST_RELEASE_IN = 20.0
ARM_LEAD = "15"
# Races in flight at once (armed ARM_LEAD before T, done after the burst), with room to spare.
WORKER_CONCURRENCY = 12
PASSWORD = "bench-booker-pw"
# A POST cannot leave the racer after the burst's deadline; a little slack for the network.
POST_SLACK_SECONDS = 0.5
MIN_SAMPLES = 20


def booker(release: int) -> str:
    """The sandbox account (email) that release number `release` books with."""
    return f"bench-booker-{release}@sandbox.test"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def posts_per_release(
    log: list[dict[str, Any]], releases: list[dict[str, Any]]
) -> tuple[list[list[float]], int]:
    """The receive times of the booking POSTs each release's account sent, and how many of
    them arrived after their release's burst (plus slack): a POST cannot leave the racer then."""
    horizon = BURST_SECONDS + POST_SLACK_SECONDS
    per_release: list[list[float]] = []
    late = 0
    for release in releases:
        received = sorted(
            entry["received_unix"]
            for entry in log
            if entry["method"] == "POST"
            and entry["path"] == "/v1/payment_intents"
            and entry["email"] == release["email"]
        )
        late += sum(1 for at in received if at >= release["T"] + horizon)
        per_release.append(received)
    return per_release, late


def child() -> dict[str, Any]:
    from playtomic.sandbox.server import SandboxServer

    emails = [booker(k) for k in range(PLAIN + CONTESTED)]
    sandbox = SandboxServer(
        seed=7, accounts=[(email, PASSWORD) for email in emails], demand=False
    ).start()
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
        account = account_create(owner=user, email=emails[k], password=PASSWORD, label=f"b{k}")
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
                "email": emails[k],
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
        ["booking"],
        env,
        log_path=var_dir / "worker.log",
        pool="prefork",
        concurrency=WORKER_CONCURRENCY,
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
    sent_for, late_posts = posts_per_release(sandbox.requests(path="/v1/payment_intents"), releases)
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
    bookings = [b for b in sandbox.state()["bookings"] if b["owner_email"] in emails]
    slots = {(b["resource_id"], b["start_date"]) for b in bookings}
    sandbox.stop()
    teardown()
    missing = PLAIN - len(latencies)
    return {
        "release_latency_ms_p50": statistics.median(latencies) if latencies else None,
        "release_latency_ms_p95": percentile(latencies, 0.95) if latencies else None,
        "release_early_count": early,
        "_latency_samples": len(latencies),
        "_posts_after_their_burst": late_posts,
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
            ("requests after their burst", result["_posts_after_their_burst"]),
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
