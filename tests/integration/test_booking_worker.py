"""The racer under a real beat and a real booking worker (subprocesses sharing the test DB):
a full release run, and SIGKILL of the worker mid-burst."""

# Fixtures imported from tests/booking are requested by name, which ruff reads as a redefinition.
# ruff: noqa: F811

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

import pytest

from accounts.models import PlaytomicAccount
from booking.models import BookingAttempt
from booking.services.reconcile import attempts_reconcile

# The booking fixtures (a quiet sandbox, the Madrid club, the member's account, rules).
from tests.booking.conftest import (  # noqa: F401
    account,
    club,
    make_rule,
    sandbox,
    sandbox_bookings,
)
from tests.conftest import SANDBOX_EMAIL, SANDBOX_PASSWORD
from tests.support.processes import start_beat, start_worker, stop, subprocess_env, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

ARM_LEAD = "4"


def booking_env(tmp_path: Path) -> dict[str, str]:
    return subprocess_env(tmp_path, {"BOOKING_ARM_LEAD_SECONDS": ARM_LEAD})


def logs(tmp_path: Path) -> str:
    return "\n".join(
        f"--- {p.name} ---\n{p.read_text(errors='replace')[-4000:]}"
        for p in sorted(tmp_path.glob("*.log"))
    )


@pytest.fixture
def processes(tmp_path, use_sandbox, monkeypatch):
    monkeypatch.setenv("BOOKING_ARM_LEAD_SECONDS", ARM_LEAD)
    env = booking_env(tmp_path)
    worker = start_worker(
        ["booking"], env, log_path=tmp_path / "worker.log", pool="prefork", concurrency=2
    )
    beat = start_beat(env, log_path=tmp_path / "beat.log", var_dir=tmp_path)
    yield worker, beat
    stop(beat)
    stop(worker)


def test_beat_arms_the_worker_which_books_at_release_and_leaks_no_secret(
    make_rule, use_sandbox, processes, tmp_path
):
    rule, target, release_at = make_rule(seconds=10)
    attempt = rule.attempts.get(target_date=target)
    try:
        wait_for(
            lambda: BookingAttempt.objects.get(pk=attempt.pk).state in BookingAttempt.FINAL_STATES,
            timeout=40,
        )
    except AssertionError:
        pytest.fail(logs(tmp_path))
    attempt.refresh_from_db()
    assert attempt.state == BookingAttempt.State.BOOKED, attempt.reason + logs(tmp_path)
    posts = [
        e["received_unix"]
        for e in use_sandbox.requests(path="/v1/payment_intents")
        if e["method"] == "POST" and e["path"] == "/v1/payment_intents"
    ]
    assert 0 <= min(posts) - release_at.timestamp() < 0.05
    # The arm task scheduled the next release before racing.
    rule.refresh_from_db()
    assert rule.next_target_date and rule.next_target_date > target

    stored = PlaytomicAccount.objects.get()
    secrets = [SANDBOX_PASSWORD, SANDBOX_EMAIL, stored.access_token, stored.refresh_token]
    assert all(secrets)
    text = logs(tmp_path)
    for secret in secrets:
        assert secret not in text
    from django_celery_beat.models import PeriodicTask

    for task in PeriodicTask.objects.filter(name__startswith="booking:"):
        for secret in secrets:
            assert secret not in task.kwargs and secret not in task.args


@pytest.mark.parametrize(
    ("endpoint", "expected"),
    [("confirm_payment_intent", "booked"), ("create_payment_intent", "failed")],
)
def test_killing_the_worker_mid_burst_never_double_books_and_reconciles(
    make_rule, use_sandbox, processes, tmp_path, endpoint, expected
):
    worker, _ = processes
    rule, target, release_at = make_rule(seconds=10, burst_seconds=2.0)
    attempt = rule.attempts.get(target_date=target)
    use_sandbox.add_fault(endpoint=endpoint, latency_ms=2500)

    def in_flight() -> bool:
        state = BookingAttempt.objects.get(pk=attempt.pk).state
        return state == BookingAttempt.State.FIRING and time.time() > release_at.timestamp() + 0.3

    try:
        wait_for(in_flight, timeout=40, interval=0.05)
    except AssertionError:
        pytest.fail(logs(tmp_path))
    if endpoint == "confirm_payment_intent":
        wait_for(lambda: use_sandbox.requests(path="/v1/payment_intents/"), timeout=10)
        time.sleep(0.3)
    stop(worker, kill=True)
    attempt.refresh_from_db()
    assert attempt.state in BookingAttempt.IN_FLIGHT_STATES
    # Whatever was in flight at the sandbox finishes.
    time.sleep(3.0)

    resolved = attempts_reconcile(grace=timedelta(0))

    attempt.refresh_from_db()
    assert resolved >= 1
    assert attempt.state == expected, attempt.reason
    assert attempt.events.filter(kind="reconciled").exists()
    booked = sandbox_bookings(use_sandbox)
    assert len(booked) == (1 if expected == "booked" else 0)
    if booked:
        assert attempt.match_id == booked[0]["match_id"]
