"""Helpers shared by the benchmarks: figures into var/bench/results.json, small tables, and a
Django set-up in a throw-away directory so a bench never touches the real database."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "var" / "bench" / "results.json"
# A migrated SQLite database that `setup_django` copies instead of migrating (see
# `migrated_sqlite`).
SQLITE_TEMPLATE = "BENCH_SQLITE_TEMPLATE"


def merge_results(figures: Mapping[str, float]) -> None:
    """Merge `figures` into var/bench/results.json (other benches' figures are kept)."""
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    current: dict[str, Any] = {}
    if RESULTS.exists():
        current = json.loads(RESULTS.read_text())
    current.update({name: round(float(value), 3) for name, value in figures.items()})
    RESULTS.write_text(json.dumps(current, indent=2, sort_keys=True) + "\n")


def drop_results(names: Iterable[str]) -> None:
    """Remove figures that this run could not measure from var/bench/results.json, so a stale
    value from an earlier run is never reported as current."""
    if not RESULTS.exists():
        return
    current: dict[str, Any] = json.loads(RESULTS.read_text())
    for name in names:
        current.pop(name, None)
    RESULTS.write_text(json.dumps(current, indent=2, sort_keys=True) + "\n")


def print_table(title: str, rows: Sequence[tuple[Any, ...]]) -> None:
    print(f"\n{title}")
    if not rows:
        return
    texts = [[str(cell) for cell in row] for row in rows]
    widths = [max(len(row[i]) for row in texts) for i in range(len(texts[0]))]
    for row in texts:
        print("  " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))


def run_child(module: str, *args: str, env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Run `python -m module --child args...` with its own VAR_DIR (a fresh SQLite database,
    broker folder and cache) unless `env` says otherwise; the child prints one JSON line last."""
    with tempfile.TemporaryDirectory(prefix="ptm-bench-") as var_dir:
        # No politeness limits against the local sandbox (a bench that wants one sets it): a
        # limiter on a frozen clock (time_machine) would wait forever for its next slot.
        child_env = {
            **os.environ,
            "VAR_DIR": var_dir,
            "PLAYTOMIC_RATE_PER_SECOND": "0",
            "PLAYTOMIC_INTERACTIVE_RATE_PER_SECOND": "0",
            # The benches' webhook receivers listen on 127.0.0.1.
            "NOTIFY_ALLOW_PRIVATE_ADDRESSES": "1",
        }
        child_env.pop("DATABASE_URL", None)
        child_env.update(env or {})
        done = subprocess.run(
            [sys.executable, "-m", module, "--child", *args],
            cwd=ROOT,
            env=child_env,
            capture_output=True,
            text=True,
            check=False,
        )
    if done.returncode != 0:
        raise RuntimeError(f"{module} failed:\n{done.stderr[-3000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def hand_over_quickly() -> None:
    """In a child whose sandbox answers from a thread of the same process: let a thread that
    waits for the GIL get it within 0.2 ms instead of Python's default 5 ms. Each request
    otherwise waits for up to two such hand-overs (client to sandbox and back), which halved
    bench_storage's throughput without any CPU being busy; what is measured is unchanged."""
    sys.setswitchinterval(0.0002)


def migrated_sqlite(path: Path) -> dict[str, str]:
    """Migrate a SQLite database (with the cache table) at `path` once, for a bench that starts
    many children at once: with the returned variables in `run_child`'s env, each child copies
    it instead of spending seconds of CPU on its own migrations."""
    env = {**os.environ, "VAR_DIR": str(path.parent), "SQLITE_PATH": str(path)}
    # The embedded defaults, so the cache table is made whatever cache the caller runs on.
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    for command in (["migrate", "--no-input"], ["createcachetable"]):
        subprocess.run(
            [sys.executable, "manage.py", *command, "--verbosity", "0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
    return {SQLITE_TEMPLATE: str(path)}


def setup_django() -> Callable[[], None]:
    """In a child: settings from the environment and a migrated database with the cache
    table. On PostgreSQL that database is a throw-away test database next to the configured
    one (never the configured one itself); call the returned function to drop it."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "playtomic_monitor.settings")
    import logging

    import django
    from django.core.management import call_command
    from django.db import connection

    django.setup()
    logging.disable(logging.WARNING)
    if connection.vendor == "postgresql":
        original = connection.settings_dict["NAME"]
        # A name of its own: the default test_<name> may be a test run's on the same server,
        # which autoclobber would drop under it.
        connection.settings_dict["TEST"]["NAME"] = f"bench_{original}_{os.getpid()}"
        connection.creation.create_test_db(verbosity=0, autoclobber=True)
        call_command("createcachetable", verbosity=0)
        return lambda: connection.creation.destroy_test_db(original, verbosity=0)
    if os.environ.get(SQLITE_TEMPLATE):
        shutil.copyfile(os.environ[SQLITE_TEMPLATE], connection.settings_dict["NAME"])
        return lambda: None
    call_command("migrate", verbosity=0, interactive=False)
    call_command("createcachetable", verbosity=0)
    return lambda: None


def in_django(measure: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """In a child: `measure()` against a fresh database (see `setup_django`), dropped after."""
    teardown = setup_django()
    try:
        return measure()
    finally:
        teardown()


def postgres_url(bench: str, why: str) -> str | None:
    """DATABASE_URL when it names PostgreSQL; else None, after saying the bench is skipped."""
    database_url = os.environ.get("DATABASE_URL", "")
    if database_url.startswith(("postgres://", "postgresql://", "pgsql://")):
        return database_url
    print(f"\n{bench}: skipped, set DATABASE_URL=postgresql://... ({why}).")
    return None
