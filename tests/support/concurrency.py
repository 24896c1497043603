"""Running test code in several threads at the same moment, as duplicate workers would."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import TypeVar

from django.db import connection

T = TypeVar("T")


def at_once(actions: Sequence[Callable[[], T]], *, timeout: float = 30.0) -> list[T]:
    """Run each action in a thread of its own, all released together by a barrier, each with
    its own database connection (closed when it is done). The results come in the order the
    actions finished; the first exception an action raised is raised here."""
    start = threading.Barrier(len(actions))
    results: list[T] = []
    errors: list[BaseException] = []

    def run(action: Callable[[], T]) -> None:
        try:
            start.wait(timeout=timeout)
            results.append(action())
        except BaseException as exc:  # handed to the calling thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    if errors:
        raise errors[0]
    return results
