"""Rules belong to a group: every member sees them, their attempts and success rates; the
creator and the group's admins change them; they book with the creator's own accounts and
those lent to the group, and a withdrawn account stops being used (and the page says so)."""

from __future__ import annotations

from datetime import time, timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import PlaytomicAccount
from accounts.services import account_create
from booking import selectors
from booking.models import BookingAttempt, BookingRule
from booking.services.attempts import attempt_prepare
from booking.services.race import attempt_race
from booking.services.rules import rule_delete, rule_save
from groups import services as group_services
from groups.models import Group, LentAccount
from groups.services import personal_group_for
from tests.support.web import web

pytestmark = pytest.mark.django_db


def values(club: Any, **overrides: Any) -> dict[str, Any]:
    doubles = club.courts.filter(size="double").order_by("reservation_priority", "pk")
    data: dict[str, Any] = {
        "name": "Tuesday evenings",
        "club": club,
        "weekdays": [1],
        "earliest_start": time(18, 0),
        "latest_start": time(20, 0),
        "durations": [90],
        "court_preference": [doubles[0].pk],
        "payment_methods": ["club"],
        "release_policy": BookingRule.ReleasePolicy.FIXED,
        "release_days_before": 7,
        "release_local_time": time(8, 0),
    }
    data.update(overrides)
    return data


@pytest.fixture
def lent(group: Group, member: Any, account: PlaytomicAccount) -> PlaytomicAccount:
    group_services.account_lend(account=account, group=group, user=member)
    return account


@pytest.fixture
def group_rule(group: Group, member: Any, lent: PlaytomicAccount, club: Any) -> BookingRule:
    return rule_save(owner=member, group=group, accounts=[lent], **values(club))


@pytest.fixture
def attempt(group_rule: BookingRule) -> BookingAttempt:
    return BookingAttempt.objects.get(rule=group_rule)


def test_every_member_sees_the_groups_rules_and_attempts(group_rule, attempt, owner, admin, member):
    for user in (owner, admin, member):
        overview = web(user).get("/booking/")
        assert overview.status_code == 200
        assert "Tuesday evenings" in overview.content.decode()
        assert "No rules yet" not in overview.content.decode()
        assert web(user).get(f"/booking/rules/{group_rule.pk}/").status_code == 200
        assert web(user).get(f"/booking/attempts/{attempt.pk}/").status_code == 200
        assert [r.key for r in selectors.success_rate_by_rule(user)] == [group_rule.pk]


def test_an_outsider_gets_404_on_the_groups_rule_and_attempt(group_rule, attempt, outsider):
    assert web(outsider).get(f"/booking/rules/{group_rule.pk}/").status_code == 404
    assert web(outsider).get(f"/booking/rules/{group_rule.pk}/edit/").status_code == 404
    assert web(outsider).get(f"/booking/attempts/{attempt.pk}/").status_code == 404
    assert "Tuesday evenings" not in web(outsider).get("/booking/").content.decode()
    assert selectors.success_rate_by_rule(outsider) == []


def test_the_creator_and_the_admins_edit_a_rule_and_other_members_may_not(
    group_rule, owner, admin, member, group, lent
):
    plain = Group.objects.get(pk=group.pk)
    assert selectors.rule_editable_by(group_rule, member)  # the creator
    assert selectors.rule_editable_by(group_rule, admin)
    assert selectors.rule_editable_by(group_rule, owner)

    rule_save(owner=admin, rule=group_rule, accounts=[lent], latest_start=time(20, 30))
    group_rule.refresh_from_db()
    assert group_rule.latest_start == time(20, 30)
    assert group_rule.owner == member  # still "created by" the member

    other = rule_save(
        owner=admin, group=plain, accounts=[lent], **values(group_rule.club, name="B")
    )
    with pytest.raises(PermissionDenied):
        rule_save(owner=member, rule=other, accounts=[lent], enabled=False)
    with pytest.raises(PermissionDenied):
        rule_delete(rule=other, actor=member)
    assert web(member).get(f"/booking/rules/{other.pk}/edit/").status_code == 403
    assert web(member).post(f"/booking/rules/{other.pk}/delete/").status_code == 403
    assert web(member).get(f"/booking/rules/{other.pk}/").status_code == 200


def test_a_member_who_left_no_longer_edits_the_rule_they_made(group_rule, group, member, lent):
    group_services.membership_leave(group=group, user=member)

    assert not selectors.rule_editable_by(group_rule, member)
    assert web(member).get(f"/booking/rules/{group_rule.pk}/").status_code == 404


def test_a_rule_books_with_the_creators_own_accounts_and_those_lent_to_the_group(
    group, owner, admin, club, use_sandbox
):
    mine = account_create(owner=admin, email="mine@sandbox.test", password="pw-12345678")
    someone_elses = account_create(owner=owner, email="his@sandbox.test", password="pw-12345678")

    with pytest.raises(ValidationError) as refused:
        rule_save(owner=admin, group=group, accounts=[someone_elses], **values(club))
    assert "lent to the group" in str(refused.value.message_dict["accounts"])

    group_services.account_lend(account=someone_elses, group=group, user=owner)
    rule = rule_save(owner=admin, group=group, accounts=[mine, someone_elses], **values(club))
    assert set(selectors.rule_accounts(rule)) == {mine, someone_elses}


