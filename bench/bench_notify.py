"""Notify delivery under a crash: two real notify worker processes (celery, solo pool, on the
embedded defaults: SQLite and the filesystem broker) deliver 5,000 notifications to a local
webhook receiver that checks every signature; one worker is killed with SIGKILL halfway.
The sweep runs every SWEEP_EVERY seconds, as beat runs it (with a short lease and relay
grace, so the run stays short). Figures:
- `notify_duplicates`: messages the receiver got more than once (goal 0);
- `notify_crash_repeats`: deliveries whose worker died mid-send and that the sweep sent
  again with the same id (at most the one the killed worker had in flight; it is a duplicate
  when the receiver had it already, which happens when the kill lands between the receiver
  getting it and the worker marking it sent);
- `notify_lost`: notifications it never got (goal 0);
- `notify_deliveries_per_s`: from the first message received to the last, both workers
  delivering (one of them only until it is killed).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from bench.common import ROOT, merge_results, print_table, run_child, setup_django

NOTIFICATIONS = 5000
BATCH = 500  # notifications written per transaction
SWEEP_EVERY = 2.0
TIMEOUT_S = 240
SECRET = "bench-webhook-signing-secret"
ENV = {
    "NOTIFY_SEND_TIMEOUT_SECONDS": "2",
    "NOTIFY_LEASE_SECONDS": "5",
    "NOTIFY_RELAY_GRACE_SECONDS": "15",
}


def start_worker(name: str, log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(
            [
                *(sys.executable, "-m", "celery", "-A", "playtomic_monitor", "worker"),
                *("-Q", "notify", "-P", "solo", "-n", f"{name}@%h"),
                *("--without-gossip", "--without-mingle", "--without-heartbeat"),
                "--loglevel=WARNING",
            ],
            cwd=ROOT,
            env={**os.environ, **ENV},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def child() -> dict[str, Any]:
    os.environ.update(ENV)
    setup_django()
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from notifications.models import Channel, Delivery, Notification
    from notifications.receivers import WebhookReceiver
    from notifications.services.outbox import deliveries_relay
    from notifications.services.sweep import deliveries_sweep

    var_dir = Path(os.environ["VAR_DIR"])
    with WebhookReceiver(secret=SECRET) as receiver:
        user = get_user_model().objects.create_user("bench")
        channel = Channel.objects.create(
            user=user,
            kind=Channel.Kind.WEBHOOK,
            address=receiver.url,
            secret=SECRET,
            rate_limit_per_minute=0,
        )
        # Written first, in bulk (the writing is not what is measured), and handed to the
        # broker by the relay the outbox runs on commit: 5,000 notifications wait in the
        # broker when the two workers start.
        written = time.monotonic()
        ids: list[int] = []
        for first in range(0, NOTIFICATIONS, BATCH):
            with transaction.atomic():
                notifications = Notification.objects.bulk_create(
                    Notification(
                        user=user,
                        kind="slot_freed",
                        dedupe_key=f"bench:{i}",
                        subject=f"Court {i % 12} free",
                        body="Tuesday 19:00 CET, 90 min",
                    )
                    for i in range(first, first + BATCH)
                )
                deliveries = Delivery.objects.bulk_create(
                    Delivery(notification=n, channel=channel) for n in notifications
                )
            ids.extend(d.pk for d in deliveries)
        deliveries_relay(ids)
        written_s = time.monotonic() - written
        connection.close()
        workers = [start_worker(f"notify{i}", var_dir / f"worker{i}.log") for i in range(2)]
        started = time.monotonic()
        killed_at = None
        cpu_s = 0.0
        lease_resends = 0
        last_sweep = time.monotonic()
        while time.monotonic() - started < TIMEOUT_S:
            count = len(receiver.received)
            if killed_at is None and count >= NOTIFICATIONS // 2:
                cpu_s = cpu_seconds(workers[0].pid)
                os.killpg(workers[0].pid, signal.SIGKILL)
                workers[0].wait()
                killed_at = count
            if len(set(receiver.ids())) >= NOTIFICATIONS:
                break
            if time.monotonic() - last_sweep >= SWEEP_EVERY:
                lease_resends += deliveries_sweep()["expired"]
                last_sweep = time.monotonic()
            time.sleep(0.1)
        first_at = min(r.at for r in receiver.received)
        last_at = max(r.at for r in receiver.received)
        # Anything a late sweep still had to repeat would arrive now.
        time.sleep(1.0)
        cpu_s += cpu_seconds(workers[1].pid)
        for worker in workers[1:]:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(timeout=20)
        received = Counter(receiver.ids())
        unsigned = sum(1 for r in receiver.received if not r.verified)
    expected = {str(pk) for pk in Delivery.objects.values_list("pk", flat=True)}
    states = Counter(Delivery.objects.values_list("state", flat=True))
    return {
        "notify_duplicates": sum(n - 1 for n in received.values() if n > 1),
        "notify_lost": len(expected - set(received)),
        "notify_deliveries_per_s": len(set(received) & expected) / (last_at - first_at),
        "elapsed_s": last_at - first_at,
        "written_s": written_s,
        "killed_at": killed_at or 0,
        "worker_cpu_ms_per_delivery": 1000 * cpu_s / max(1, len(received)),
        "unsigned": unsigned,
        "notify_crash_repeats": lease_resends,
        "states": dict(states),
    }


def main() -> None:
    f = run_child("bench.bench_notify")
    print_table(
        f"Notify: {NOTIFICATIONS} notifications, 2 notify workers (one SIGKILLed after "
        f"{f['killed_at']} received), local signed webhook",
        [
            ("figure", "value", "goal"),
            ("duplicates received", f["notify_duplicates"], "0"),
            (
                "sent again after the killed worker's lease (same id)",
                f["notify_crash_repeats"],
                "<= 1",
            ),
            ("lost", f["notify_lost"], "0"),
            ("unsigned or badly signed", f["unsigned"], "0"),
            ("deliveries per second", f"{f['notify_deliveries_per_s']:.0f}", ""),
            ("worker CPU per delivery", f"{f['worker_cpu_ms_per_delivery']:.1f} ms", ""),
            ("written in / delivered in", f"{f['written_s']:.1f} / {f['elapsed_s']:.1f} s", ""),
            ("final states", json.dumps(f["states"]), ""),
        ],
    )
    merge_results(
        {name: f[name] for name in ("notify_duplicates", "notify_lost", "notify_deliveries_per_s")}
    )


if __name__ == "__main__":
    if "--child" in sys.argv:
        print(json.dumps(child()))
    else:
        main()
