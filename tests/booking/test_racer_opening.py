"""How the burst opens: one request aimed at its arrival when the clock is well known, a
bounded stagger of two candidates when it is not, and never two confirmed courts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from accounts.client import account_client
from booking import selectors
from booking.arrival import ArrivalEstimate
from booking.racer import Opening, Race, Timeline, plan_opening
from tests.booking.conftest import sandbox_bookings

T = datetime(2027, 3, 1, 8, 30, tzinfo=UTC)


def estimate(arrival_ms: float, uncertainty_ms: float, rtt_ms: float = 80) -> ArrivalEstimate:
    return ArrivalEstimate(
        low=(arrival_ms - uncertainty_ms) / 1000,
        high=(arrival_ms + uncertainty_ms) / 1000,
        rtt=rtt_ms / 1000,
        rtt_min=(rtt_ms - 2) / 1000,
        samples=(),
    )


def ms_after_t(instant: float) -> float:
    return round((instant - T.timestamp()) * 1000, 3)


def test_a_precise_estimate_sends_one_request_so_even_a_fast_one_arrives_after_t():
    # The server is 2.7 s ahead and 40 ms away: a request sent at s arrives at s + 2.74 s.
    opening = plan_opening(estimate(2740, 2), T, margin=0.003, candidates=5)

    assert len(opening.shots) == 1
    # Sent 2.74 s before T on our clock, plus margin and uncertainty: the fastest arrival
    # (X = 2738 ms) lands at T + 3 ms.
    assert ms_after_t(opening.shots[0]) == pytest.approx(-2740 + 3 + 2, abs=0.01)
    assert opening.offset == pytest.approx(2.74 - 0.039)
    assert opening.whole_second


def test_an_uncertain_estimate_staggers_two_candidates_within_the_first_50_ms():
    opening = plan_opening(estimate(40, 25), T, margin=0.003, candidates=5)

    first, second = (ms_after_t(at) + 40 for at in opening.shots)
    # Typical arrivals: the first at T + margin (it may land early), the second safe.
    assert first == pytest.approx(3, abs=0.01)
    assert second == pytest.approx(28, abs=0.01)
    assert second - first < 50
    assert "staggered" in opening.reason


def test_a_very_uncertain_estimate_is_only_aimed_safe():
    opening = plan_opening(estimate(40, 200), T, margin=0.003, candidates=5)

    assert len(opening.shots) == 1
    assert ms_after_t(opening.shots[0]) + 40 == pytest.approx(203, abs=0.01)


def test_without_an_estimate_the_opening_fires_at_t_by_our_clock():
    opening = plan_opening(None, T, margin=0.003, candidates=5)

    assert opening.shots == (T.timestamp(),)
    assert opening.early_until is None
    assert opening.offset == 0


@pytest.mark.django_db
def test_a_staggered_opening_confirms_only_the_best_court_it_holds(make_rule, use_sandbox):
    rule, target, release_at = make_rule(seconds=2)
    candidates = selectors.rule_candidates(
        rule, target, now=timezone.now(), deadline=release_at + timedelta(seconds=3)
    )
    account = rule.accounts.get()
    release_ts = release_at.timestamp()
    race = Race(
        client=account_client(account=account),
        candidates=candidates,
        deadline=release_at + timedelta(seconds=3),
        payment_methods=["club"],
        number_of_players=4,
        timeline=Timeline(release_at, lambda: datetime.now(UTC)),
        opening=Opening(release_ts, (release_ts + 0.003, release_ts + 0.03), None, "test"),
        tenant_ids=[rule.club.playtomic_id],
        windows=selectors.rule_windows_utc(rule, target),
        credentials=(account.email, account.password),
    )

    result = race.run()

    assert result.outcome == "booked", result.reason
    assert result.candidate == candidates[0]
    booked = sandbox_bookings(use_sandbox)
    assert [b["resource_id"] for b in booked] == [candidates[0].resource_id]
    kinds = [entry.kind for entry in race.timeline.entries]
    assert kinds.count("intent_sent") == 2
    assert "extra_hold" in kinds
