"""The booking cast (a quiet sandbox, the Madrid club, a member's account, a rule factory and
a group), so the Spanish pages are rendered with something on them."""

from tests.booking.conftest import (
    account,
    admin,
    cast,
    club,
    fast_password_hashing,
    group,
    make_rule,
    owner,
    sandbox,
)

__all__ = [
    "account",
    "admin",
    "cast",
    "club",
    "fast_password_hashing",
    "group",
    "make_rule",
    "owner",
    "sandbox",
]
