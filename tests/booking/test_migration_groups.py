"""Booking migrations 0006-0008 give every existing rule to its owner's personal group: made as
`personal_group_for` makes it when the owner has none, reused when they have one."""

from __future__ import annotations

from datetime import time

import pytest

from tests.support.migrations import leaf_migrations, migrate, models_at

BEFORE = [("booking", "0005_rule_fallbacks"), ("groups", "0001_initial")]


@pytest.mark.django_db(transaction=True)
def test_existing_rules_move_to_their_owners_personal_groups():
    latest = leaf_migrations()
    try:
        User, Club, Rule, Group, Membership = models_at(
            BEFORE,
            "auth.User",
            "clubs.Club",
            "booking.BookingRule",
            "groups.Group",
            "groups.Membership",
        )
        ana = User.objects.create(username="ana", first_name="Ana")
        ben = User.objects.create(username="ben")
        bens = Group.objects.create(name="Ben", created_by=ben, personal_for=ben)
        Membership.objects.create(group=bens, user=ben, role="owner")
        club = Club.objects.create(playtomic_id="c-1", name="Norte", timezone="Europe/Madrid")
        for owner, name in ((ana, "Evenings"), (ana, "Mornings"), (ben, "Evenings")):
            Rule.objects.create(
                owner=owner, club=club, name=name, earliest_start=time(18), latest_start=time(20)
            )

        migrate(latest)

        from booking.models import BookingRule
        from groups.models import Group as NewGroup
        from groups.models import Membership as NewMembership

        anas = NewGroup.objects.get(personal_for_id=ana.pk)
        assert (anas.name, anas.created_by_id) == ("Ana", ana.pk)
        assert NewMembership.objects.get(group=anas).role == "owner"
        by_owner = {(r.owner_id, r.name): r.group_id for r in BookingRule.objects.all()}
        assert by_owner == {
            (ana.pk, "Evenings"): anas.pk,
            (ana.pk, "Mornings"): anas.pk,
            (ben.pk, "Evenings"): bens.pk,
        }
        assert NewGroup.objects.filter(personal_for_id=ben.pk).count() == 1
    finally:
        migrate(latest)
