from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.core.exceptions import ValidationError

from accounts.models import PlaytomicAccount
from availability.models import AvailabilityEvent, CellState, PollRun, SlotChange, SlotState
from availability.services.polling import poll_club
from clubs.models import Club
from clubs.services import MonitoringSettings, monitoring_configure
from playtomic.client import PlaytomicClient
from playtomic_monitor import settings as project_settings
from playtomic_monitor.celery import app as celery_app
from tests.conftest import SANDBOX_EMAIL, SANDBOX_PASSWORD

pytestmark = pytest.mark.django_db

# A Monday morning in Madrid (UTC+1).
T0 = datetime(2026, 2, 2, 9, 0, tzinfo=UTC)
# The sniping consumer the project wires (settings), which the monitoring conftest switches off.
SNIPING = {"booking.sniping": project_settings.AVAILABILITY_EVENT_CONSUMERS["booking.sniping"]}


@pytest.fixture
def sandbox() -> Iterator[Any]:
    """No background demand: every change in these tests is one the test made."""
    from playtomic.sandbox.server import SandboxServer

    with SandboxServer(seed=1, accounts=[(SANDBOX_EMAIL, SANDBOX_PASSWORD)], demand=False) as sb:
        yield sb


@pytest.fixture
def clock() -> Iterator[Any]:
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def hold(sandbox: Any, club: Club, court_id: str, start: datetime) -> None:
    """Another player's 5-minute hold on a court (a payment intent), made over HTTP."""
    player = PlaytomicClient(sandbox.url)
    player.login(SANDBOX_EMAIL, SANDBOX_PASSWORD)
    player.create_payment_intent(
        tenant_id=club.playtomic_id, resource_id=court_id, start=start, duration_minutes=60
    )
    player.close()


def test_the_first_poll_is_a_baseline_of_first_seen_cells_and_no_events(madrid: Club, clock: Any):
    run = poll_club(club=madrid, days_ahead=2)

    assert run.outcome == PollRun.Outcome.OK, run.error_message
    assert run.days == ["2026-02-02", "2026-02-03", "2026-02-04"]
    assert run.days_ok == run.days
    assert run.requests_made == 3
    # Monday and Tuesday 08:00-23:00 (30 cells), today from 10:30 local (25): 10 courts.
    assert run.cells_seen == (25 + 30 + 30) * 10
    assert run.changes_written == run.cells_seen
    assert run.error_kind == ""
    assert run.finished_at is not None and run.duration_ms is not None
    assert set(SlotChange.objects.values_list("kind", flat=True)) == {"first_seen"}
    assert SlotState.objects.count() == run.cells_seen
    assert not AvailabilityEvent.objects.exists()


def test_an_unchanged_club_writes_no_change(madrid: Club, clock: Any):
    poll_club(club=madrid, days_ahead=2)
    clock.shift(timedelta(minutes=15))
    second = poll_club(club=madrid, days_ahead=2)
    assert second.outcome == PollRun.Outcome.OK
    assert second.changes_written == 0
    assert SlotChange.objects.filter(poll_run=second).count() == 0
    assert SlotState.objects.filter(observed_at=T0 + timedelta(minutes=15)).count() == (
        second.cells_seen
    )


def test_a_booking_then_a_cancellation_is_a_taken_and_a_freed_transition_with_an_event(
    madrid: Club,
    use_sandbox: Any,
    clock: Any,
    settings: Any,
    monkeypatch: Any,
    django_capture_on_commit_callbacks: Any,
):
    poll_club(club=madrid, days_ahead=2)
    court = madrid.courts.order_by("reservation_priority").first()
    assert court is not None
    start = datetime(2026, 2, 3, 17, 0, tzinfo=UTC)  # Tuesday 18:00 Madrid
    hold(use_sandbox, madrid, court.playtomic_id, start)

    clock.shift(timedelta(minutes=1))
    booked = poll_club(club=madrid, days_ahead=2)
    taken = SlotChange.objects.filter(poll_run=booked, court=court)
    assert sorted((c.start, c.kind) for c in taken) == [
        (start, "taken"),
        (start + timedelta(minutes=30), "taken"),
    ]
    assert {c.lead_minutes for c in taken} == {1919, 1949}
    assert {str(c.price) for c in taken} == {"30.00"}  # kept from when it was offered
    assert not AvailabilityEvent.objects.exists()

    clock.shift(timedelta(minutes=10))  # the hold lapses: the court is free again
    settings.AVAILABILITY_EVENT_CONSUMERS = SNIPING
    sent: list[tuple[str, Any, Any]] = []
    monkeypatch.setattr(
        celery_app, "send_task", lambda name, args, queue: sent.append((name, args, queue))
    )
    with django_capture_on_commit_callbacks(execute=True):
        freed = poll_club(club=madrid, days_ahead=2)

    assert (
        sorted(
            SlotChange.objects.filter(poll_run=freed).values_list("kind", "old_state", "new_state")
        )
        == [("freed", "taken", "free")] * 2
    )
    event = AvailabilityEvent.objects.get()
    assert (event.kind, event.court_id, event.start, event.end) == (
        "slot_freed",
        court.pk,
        start,
        start + timedelta(hours=1),
    )
    assert event.local_date == date(2026, 2, 3)
    assert event.poll_run_id == freed.pk
    assert event.payload["currency"] == "EUR"
    assert sent == [("booking.tasks.snipe_freed_slots", [[event.pk]], "booking")]


