"""Free-court alert latency, end to end: a real poll worker and a real notify worker (celery,
solo pool) with the broker between them; the sandbox over HTTP; a member subscribed to the
club with a webhook channel pointing at a local receiver that checks every signature.

Each round books ROUND_SLOTS courts in the sandbox as another player, lets the poll worker
see them taken, cancels them (Playtomic's own cancellation) and queues one more poll: that
poll's transaction commits the freed cells and their `slot_freed` events; the notify worker
claims the events, writes the notifications, and delivers them. The latency of a slot is from
the event's commit (its `created_at`, stamped in the poll's transaction just before it
commits: the figure is, if anything, a few milliseconds pessimistic) to the moment the
receiver has the signed message. Figures (goal: p95 under 1,000 ms):
- `alert_latency_ms_p50` / `alert_latency_ms_p95` on the embedded defaults (SQLite, the
  filesystem broker);
- `alert_latency_ms_p50_pg_redis` / `alert_latency_ms_p95_pg_redis` when DATABASE_URL and
  REDIS_URL name PostgreSQL and Redis.
"""

from __future__ import annotations

import json
import os
import signal
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from bench.common import (
    ROOT,
    drop_results,
    merge_results,
    postgres_url,
    print_table,
    run_child,
    setup_django,
)

ROUNDS = 30
ROUND_SLOTS = 2  # courts freed per poll (a cancellation or two between polls): 60 alerts
TIMEOUT_S = 30.0  # for one poll or one round's messages
SECRET = "bench-alert-webhook-secret"
READER = ("reader@bench.test", "reader-pass")
PLAYER = ("player@bench.test", "player-pass")
MADRID = "sandbox-padel-madrid"
PG_FIGURES = ("alert_latency_ms_p50_pg_redis", "alert_latency_ms_p95_pg_redis")


