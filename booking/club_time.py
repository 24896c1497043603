"""The time of a game at a club as its players read it: on the club's wall clock, with the
zone's abbreviation."""

from __future__ import annotations

from datetime import datetime

from clubs.models import Club
from playtomic_monitor.localtime import local_datetime


class ClubLocalStart:
    """Mixed into a dataclass with the `club` a game is at and its UTC `start`."""

    club: Club
    start: datetime

    @property
    def local_start(self) -> datetime:
        return self.start.astimezone(self.club.zone)

    @property
    def when(self) -> str:
        """The club-local start with the zone's abbreviation: "Tue 15 Dec 2026, 19:00 CET"."""
        return local_datetime(self.start, self.club.zone)