def test_a_withdrawn_account_stops_being_used_and_the_rule_page_says_so(
    group_rule, lent, member, admin
):
    loan = LentAccount.objects.get(account=lent)
    # The lender is the rule's creator here: their own account stays usable, so the rule was
    # made by someone else for this check.
    rule = rule_save(
        owner=admin,
        group=group_rule.group,
        accounts=[lent],
        **values(group_rule.club, name="Admin's rule"),
    )
    group_services.account_withdraw(loan=loan, user=member)

    assert list(selectors.rule_accounts(rule)) == []
    assert selectors.rule_withdrawn_accounts(rule) == [lent]
    page = web(admin).get(f"/booking/rules/{rule.pk}/").content.decode()
    assert "no longer lent to the group" in page
    assert str(lent) in page


def race_with_only_withdrawn_accounts(
    *, group: Group, member: Any, admin: Any, lent: PlaytomicAccount, club: Any
) -> BookingAttempt:
    """The group admin's rule books with `lent` only; `member` withdraws it; the rule races."""
    rule = rule_save(
        owner=admin, group=group, accounts=[lent], **values(club, name="Admin's", enabled=False)
    )
    group_services.account_withdraw(loan=LentAccount.objects.get(account=lent), user=member)
    target = timezone.localdate(timezone.now(), club.zone) + timedelta(days=3)
    attempt = attempt_prepare(
        rule=rule,
        target_date=target,
        release_at=timezone.now(),
        trigger=BookingAttempt.Trigger.MANUAL,
    )
    assert attempt is not None
    return attempt_race(attempt_id=attempt.pk, probe_clock=False)


def test_a_race_with_only_withdrawn_accounts_fails_without_logging_in(
    group, member, admin, lent, club, use_sandbox
):
    attempt = race_with_only_withdrawn_accounts(
        group=group, member=member, admin=admin, lent=lent, club=club
    )

    assert attempt.state == BookingAttempt.State.FAILED
    assert "withdrawn" in attempt.reason
    assert use_sandbox.requests(path="/v3/auth") == []


def test_personal_rules_keep_working_in_a_group_of_one(member, account, club):
    rule = rule_save(owner=member, accounts=[account], **values(club))

    assert rule.group == personal_group_for(user=member)
    assert rule.group.is_personal
    assert list(selectors.rules_for(member)) == [rule]
    assert selectors.rule_editable_by(rule, member)


def test_two_groups_may_each_have_a_rule_of_the_same_name(group, member, lent, account, club):
    rule_save(owner=member, group=group, accounts=[lent], **values(club))
    rule_save(owner=member, accounts=[account], **values(club))

    with pytest.raises(ValidationError) as refused:
        rule_save(owner=member, group=group, accounts=[lent], **values(club))
    assert "already has a rule" in str(refused.value)


def test_a_rule_stays_in_the_group_it_was_made_in(group_rule, member, lent):
    with pytest.raises(ValidationError):
        rule_save(
            owner=member,
            rule=group_rule,
            group=personal_group_for(user=member),
            accounts=[lent],
        )


def test_an_outsider_cannot_make_a_rule_for_a_group(group, outsider, club, use_sandbox):
    theirs = account_create(owner=outsider, email="o@sandbox.test", password="pw-12345678")

    with pytest.raises(PermissionDenied):
        rule_save(owner=outsider, group=group, accounts=[theirs], **values(club))


def test_the_success_rate_per_account_counts_the_groups_attempts(group_rule, attempt, owner, lent):
    BookingAttempt.objects.filter(pk=attempt.pk).update(
        state=BookingAttempt.State.BOOKED, account=lent
    )

    rates = {rate.key: rate for rate in selectors.success_rate_by_account(owner)}

    assert rates[lent.pk].booked == 1
    assert rates[lent.pk].rate == 1.0


def test_the_rule_form_offers_the_groups_members_and_usable_accounts(
    group, group_rule, owner, admin, member, lent
):
    page = web(admin).get(f"/booking/rules/{group_rule.pk}/edit/").content.decode()

    assert str(lent) in page
    for name in ("Olga", "Adrián", "member"):
        assert name in page


def test_a_new_rule_for_a_group_is_made_from_the_page(group, member, lent, club):
    court = club.courts.filter(size="double").first()
    response = web(member).post(
        f"/booking/rules/add/?group={group.pk}",
        {
            "group": group.pk,
            "name": "From the page",
            "club": club.pk,
            "weekdays": [0, 1, 2, 3, 4],
            "earliest_start": "18:00",
            "latest_start": "20:00",
            "durations_text": "90",
            "court_preference": [court.pk],
            "surface": "any",
            "number_of_players": 4,
            "split_payment": "on",
            "payment_methods": ["club"],
            "accounts": [lent.pk],
            "players": [member.pk],
            "release_policy": "fixed",
            "release_days_before": 7,
            "release_local_time": "08:00",
            "burst_seconds": 10,
            "snipe_min_notice_minutes": 120,
            "enabled": "on",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    rule = BookingRule.objects.get(name="From the page")
    assert rule.group == group
    assert [link.user for link in rule.player_links.all()] == [member]


def test_an_outsiders_group_in_the_add_page_is_a_404(group, outsider):
    assert web(outsider).get(f"/booking/rules/add/?group={group.pk}").status_code == 404


def test_the_next_release_of_a_group_rule_is_scheduled(group_rule):
    assert group_rule.next_release_at is not None
    assert group_rule.next_release_at > timezone.now() - timedelta(days=1)
