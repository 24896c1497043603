"""Storage: change-only history against the seed's per-poll snapshots, for the same polls.

A 10-court sandbox club (Madrid) is polled every 15 minutes from 08:00 to 23:00 local time,
today plus 7 days ahead (8 days), for 4 simulated weeks, through the real poll and ingest path
against the sandbox over HTTP (its clock follows time-machine). The seed's design writes one
snapshot row per court and slot for every poll: exactly the cells each poll observed. This
design's rows are everything it stores: SlotState + SlotChange + PollRun + AvailabilityEvent,
plus the derived analytics summaries of closed days (StartSummary, CourtDaySummary,
WeekdayHourTotal, SummaryMark), built once a simulated day as beat's summarizing task does.
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bench.common import hand_over_quickly, merge_results, print_table, run_child, setup_django

WEEKS = 4
# The issue asks this design to store at least 50 times fewer rows than per-poll snapshots.
STORAGE_RATIO_TARGET = 50
DAYS_AHEAD = 7
FIRST_DAY = date(2026, 2, 2)  # a Monday
MADRID = ZoneInfo("Europe/Madrid")


def child(weeks: int) -> dict[str, float]:
    hand_over_quickly()  # the sandbox below is a thread of this process
    setup_django()
    import time_machine
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db.models import Sum

    from accounts.services import account_create
    from availability.models import (
        AvailabilityEvent,
        CourtDaySummary,
        PollRun,
        SlotChange,
        SlotState,
        StartSummary,
        SummaryMark,
        WeekdayHourTotal,
    )
    from availability.services.polling import poll_club
    from availability.services.summaries import summaries_refresh_due
    from clubs.services import MonitoringSettings, club_import, monitoring_configure
    from playtomic.sandbox.server import SandboxServer

    # No consumer runs in a benchmark: events are written, not relayed to a broker.
    settings.AVAILABILITY_EVENT_CONSUMERS = {}
    email, password = "bench@sandbox.test", "bench-password"
    start = datetime.combine(FIRST_DAY, datetime.min.time(), tzinfo=MADRID)
    with (
        time_machine.travel(start, tick=False) as clock,
        SandboxServer(seed=1, accounts=[(email, password)]) as sandbox,
    ):
        settings.PLAYTOMIC_BASE_URL = sandbox.url
        staff = get_user_model().objects.create_user("bench", is_staff=True)
        account_create(owner=staff, email=email, password=password)
        club = club_import(slug="sandbox-padel-madrid")
        monitoring_configure(
            club=club, monitoring=MonitoringSettings(frequency_minutes=15, days_ahead=DAYS_AHEAD)
        )
        started = time.monotonic()
        for day_index in range(weeks * 7):
            day = FIRST_DAY + timedelta(days=day_index)
            for minute in range(8 * 60, 23 * 60 + 1, 15):
                local = datetime.combine(day, datetime.min.time(), tzinfo=MADRID) + timedelta(
                    minutes=minute
                )
                clock.move_to(local)
                run = poll_club(club=club, trigger=PollRun.Trigger.SCHEDULE)
                if run.outcome != PollRun.Outcome.OK:
                    raise RuntimeError(f"poll {local}: {run.error_kind} {run.error_message}")
            # Beat's task, once the day is over (it runs every 15 minutes; polls never do it).
            summaries_refresh_due()
        elapsed = time.monotonic() - started
    polls = PollRun.objects.count()
    snapshot_rows = PollRun.objects.aggregate(total=Sum("cells_seen"))["total"] or 0
    rows = {
        "slot_states": SlotState.objects.count(),
        "slot_changes": SlotChange.objects.count(),
        "poll_runs": polls,
        "events": AvailabilityEvent.objects.count(),
        "summaries": sum(
            model.objects.count()
            for model in (StartSummary, CourtDaySummary, WeekdayHourTotal, SummaryMark)
        ),
    }
    return {
        **rows,
        "polls": polls,
        "requests": PollRun.objects.aggregate(total=Sum("requests_made"))["total"] or 0,
        "snapshot_rows": snapshot_rows,
        "design_rows": sum(rows.values()),
        "seconds": elapsed,
    }


def main() -> None:
    result = run_child("bench.bench_storage", "--weeks", str(WEEKS))
    ratio = result["snapshot_rows"] / result["design_rows"]
    print_table(
        f"Storage: 10-court club, every 15 min 08:00-23:00, 8 days ahead, {WEEKS} weeks",
        [
            ("polls", f"{result['polls']:.0f}", f"{result['requests']:.0f} requests"),
            ("seed design: snapshot rows", f"{result['snapshot_rows']:,.0f}", ""),
            ("this design: rows stored", f"{result['design_rows']:,.0f}", ""),
            ("  SlotState", f"{result['slot_states']:,.0f}", "current state"),
            ("  SlotChange", f"{result['slot_changes']:,.0f}", "transitions"),
            ("  PollRun", f"{result['poll_runs']:,.0f}", ""),
            ("  AvailabilityEvent", f"{result['events']:,.0f}", ""),
            ("  summaries of closed days", f"{result['summaries']:,.0f}", "derived"),
            ("storage_ratio", f"{ratio:.1f}x", f"(target >= {STORAGE_RATIO_TARGET})"),
            ("simulated in", f"{result['seconds']:.0f} s", ""),
        ],
    )
    merge_results({"storage_ratio": ratio})
    if ratio < STORAGE_RATIO_TARGET:
        raise SystemExit(
            f"storage_ratio {ratio:.1f} is below the target of {STORAGE_RATIO_TARGET}: "
            "this design must store at least that many times fewer rows than snapshots."
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", action="store_true")
    parser.add_argument("--weeks", type=int, default=WEEKS)
    options = parser.parse_args()
    if options.child:
        print(json.dumps(child(options.weeks)))
    else:
        main()
