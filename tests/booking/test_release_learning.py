"""The release instant learned from observed releases (`slots_released` events between two
polls), shown beside the rule's own policy on the rule page and in the API."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from availability.models import AvailabilityEvent, PollRun
from booking import selectors
from clubs.models import Club
from tests.support.events import availability_event

pytestmark = pytest.mark.django_db


def local(club: Club, day: date, hour: int, minute: int) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=club.zone).astimezone(UTC)


def observe_release(club: Club, day: date, before: datetime, seen: datetime) -> None:
    """Two polls of `day`: the one at `before` saw nothing released, the one at `seen` saw
    the whole day released (one slots_released event)."""
    for started in (before, seen):
        run = PollRun.objects.create(
            club=club,
            started_at=started,
            finished_at=started,
            days=[day.isoformat()],
            days_ok=[day.isoformat()],
            outcome=PollRun.Outcome.OK,
        )
    availability_event(
        club,
        poll_run=run,
        kind=AvailabilityEvent.Kind.SLOTS_RELEASED,
        start=local(club, day, 8, 0),
        minutes=15 * 60,
        payload={"cells": 300, "free": 300, "courts": {}, "observed_at": seen.isoformat()},
    ).save()


def observe_fixed_releases(club: Club) -> None:
    """Days that opened at 08:30 local, 14 days ahead, seen by polls a quarter apart at
    different minutes: together they place the release between 08:29 and 08:33."""
    today = datetime.now(UTC).astimezone(club.zone).date()
    polls = [((8, 24), (8, 39)), ((8, 29), (8, 44)), ((8, 18), (8, 33))]
    for back, (before, seen) in enumerate(polls):
        opened_on = today - timedelta(days=back + 1)
        observe_release(
            club,
            opened_on + timedelta(days=14),
            local(club, opened_on, *before),
            local(club, opened_on, *seen),
        )


def fixed_rule(make_rule: Any, at: time) -> Any:
    rule, _, _ = make_rule(
        seconds=600, release_days_before=14, release_local_time=at, name=f"Fixed {at}"
    )
    return rule


def rule_page(make_rule: Any, member: Any, club: Any, at: time) -> str:
    """The member's page of a fixed rule released at `at`, at a club seen opening days between
    08:29 and 08:33."""
    observe_fixed_releases(club)
    rule = fixed_rule(make_rule, at)
    web = Client()
    web.force_login(member)
    return web.get(f"/booking/rules/{rule.pk}/").content.decode()


def test_the_learned_release_shows_on_the_rule_page_with_a_warning_when_it_disagrees(
    make_rule, member, club
):
    page = rule_page(make_rule, member, club, time(8, 0))

    assert "fixed: day D opens between 08:29 and 08:33 local time, 14 days before" in page
    assert "3 observed releases" in page
    assert "release-warning" in page
    assert "disagree with the rule's release policy by 29 min" in page


def test_a_policy_inside_the_learned_window_gets_no_warning(make_rule, member, club):
    page = rule_page(make_rule, member, club, time(8, 30))

    assert "between 08:29 and 08:33" in page
    assert "release-warning" not in page


def test_the_rule_api_reports_the_learned_release_beside_the_policy(make_rule, member, club):
    observe_fixed_releases(club)
    rule = fixed_rule(make_rule, time(8, 0))
    client = APIClient()
    client.force_authenticate(member)

    learned = client.get(f"/api/booking/rules/{rule.pk}/").json()["learned_release"]

    assert learned["kind"] == "fixed"
    assert learned["events"] == 3
    assert learned["disagrees"] is True
    assert learned["difference_seconds"] == 29 * 60
    policy = datetime.fromisoformat(learned["policy_release_at"].replace("Z", "+00:00"))
    assert policy.astimezone(club.zone).time() == time(8, 0)


def test_a_rolling_club_is_learned_as_a_lead_before_each_slot(club):
    # Each slot opens 14 days before it starts: the cell starting at B + 14 d opens at the
    # half hour B, and the poll a few minutes after B (the one before was 15 min earlier)
    # sees it released.
    now = datetime.now(UTC)
    half_hour = now.replace(minute=0 if now.minute < 30 else 30, second=0, microsecond=0)
    for k, late in enumerate((2, 5, 9, 13)):
        opened = half_hour - timedelta(minutes=30 * (k + 1))
        seen = opened + timedelta(minutes=late)
        first = opened + timedelta(days=14)
        day = first.astimezone(club.zone).date()
        for started in (seen - timedelta(minutes=15), seen):
            run = PollRun.objects.create(
                club=club, started_at=started, days_ok=[day.isoformat()], outcome="ok"
            )
        availability_event(
            club,
            poll_run=run,
            kind=AvailabilityEvent.Kind.SLOTS_RELEASED,
            start=first,
            minutes=30,
            payload={"observed_at": seen.isoformat()},
        ).save()

    learned = selectors.club_learned_release(club)

    assert learned is not None
    assert learned.kind == "rolling"
    assert learned.events == 4
    assert (learned.low, learned.high) == (
        timedelta(days=14, minutes=-2),
        timedelta(days=14, minutes=2),
    )
    assert learned.describe() == (
        "rolling: a slot opens between 13 d 23:58 and 14 d 00:02 before it starts"
    )
