"""The Playtomic sandbox: a simulator of the Playtomic consumer HTTP API (see docs/sandbox.md)."""

from playtomic.sandbox.clock import SandboxClock
from playtomic.sandbox.server import SandboxServer
from playtomic.sandbox.world import World

__all__ = ["SandboxClock", "SandboxServer", "World"]
