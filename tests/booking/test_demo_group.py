"""`make demo` seeds a group of four so every group page has something to show: members with
their own sandbox accounts (two lent to the group), two rules naming who plays, three weeks of
past attempts, and games booked on the sandbox for the coming days."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from booking import games
from booking.demo import GROUP_NAME, MEMBERS, demo_group_seed
from booking.models import BookingAttempt, BookingRule
from groups.models import Group, LentAccount
from tests.booking.conftest import import_club

pytestmark = pytest.mark.django_db


@pytest.fixture
def clubs(use_sandbox: Any) -> list[Any]:
    return [import_club(use_sandbox), import_club(use_sandbox, "sandbox-padel-antwerpen")]


def seed(sandbox: Any, clubs: list[Any]) -> list[Any]:
    return demo_group_seed(clubs=clubs, add_sandbox_account=sandbox.add_account, now=timezone.now())


def test_the_demo_seeds_a_group_of_four_with_rules_attempts_and_games(use_sandbox, clubs):
    logins = seed(use_sandbox, clubs)

    group = Group.objects.get(name=GROUP_NAME)
    assert [login.username for login in logins] == [name for name, _ in MEMBERS]
    assert group.memberships.count() == 4
    assert LentAccount.objects.filter(group=group).count() == 2
    rules = BookingRule.objects.filter(group=group)
    assert rules.count() == 2
    assert all(rule.player_links.exists() for rule in rules)
    past = BookingAttempt.objects.filter(rule__group=group, target_date__lt=timezone.localdate())
    assert {BookingAttempt.State.BOOKED, BookingAttempt.State.FAILED} <= set(
        past.values_list("state", flat=True)
    )
    upcoming = games.games_for(logins_user(logins[3]), since=timezone.now())
    assert upcoming, "games booked on the sandbox for the coming days"
    booked = {b["match_id"] for b in use_sandbox.state()["bookings"]}
    assert {game.match_id for game in upcoming} <= booked
    assert all(len(game.players) == 4 for game in upcoming)

    for login in logins:
        user = logins_user(login)
        assert user.check_password(login.password)
        browser = Client()
        browser.force_login(user)
        assert "Tuesday and Thursday evenings" in browser.get("/booking/").content.decode()
        assert "Open on Playtomic" in browser.get("/booking/games/").content.decode()


def test_the_demo_can_run_again_on_the_same_database(use_sandbox, clubs):
    seed(use_sandbox, clubs)
    attempts = BookingAttempt.objects.count()

    logins = seed(use_sandbox, clubs)

    assert Group.objects.filter(name=GROUP_NAME).count() == 1
    assert BookingRule.objects.filter(group__name=GROUP_NAME).count() == 2
    assert BookingAttempt.objects.count() == attempts
    assert logins_user(logins[0]).check_password(logins[0].password)


def logins_user(login: Any) -> User:
    return User.objects.get(username=login.username)
