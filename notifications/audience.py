"""Who is told about a club: the clubs a member's groups play at, and a club's watchers.

A group "watches" a club when one of its enabled booking rules names it (as its club or a
fallback club): that is the only link between groups and clubs the code has. A club no group
watches is watched by the staff, who set its monitoring up."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.contrib.auth.models import User
from django.db.models import Q, QuerySet

from booking.models import BookingRule
from groups.models import Membership


def _rule_club_pairs(rules: Iterable[BookingRule]) -> list[tuple[int, int]]:
    """(group id, club id) for each club the rules name."""
    pairs: list[tuple[int, int]] = []
    for rule in rules:
        pairs.append((rule.group_id, rule.club_id))
        pairs.extend((rule.group_id, link.club_id) for link in rule.fallback_links.all())
    return pairs


def _enabled_rules() -> QuerySet[BookingRule]:
    return BookingRule.objects.filter(enabled=True).prefetch_related("fallback_links")


def watched_clubs_by_user(user_ids: Iterable[int]) -> dict[int, set[int]]:
    """For each user, the ids of the clubs their groups' enabled rules name."""
    groups_of: dict[int, set[int]] = defaultdict(set)
    for user_id, group_id in Membership.objects.filter(user_id__in=list(user_ids)).values_list(
        "user_id", "group_id"
    ):
        groups_of[group_id].add(user_id)
    rules = _enabled_rules().filter(group_id__in=list(groups_of))
    clubs: dict[int, set[int]] = defaultdict(set)
    for group_id, club_id in _rule_club_pairs(rules):
        for user_id in groups_of[group_id]:
            clubs[user_id].add(club_id)
    return clubs


def club_watchers(club_id: int) -> list[User]:
    """The members of every group whose enabled rules name the club; the active staff when no
    group does."""
    rules = _enabled_rules().filter(Q(club_id=club_id) | Q(fallback_links__club_id=club_id))
    group_ids = {group_id for group_id, club in _rule_club_pairs(rules) if club == club_id}
    users = User.objects.filter(is_active=True)
    if group_ids:
        users = users.filter(group_memberships__group_id__in=group_ids)
    else:
        users = users.filter(is_staff=True)
    return list(users.distinct().order_by("pk"))