def start_worker(queue: str, log: Path) -> subprocess.Popen[bytes]:
    """A worker as `make run` starts one: two processes (prefork)."""
    with log.open("wb") as out:
        return subprocess.Popen(
            [
                *(sys.executable, "-m", "celery", "-A", "playtomic_monitor", "worker"),
                *("-Q", queue, "-P", "prefork", "-c", "2", "-n", f"{queue}@%h"),
                *("--without-gossip", "--without-mingle", "--without-heartbeat"),
                "--loglevel=WARNING",
            ],
            cwd=ROOT,
            env=dict(os.environ),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def _wait(condition: Any, what: str, progress: Any = None) -> None:
    deadline = time.monotonic() + TIMEOUT_S
    while not condition():
        if time.monotonic() > deadline:
            seen = f" ({progress()})" if progress is not None else ""
            raise RuntimeError(f"timed out waiting for {what}{seen}")
        time.sleep(0.02)


def _progress(event_model: Any, delivery_model: Any) -> str:
    from collections import Counter

    from availability.models import EventDelivery

    events = Counter(event_model.objects.values_list("kind", flat=True))
    claims = Counter(EventDelivery.objects.values_list("consumer", "state"))
    deliveries = Counter(delivery_model.objects.values_list("state", flat=True))
    return f"events {dict(events)}, claims {dict(claims)}, deliveries {dict(deliveries)}"


def _slots(club: Any, day: Any) -> list[tuple[Any, datetime]]:
    """Distinct (court, UTC start) pairs on the club-local `day`, one hour apart, 09:00-21:00
    local, spread over every court."""
    courts = list(club.courts.filter(is_active=True).order_by("pk"))
    slots = []
    for hour in range(9, 21):
        local = datetime(day.year, day.month, day.day, hour, tzinfo=club.zone)
        for court in courts:
            slots.append((court, local.astimezone(UTC)))
    return slots


def child() -> dict[str, Any]:
    from playtomic.sandbox.server import SandboxServer

    with SandboxServer(seed=1, accounts=[READER, PLAYER], demand=False) as sandbox:
        os.environ["PLAYTOMIC_BASE_URL"] = sandbox.url
        teardown = setup_django()
        try:
            return _measure(sandbox)
        finally:
            teardown()


def _measure(sandbox: Any) -> dict[str, Any]:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection

    from accounts.services import account_create
    from availability.models import AvailabilityEvent, PollRun
    from availability.services.polling import poll_request
    from clubs.services import club_import, monitoring_configure
    from notifications.models import Delivery, Subscription
    from notifications.receivers import WebhookReceiver
    from playtomic.client import PlaytomicClient
    from tests.support.channels import webhook_channel

    settings.PLAYTOMIC_BASE_URL = sandbox.url
    if connection.vendor == "postgresql":
        # The workers must use the throw-away database setup_django made, not the configured.
        url = urlsplit(os.environ["DATABASE_URL"])
        name = connection.settings_dict["NAME"]
        os.environ["DATABASE_URL"] = urlunsplit(url._replace(path=f"/{name}"))
    var_dir = Path(os.environ["VAR_DIR"])
    staff = get_user_model().objects.create_user("staff", is_staff=True)
    account_create(owner=staff, email=READER[0], password=READER[1])
    tenant = str(sandbox.world.club_by_slug(MADRID).tenant_id)
    club = club_import(tenant_id=tenant)
    monitoring_configure(club=club)
    sandbox.set_limits(tenant, max_active_bookings=None, max_bookings_per_day=None)
    player = PlaytomicClient(sandbox.url)
    player.login(*PLAYER)

    with WebhookReceiver(secret=SECRET) as receiver:
        member = get_user_model().objects.create_user("member")
        webhook_channel(member, receiver, rate_limit_per_minute=0)
        subscription = Subscription.objects.create(user=member, freed=True)
        subscription.clubs.set([club])
        connection.close()
        workers = [
            start_worker("poll", var_dir / "poll.log"),
            start_worker("notify", var_dir / "notify.log"),
        ]
        try:
            return _rounds(
                sandbox, club, player, receiver, poll_request, PollRun, AvailabilityEvent, Delivery
            )
        finally:
            for worker in workers:
                os.killpg(worker.pid, signal.SIGTERM)
            for worker in workers:
                try:
                    worker.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(worker.pid, signal.SIGKILL)
            player.close()


def _rounds(
    sandbox: Any,
    club: Any,
    player: Any,
    receiver: Any,
    poll_request: Any,
    poll_run: Any,
    event_model: Any,
    delivery_model: Any,
) -> dict[str, Any]:
    def poll() -> None:
        run = poll_request(club=club, days_ahead=1)
        done = (poll_run.Outcome.OK, poll_run.Outcome.PARTIAL, poll_run.Outcome.FAILED)
        _wait(
            lambda: poll_run.objects.filter(pk=run.pk, outcome__in=done).exists(),
            f"poll run {run.pk}",
        )

    def book(court: Any, start: datetime) -> str:
        intent = player.create_payment_intent(
            tenant_id=club.playtomic_id,
            resource_id=court.playtomic_id,
            start=start,
            duration_minutes=60,
        )
        cash = next(m for m in intent.available_payment_methods if m.method_type == "CASH")
        player.select_payment_method(intent.payment_intent_id, cash.payment_method_id)
        confirmed = player.confirm_payment_intent(intent.payment_intent_id)
        assert confirmed.match_id, "the sandbox confirmed no match"
        return str(confirmed.match_id)

    tomorrow = (datetime.now(UTC).astimezone(club.zone) + timedelta(days=1)).date()
    slots = _slots(club, tomorrow)
    poll()  # the baseline: the first observation raises nothing
    latencies: list[tuple[float, float]] = []
    started = time.monotonic()
    for round_no in range(ROUNDS):
        chosen = slots[round_no * ROUND_SLOTS : (round_no + 1) * ROUND_SLOTS]
        matches = [book(court, start) for court, start in chosen]
        poll()
        before = len(receiver.received)
        for match_id in matches:
            player.cancel_match(match_id)
        poll()
        expected = before + len(chosen)
        _wait(
            lambda n=expected: len(receiver.received) >= n,
            "the round's alerts",
            lambda: _progress(event_model, delivery_model),
        )
        latencies += _latencies(receiver.received[before:], event_model, delivery_model)
    elapsed = time.monotonic() - started
    ordered = sorted(total for _, total in latencies)
    return {
        "alerts": len(latencies),
        "written_p50": statistics.median(written for written, _ in latencies),
        "p50": statistics.median(ordered),
        "p95": ordered[max(0, round(0.95 * len(ordered)) - 1)],
        "max": ordered[-1],
        "unsigned": sum(1 for r in receiver.received if not r.verified),
        "elapsed_s": elapsed,
    }


def _latencies(
    received: list[Any], event_model: Any, delivery_model: Any
) -> list[tuple[float, float]]:
    """For each alert, milliseconds from its event's commit to its notification's, and to its
    arrival at the receiver."""
    out = []
    for record in received:
        delivery = delivery_model.objects.select_related("notification").get(pk=int(record.id))
        event_id = int(delivery.notification.dedupe_key.split(":")[1])
        created = event_model.objects.get(pk=event_id).created_at.timestamp()
        written = delivery.notification.created_at.timestamp()
        out.append(((written - created) * 1000, (record.at - created) * 1000))
    return out


def _report(title: str, f: dict[str, Any]) -> None:
    print_table(
        title,
        [
            ("figure", "value", "goal"),
            ("alerts received", f["alerts"], f">= {ROUNDS * ROUND_SLOTS}"),
            ("latency p50", f"{f['p50']:.0f} ms", ""),
            ("latency p95", f"{f['p95']:.0f} ms", "< 1000 ms"),
            ("latency max", f"{f['max']:.0f} ms", ""),
            ("of which to the notification's commit, p50", f"{f['written_p50']:.0f} ms", ""),
            ("unsigned or badly signed", f["unsigned"], "0"),
            ("run", f"{f['elapsed_s']:.0f} s", ""),
        ],
    )


def main() -> None:
    redis_url = os.environ.pop("REDIS_URL", "")  # the embedded run: the filesystem broker
    try:
        f = run_child("bench.bench_alerts")
    finally:
        if redis_url:
            os.environ["REDIS_URL"] = redis_url
    _report(
        f"Alert latency: {ROUNDS} x {ROUND_SLOTS} freed slots, poll + notify workers, "
        "SQLite + filesystem broker, signed local webhook",
        f,
    )
    merge_results({"alert_latency_ms_p50": f["p50"], "alert_latency_ms_p95": f["p95"]})
    database_url = postgres_url("bench_alerts on PostgreSQL + Redis", "and REDIS_URL")
    if database_url is None or not redis_url:
        if database_url is not None:
            print("\nbench_alerts on PostgreSQL + Redis: skipped, set REDIS_URL=redis://...")
        drop_results(PG_FIGURES)
        return
    g = run_child("bench.bench_alerts", env={"DATABASE_URL": database_url, "REDIS_URL": redis_url})
    _report("Alert latency on PostgreSQL + Redis", g)
    merge_results({PG_FIGURES[0]: g["p50"], PG_FIGURES[1]: g["p95"]})


if __name__ == "__main__":
    if "--child" in sys.argv:
        print(json.dumps(child()))
    else:
        main()
