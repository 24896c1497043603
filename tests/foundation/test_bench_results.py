"""How the benchmarks record their figures and enforce their targets."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bench import bench_storage, common


@pytest.fixture
def results(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "bench" / "results.json"
    monkeypatch.setattr(common, "RESULTS", path)
    return path


def test_merging_keeps_the_other_benches_figures(results: Path):
    common.merge_results({"storage_ratio": 80.0, "ingest_ms_per_club_day_sqlite": 3.0})
    common.merge_results({"ingest_ms_per_club_day_sqlite": 4.0})
    assert json.loads(results.read_text()) == {
        "storage_ratio": 80.0,
        "ingest_ms_per_club_day_sqlite": 4.0,
    }


def test_a_figure_that_could_not_be_measured_is_removed_not_kept_stale(results: Path):
    common.merge_results({"ingest_ms_per_club_day_postgres": 5.0, "storage_ratio": 80.0})
    common.drop_results(["ingest_ms_per_club_day_postgres"])
    assert json.loads(results.read_text()) == {"storage_ratio": 80.0}


def test_dropping_from_no_results_file_is_harmless(results: Path):
    common.drop_results(["ingest_ms_per_club_day_postgres"])
    assert not results.exists()


def _storage_child(snapshot_rows: float, design_rows: float) -> dict[str, Any]:
    figures = dict.fromkeys(
        (
            "polls",
            "requests",
            "slot_states",
            "slot_changes",
            "poll_runs",
            "events",
            "summaries",
            "seconds",
        ),
        1.0,
    )
    return {**figures, "snapshot_rows": snapshot_rows, "design_rows": design_rows}


def test_the_storage_bench_fails_below_fifty_times_fewer_rows(
    results: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(bench_storage, "run_child", lambda *a, **k: _storage_child(4900, 100))
    with pytest.raises(SystemExit) as stopped:
        bench_storage.main()
    assert "storage_ratio 49.0 is below the target of 50" in str(stopped.value.code)
    assert json.loads(results.read_text()) == {"storage_ratio": 49.0}


def test_the_storage_bench_passes_at_fifty_times_fewer_rows(
    results: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(bench_storage, "run_child", lambda *a, **k: _storage_child(5000, 100))
    bench_storage.main()
    assert json.loads(results.read_text()) == {"storage_ratio": 50.0}
