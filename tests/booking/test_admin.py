"""The rule admin goes through the booking services: edits move or cancel the scheduled
attempt and its beat entry, deletes leave no beat entry behind."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django_celery_beat.models import PeriodicTask

from booking.admin import BookingRuleAdminForm
from booking.models import BookingAttempt, BookingRule
from booking.services.race import attempt_race

pytestmark = pytest.mark.django_db


def admin_client(staff: Any) -> Client:
    staff.is_superuser = True
    staff.save()
    client = Client()
    client.force_login(staff)
    return client


def change_form_data(rule: BookingRule, **changes: Any) -> dict[str, Any]:
    """What the admin change form posts back when nothing but `changes` is edited."""
    form = BookingRuleAdminForm(instance=rule)
    data: dict[str, Any] = {}
    for name in form.fields:
        value = form[name].value()
        if name == "accounts":
            value = [a.pk if hasattr(a, "pk") else a for a in value]
        data[name] = "" if value is None else value
    data.update(changes)
    data["_save"] = "Save"
    return data


def booking_tasks(rule: BookingRule) -> list[str]:
    return list(
        PeriodicTask.objects.filter(name__startswith=f"booking: rule {rule.pk} for ").values_list(
            "name", flat=True
        )
    )


def test_disabling_a_rule_in_the_admin_cancels_its_attempt_and_beat_entry(make_rule, staff):
    rule, target, _ = make_rule(seconds=120)
    attempt = rule.attempts.get(target_date=target)
    assert booking_tasks(rule)

    response = admin_client(staff).post(
        f"/admin/booking/bookingrule/{rule.pk}/change/", change_form_data(rule, enabled=False)
    )

    assert response.status_code == 302, (
        response.context["adminform"].form.errors if response.context else ""
    )
    rule.refresh_from_db()
    assert rule.enabled is False
    attempt.refresh_from_db()
    assert attempt.state == BookingAttempt.State.CANCELLED
    assert booking_tasks(rule) == []
    assert rule.next_release_at is None


def test_moving_the_release_time_in_the_admin_moves_the_attempt_and_beat_entry(make_rule, staff):
    # Late morning in Madrid, so the moved release stays on the same day.
    with time_machine.travel(datetime(2026, 11, 24, 10, 0, tzinfo=UTC), tick=True):
        rule, target, release_at = make_rule(seconds=120)
        attempt = rule.attempts.get(target_date=target)
        later = (release_at + timedelta(minutes=30)).astimezone(rule.club.zone)

        response = admin_client(staff).post(
            f"/admin/booking/bookingrule/{rule.pk}/change/",
            change_form_data(rule, release_local_time=later.strftime("%H:%M:%S")),
        )

    assert response.status_code == 302, (
        response.context["adminform"].form.errors if response.context else ""
    )
    attempt.refresh_from_db()
    assert attempt.state == BookingAttempt.State.SCHEDULED
    assert attempt.release_at == release_at + timedelta(minutes=30)
    rule.refresh_from_db()
    assert rule.next_release_at == attempt.release_at
    task = PeriodicTask.objects.get(name__startswith=f"booking: rule {rule.pk} for ")
    assert task.clocked.clocked_time > release_at


def test_the_admin_refuses_a_rule_the_services_would_refuse(make_rule, staff):
    rule, _, _ = make_rule(seconds=120)

    response = admin_client(staff).post(
        f"/admin/booking/bookingrule/{rule.pk}/change/",
        change_form_data(rule, durations="[45]"),
    )

    assert response.status_code == 200
    assert "multiples of 30" in response.content.decode()
    rule.refresh_from_db()
    assert rule.durations == [90]


def tuesday_evenings(account: Any) -> dict[str, Any]:
    """The add form's fields of a rule for Tuesdays 18:00-19:00, 90 minutes, with `account`."""
    return {
        "weekdays": "[1]",
        "earliest_start": "18:00",
        "latest_start": "19:00",
        "durations": "[90]",
        "court_preference": "[]",
        "payment_methods": '["club"]',
        "accounts": [account.pk],
    }


