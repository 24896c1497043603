"""What the two release benchmarks (bench_release, bench_release_wan) share: the rule they
race for and how a latency reads in their tables."""

from __future__ import annotations

from typing import Any

# How long the racer keeps firing after the release instant.
BURST_SECONDS = 1.5


def release_rule(
    user: Any, account: Any, club: Any, court: Any, *, name: str, days_before: int, at: Any
) -> Any:
    """A rule racing for `court` at 18:00 local, released `days_before` days ahead at local
    time `at` (a fixed release), for the release benchmarks. Needs `setup_django` first."""
    from datetime import time as wall

    from booking.services.rules import rule_save

    return rule_save(
        owner=user,
        accounts=[account],
        name=name,
        club=club,
        weekdays=list(range(7)),
        earliest_start=wall(18, 0),
        latest_start=wall(18, 0),
        durations=[90],
        court_preference=[court.pk],
        number_of_players=2,  # the first court is a singles court
        payment_methods=["club"],
        release_policy="fixed",
        release_days_before=days_before,
        release_local_time=at,
        burst_seconds=BURST_SECONDS,
    )


def latency_ms(value: float | None, goal: str, samples: int) -> str:
    """A measured latency for a table row, with its goal and how many samples it rests on."""
    return "not measured" if value is None else f"{value:.2f}  ({goal}, n={samples})"
