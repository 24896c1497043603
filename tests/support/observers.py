"""A Playtomic client observer for tests: records the host of every attempt it is asked about."""

from __future__ import annotations

from playtomic.errors import PlaytomicError


class HostRecorder:
    def __init__(self, hosts: list[str]) -> None:
        self.hosts = hosts

    def before_request(self, host: str) -> None:
        self.hosts.append(host)

    def on_outcome(self, host: str, error: PlaytomicError | None) -> None:
        """Outcomes are not what these tests look at."""