def test_a_rule_added_in_the_admin_belongs_to_the_staff_member_and_not_a_member(
    club, account, staff, member
):
    # `account` is the member's Playtomic login: staff must not be able to book with it.
    data = change_form_data(BookingRule(club=club, name="Borrowed"))
    data.update(
        name="Borrowed",
        club=club.pk,
        owner=member.pk,  # ignored: the owner is not a field of the form
        **tuesday_evenings(account),
    )

    response = admin_client(staff).post("/admin/booking/bookingrule/add/", data)

    assert response.status_code == 200
    assert not BookingRule.objects.filter(name="Borrowed").exists()
    assert "accounts" in response.context["adminform"].form.errors


def test_the_admin_offers_only_the_rule_owners_accounts(make_rule, staff, account):
    rule, _, _ = make_rule(seconds=120)
    client = admin_client(staff)

    add = client.get("/admin/booking/bookingrule/add/")
    change = client.get(f"/admin/booking/bookingrule/{rule.pk}/change/")

    assert list(add.context["adminform"].form.fields["accounts"].queryset) == []
    assert list(change.context["adminform"].form.fields["accounts"].queryset) == [account]


def test_deleting_a_rule_in_the_admin_leaves_no_orphan_beat_entry(make_rule, staff):
    rule, _, _ = make_rule(seconds=120)
    assert booking_tasks(rule)
    pk = rule.pk

    response = admin_client(staff).post(f"/admin/booking/bookingrule/{pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not BookingRule.objects.filter(pk=pk).exists()
    assert not PeriodicTask.objects.filter(name__startswith=f"booking: rule {pk} for ").exists()


def test_bulk_deleting_rules_in_the_admin_leaves_no_orphan_beat_entry(make_rule, staff):
    rule, _, _ = make_rule(seconds=120)
    pk = rule.pk

    response = admin_client(staff).post(
        "/admin/booking/bookingrule/",
        {"action": "delete_selected", "_selected_action": [pk], "post": "yes"},
    )

    assert response.status_code == 302
    assert not BookingRule.objects.filter(pk=pk).exists()
    assert not PeriodicTask.objects.filter(name__startswith=f"booking: rule {pk} for ").exists()


def test_a_release_attempt_of_a_rule_disabled_behind_the_services_back_is_cancelled(
    make_rule, use_sandbox
):
    rule, target, _ = make_rule(seconds=2)
    attempt = rule.attempts.get(target_date=target)
    BookingRule.objects.filter(pk=rule.pk).update(enabled=False)

    result = attempt_race(attempt_id=attempt.pk)

    assert result.state == BookingAttempt.State.CANCELLED
    assert "disabled" in result.reason
    assert use_sandbox.requests(path="/v1/payment_intents") == []


def test_a_release_attempt_whose_date_left_the_rule_is_cancelled(make_rule, use_sandbox):
    rule, target, _ = make_rule(seconds=2)
    attempt = rule.attempts.get(target_date=target)
    others = [d for d in range(7) if d != target.weekday()]
    BookingRule.objects.filter(pk=rule.pk).update(weekdays=others)

    result = attempt_race(attempt_id=attempt.pk)

    assert result.state == BookingAttempt.State.CANCELLED
    assert "weekdays" in result.reason
    assert use_sandbox.requests(path="/v1/payment_intents") == []


def test_a_rule_added_in_the_admin_goes_to_one_of_the_staff_members_groups(
    club, account, staff, member, group
):
    from groups.services import account_lend, invite_accept, invite_create

    invite_accept(secret=invite_create(group=group, actor=group.created_by)[1], user=staff)
    account_lend(account=account, group=group, user=member)
    data = change_form_data(BookingRule(club=club, name="Staff's"))
    data.update(
        name="Staff's",
        group=group.pk,
        club=club.pk,
        **tuesday_evenings(account),
        release_policy="fixed",
        release_days_before="7",
        release_local_time="08:00",
    )

    response = admin_client(staff).post("/admin/booking/bookingrule/add/", data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    rule = BookingRule.objects.get(name="Staff's")
    assert (rule.group, rule.owner, list(rule.accounts.all())) == (group, staff, [account])
