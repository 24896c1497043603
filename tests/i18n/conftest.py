"""The booking cast (a quiet sandbox, the Madrid club, a member's account, a rule factory and
a group), so the Spanish pages are rendered with something on them. The group is every
folder's (tests/support/group_cast.py)."""

from tests.booking.conftest import account, club, make_rule, sandbox

__all__ = ["account", "club", "make_rule", "sandbox"]
