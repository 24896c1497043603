"""The monitoring fixtures of tests/clubs, for the availability tests too."""

from tests.clubs.conftest import madrid, politeness, reader

__all__ = ["madrid", "politeness", "reader"]