def test_cells_released_by_the_horizon_raise_one_released_event(
    madrid: Club, use_sandbox: Any, clock: Any
):
    # The reading account may book one day ahead, and the club says so too.
    use_sandbox.world.accounts[SANDBOX_EMAIL.lower()].booking_ahead_limit = 24 * 60
    Club.objects.filter(pk=madrid.pk).update(booking_ahead_limit_minutes=24 * 60)
    madrid.refresh_from_db()
    poll_club(club=madrid, days_ahead=1)
    # The last slot offered starts at the horizon; its 2 hours are bookable, the rest is not.
    covered = T0 + timedelta(days=1, hours=2)
    later = SlotState.objects.filter(start__gte=covered)
    assert set(later.values_list("state", flat=True)) == {CellState.NOT_RELEASED}
    assert not SlotState.objects.filter(start__lt=covered, state=CellState.NOT_RELEASED).exists()

    clock.shift(timedelta(minutes=30))
    run = poll_club(club=madrid, days_ahead=1)

    released = SlotChange.objects.filter(poll_run=run, kind="released")
    assert released.count() == 10
    assert {c.start for c in released} == {covered}
    event = AvailabilityEvent.objects.get()
    assert event.kind == "slots_released"
    assert event.court is None
    assert (event.payload["cells"], event.payload["free"]) == (10, 10)


def test_a_poll_that_finds_another_running_is_recorded_as_skipped(madrid: Club, clock: Any):
    cache.add(f"poll-lock:club:{madrid.pk}", "someone-else", timeout=60)
    run = poll_club(club=madrid, days_ahead=1)
    assert run.outcome == PollRun.Outcome.SKIPPED
    assert run.error_kind == "overlap"
    assert run.requests_made == 0
    assert not SlotState.objects.exists()


def test_a_poll_releases_its_lock(madrid: Club, clock: Any):
    poll_club(club=madrid, days_ahead=0)
    assert poll_club(club=madrid, days_ahead=0).outcome == PollRun.Outcome.OK


def test_without_a_reader_account_the_poll_fails_with_a_clear_reason(madrid: Club, clock: Any):
    PlaytomicAccount.objects.all().delete()
    run = poll_club(club=madrid, days_ahead=1)
    assert run.outcome == PollRun.Outcome.FAILED
    assert run.error_kind == "no_account"
    assert "add a Playtomic account for monitoring" in run.error_message
    assert not SlotState.objects.exists()


def test_it_polls_the_configured_sports_and_days(reader: Any, use_sandbox: Any, clock: Any):
    from clubs.services import club_import

    london = club_import(slug="sandbox-racquets-london")
    monitoring_configure(
        club=london, monitoring=MonitoringSettings(days_ahead=1, sports=["TENNIS"])
    )
    run = poll_club(club=london)
    assert run.outcome == PollRun.Outcome.OK
    assert len(run.days) == 2
    assert set(SlotState.objects.values_list("court__sport_id", flat=True)) == {"TENNIS"}
    assert PollRun.objects.get(pk=run.pk).club.monitoring.last_run_at == T0


@pytest.mark.parametrize("days_ahead", [-1, 15])
def test_it_rejects_days_ahead_outside_the_horizon(madrid: Club, days_ahead: int):
    with pytest.raises(ValidationError) as info:
        poll_club(club=madrid, days_ahead=days_ahead)
    assert "days_ahead" in info.value.message_dict
    assert not PollRun.objects.exists()
