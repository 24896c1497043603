"""Concurrent edits of one rule serialise on its row: no server error, and afterwards exactly
one scheduled attempt and one pending beat entry match the rule's final state."""

from __future__ import annotations

import functools
from datetime import UTC, datetime, time

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django_celery_beat.models import PeriodicTask
from rest_framework.test import APIClient

from accounts.services import account_create
from booking.models import BookingAttempt, BookingRule
from booking.services.rules import rule_save
from tests.support.concurrency import at_once

# A Monday morning in Madrid: the fixed releases below are all ahead.
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.mark.django_db(transaction=True)
def test_ten_parallel_patches_of_one_rule_leave_one_consistent_schedule(
    frozen, club, account, member
):
    rule = rule_save(
        owner=member,
        accounts=[account],
        name="Evenings",
        club=club,
        weekdays=[0, 1, 2, 3, 4],
        earliest_start=time(18, 0),
        latest_start=time(20, 0),
        durations=[90],
        payment_methods=["club"],
        release_policy=BookingRule.ReleasePolicy.FIXED,
        release_days_before=7,
        release_local_time=time(8, 0),
    )

    def patch(days_before: int) -> int:
        client = APIClient()
        client.force_authenticate(member)
        return client.patch(
            f"/api/booking/rules/{rule.pk}/",
            {"release_days_before": days_before, "weekdays": [days_before % 5]},
            format="json",
        ).status_code

    statuses = at_once([functools.partial(patch, n) for n in range(2, 12)])

    assert statuses == [200] * 10
    rule.refresh_from_db()
    scheduled = BookingAttempt.objects.filter(rule=rule, state=BookingAttempt.State.SCHEDULED)
    assert scheduled.count() == 1
    attempt = scheduled.get()
    assert attempt.target_date == rule.next_target_date
    assert attempt.target_date.weekday() in rule.weekdays
    assert (attempt.target_date - attempt.release_at.astimezone(club.zone).date()).days == (
        rule.release_days_before
    )
    pending = PeriodicTask.objects.filter(
        name__startswith=f"booking: rule {rule.pk} for ", enabled=True
    )
    assert pending.count() == 1
    assert pending.get() == rule.periodic_task
    assert f'"attempt_id": {attempt.pk}' in pending.get().kwargs


def test_another_members_account_and_a_missing_id_get_the_same_answer(
    frozen, club, account, member
):
    other = get_user_model().objects.create_user(username="other", password="other-pass-123")
    theirs = account_create(owner=other, email="them@example.org", password="pw")
    client = APIClient()
    client.force_authenticate(member)
    body = {
        "name": "Mine",
        "club": club.pk,
        "weekdays": [1],
        "earliest_start": "18:00",
        "latest_start": "19:00",
        "durations": [90],
        "payment_methods": ["club"],
    }

    borrowed = client.post("/api/booking/rules/", {**body, "accounts": [theirs.pk]}, format="json")
    missing = client.post("/api/booking/rules/", {**body, "accounts": [999999]}, format="json")
    huge = client.post("/api/booking/rules/", {**body, "accounts": [2**70]}, format="json")

    assert borrowed.status_code == missing.status_code == huge.status_code == 400
    assert borrowed.json()["accounts"] == missing.json()["accounts"] == ["Unknown account."]
    assert huge.json()["accounts"] == ["Unknown account."]
