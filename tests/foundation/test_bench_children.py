"""What the release benchmarks rely on: one migrated SQLite database copied by every WAN lane,
the grid that keeps the lanes' bursts apart, and booking requests told apart by account."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import time_machine
from django.db.migrations.loader import MigrationLoader

from bench import bench_release as loopback
from bench import bench_release_wan as wan
from bench import common

GRID_START = int(datetime(2026, 12, 2, 6, 0, 0, tzinfo=UTC).timestamp())


def test_the_template_database_has_every_migration_and_the_cache_table(tmp_path: Path):
    env = common.migrated_sqlite(tmp_path / "template.sqlite3")

    assert env == {common.SQLITE_TEMPLATE: str(tmp_path / "template.sqlite3")}
    with sqlite3.connect(tmp_path / "template.sqlite3") as database:
        applied = set(database.execute("SELECT app, name FROM django_migrations"))
        tables = {row[0] for row in database.execute("SELECT name FROM sqlite_master")}
    expected = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    assert expected <= applied
    assert "django_cache" in tables


def test_a_lane_takes_the_first_point_of_its_grid_a_lead_away():
    with time_machine.travel(GRID_START - wan.LEAD_SECONDS - 3, tick=False):
        assert wan.next_release(GRID_START).timestamp() == GRID_START


def test_a_lane_that_is_too_late_for_a_point_takes_the_next_one():
    with time_machine.travel(GRID_START - wan.LEAD_SECONDS + 0.5, tick=False):
        release = wan.next_release(GRID_START)

    assert release.timestamp() == GRID_START + wan.PERIOD_SECONDS
    assert release.microsecond == 0


def test_the_lanes_ts_never_come_closer_than_a_burst():
    lanes = [
        GRID_START + index * wan.LANE_STAGGER + k * wan.PERIOD_SECONDS
        for index in range(wan.LANES)
        for k in range(wan.RELEASES_PER_LANE)
    ]
    gaps = [b - a for a, b in zip(sorted(lanes), sorted(lanes)[1:], strict=False)]

    assert min(gaps) >= wan.BURST_SECONDS
    assert wan.PERIOD_SECONDS >= wan.LEAD_SECONDS + wan.BURST_SECONDS
    assert wan.LANES * wan.RELEASES_PER_LANE >= 2 * wan.MIN_SAMPLES


def _post(email: str, at: float) -> dict[str, object]:
    return {"method": "POST", "path": "/v1/payment_intents", "email": email, "received_unix": at}


def test_a_request_sent_early_during_the_previous_burst_counts_for_its_own_release():
    releases = [
        {"T": 100.0, "email": loopback.booker(0)},
        {"T": 102.0, "email": loopback.booker(1)},
    ]
    log = [
        _post(loopback.booker(0), 100.004),
        _post(loopback.booker(1), 101.999),  # inside release 0's burst, yet early for 1
        _post(loopback.booker(1), 102.003),
        {**_post(loopback.booker(1), 102.5), "method": "GET"},
    ]

    sent_for, late = loopback.posts_per_release(log, releases)

    assert sent_for == [[100.004], [101.999, 102.003]]
    assert late == 0


def test_a_request_after_its_releases_burst_is_counted_as_late():
    releases = [{"T": 100.0, "email": loopback.booker(0)}]
    horizon = wan.BURST_SECONDS + loopback.POST_SLACK_SECONDS

    _, late = loopback.posts_per_release([_post(loopback.booker(0), 100.0 + horizon)], releases)

    assert late == 1
