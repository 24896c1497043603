"""A running `make demo`, as two files under VAR_DIR that the other processes read.

- `demo.env`: the base URL of the demo's Playtomic sandbox. Settings use it, so a `manage.py`
  command run from a second shell during the demo talks to the demo's sandbox, never to the
  real Playtomic (whose refusal of a sandbox login would mark the account "Login failing").
- `demo-history.json`: how far the demo's history replay has got, which every page shows as a
  banner until it is done.

Both name the demo's process id: a file whose process is gone (a demo killed with SIGKILL, a
machine restarted) is ignored, so a stale file never points a later `make run` at a dead
sandbox. Standard library only: settings import this module.
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

DEMO_ENV = "demo.env"
HISTORY_PROGRESS = "demo-history.json"
_PID = "DEMO_PID"


@dataclass(frozen=True)
class HistoryProgress:
    """The replay has polled `done` of its `total` steps through `days` days of history."""

    done: int
    total: int
    days: int

    @property
    def percent(self) -> int:
        return min(100, 100 * self.done // self.total) if self.total > 0 else 0


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, someone else's
        return True
    return True


def _write(path: Path, text: str) -> None:
    """Replace the file in one step: a reader sees the old text or the new, never half."""
    partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
    partial.write_text(text)
    os.replace(partial, path)


def demo_env_write(var_dir: Path, *, base_url: str, pid: int | None = None) -> None:
    pid = os.getpid() if pid is None else pid
    _write(var_dir / DEMO_ENV, f"{_PID}={pid}\nPLAYTOMIC_BASE_URL={base_url}\n")


def demo_env_read(var_dir: Path) -> dict[str, str]:
    """The running demo's variables (PLAYTOMIC_BASE_URL); empty when no demo is running."""
    try:
        text = (var_dir / DEMO_ENV).read_text()
    except OSError:
        return {}
    values = {}
    for line in text.splitlines():
        name, sep, value = line.partition("=")
        if sep and name.strip():
            values[name.strip()] = value.strip()
    pid = values.pop(_PID, "")
    return values if pid.isdecimal() and _alive(int(pid)) else {}


def history_progress_write(
    var_dir: Path, *, done: int, total: int, days: int, pid: int | None = None
) -> None:
    pid = os.getpid() if pid is None else pid
    record = {"pid": pid, "done": done, "total": total, "days": days}
    _write(var_dir / HISTORY_PROGRESS, json.dumps(record))


def history_progress_read(var_dir: Path) -> HistoryProgress | None:
    """The replay's progress while a demo is filling in its history, else None."""
    try:
        record = json.loads((var_dir / HISTORY_PROGRESS).read_text())
        pid, done, total, days = (int(record[k]) for k in ("pid", "done", "total", "days"))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not _alive(pid) or done >= total:
        return None
    return HistoryProgress(done=done, total=total, days=days)


def history_progress_clear(var_dir: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        (var_dir / HISTORY_PROGRESS).unlink()


def demo_files_remove(var_dir: Path) -> None:
    """The demo has stopped: nothing points at its sandbox any more."""
    history_progress_clear(var_dir)
    with contextlib.suppress(FileNotFoundError):
        (var_dir / DEMO_ENV).unlink()
