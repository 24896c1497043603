"""Analytics on a year of history: 10 clubs x 8 courts, 08:00-23:00, 365 days back and 7 ahead,
written directly with COPY (bench/history.py), then summarized as the periodic task keeps it
(`summary_rebuild`: closed days into the summaries, the last two days and today stay raw).
Times the heatmap, daily and fill-curve selectors over the dashboard's default four weeks and
over the whole year, and the club page and the home page as a member opens them (default four
weeks), each as median and 95th percentile, with each page's query count. The figures the
issue names (`heatmap_ms_p95`, ...) are the whole-year ones. Then the clubs double and both
pages are counted again (`club_page_queries_2x`, `home_page_queries_2x`, the club page of an
added club): the counts must not change. The added clubs have three days of history, two of
them summarized (the days do not change a page's count either, tests/availability/
test_query_counts.py), so doubling costs a second, not another year's load.

Runs on PostgreSQL (DATABASE_URL=postgresql://...); a throw-away database is created next to
the configured one and dropped afterwards.
"""

from __future__ import annotations

import json
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.common import merge_results, postgres_url, print_table, run_child

CLUBS = 10
COURTS = 8
DAYS_BACK = 365
REPEAT = 60
ZONES = (
    "Europe/Madrid",
    "Europe/London",
    "America/Mexico_City",
    "Australia/Sydney",
    "Europe/Brussels",
)


def _time(fn: Callable[[], Any], repeat: int = REPEAT) -> tuple[float, float]:
    fn()  # warm caches and plans once
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
    return statistics.median(samples), p95


def child() -> dict[str, Any]:
    from bench.common import in_django

    return in_django(_measure)


def _measure() -> dict[str, Any]:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from availability import selectors
    from availability.models import SlotChange, SlotState, StartSummary
    from availability.services.summaries import summary_rebuild
    from bench.history import ClubPlan, create_club, fill
    from clubs.models import Club
    from playtomic_monitor.gc_tuning import gc_freeze_startup

    now = datetime.now(UTC)
    started = time.monotonic()
    clubs = []
    for i in range(CLUBS):
        plan = ClubPlan(f"Bench Club {i}", ZONES[i % len(ZONES)], COURTS, 0.7 + 0.05 * i)
        club = create_club(plan, i)
        fill(club, days_back=DAYS_BACK, days_ahead=7, now=now, demand=plan.demand, seed=i)
        clubs.append(club)
    load_s = time.monotonic() - started
    started = time.monotonic()
    for club in clubs:
        summary_rebuild(club=club, now=now)
    summarize_s = time.monotonic() - started
    if connection.vendor == "postgresql":
        # As a live database would be: statistics up to date and the fresh rows vacuumed, so
        # autovacuum does not start on the loaded tables in the middle of the timings.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    rng = random.Random(7)
    # As a web worker does once it has loaded (playtomic_monitor/wsgi.py): what is alive now
    # stays out of the full collections the timed requests trigger.
    gc_freeze_startup()

    def span(days: int) -> dict[str, Any]:
        # A fresh instance each time, as an API request loads it (timed with the query): an
        # instance keeps its mark and the summary rows it read.
        club = Club.objects.get(pk=rng.choice(clubs).pk)
        today = selectors.local_today(club, now)
        return {"club": club, "date_from": today - timedelta(days=days - 1), "date_to": today}

    figures: dict[str, Any] = {
        "rows_changes": SlotChange.objects.count(),
        "rows_states": SlotState.objects.count(),
        "rows_summaries": StartSummary.objects.count(),
        "load_s": round(load_s, 1),
        "summarize_s": round(summarize_s, 1),
    }
    for label, days in (("_28d", 28), ("", 365)):
        for name, fn in (
            ("heatmap", selectors.utilization_heatmap),
            ("daily", selectors.utilization_daily),
            ("fill_curve", selectors.fill_curve),
        ):
            median, p95 = _time(lambda fn=fn, days=days: fn(**span(days)))
            figures[f"{name}_ms_median{label}"] = median
            figures[f"{name}_ms_p95{label}"] = p95

    user = get_user_model().objects.create_user(username="bench", password="bench-pass-123")
    client = Client()
    client.force_login(user)

    def page(url: str, among: list[Club] = clubs) -> Callable[[], None]:
        def get() -> None:
            response = client.get(url.format(club=rng.choice(among).pk))
            assert response.status_code == 200

        return get

    def queries(url: str, among: list[Club] = clubs) -> int:
        with CaptureQueriesContext(connection) as captured:
            page(url, among)()
        return len(captured)

    pages = (("club_page", "/clubs/{club}/", REPEAT), ("home_page", "/", REPEAT))
    for name, url, repeat in pages:
        figures[f"{name}_ms_median"], figures[f"{name}_ms_p95"] = _time(page(url), repeat)
        figures[f"{name}_queries"] = queries(url)

    added = []
    for i in range(CLUBS, 2 * CLUBS):
        plan = ClubPlan(f"Bench Club {i}", ZONES[i % len(ZONES)], COURTS, 0.7)
        club = create_club(plan, i)
        fill(club, days_back=3, days_ahead=1, now=now, demand=plan.demand, seed=i)
        summary_rebuild(club=club, now=now)
        added.append(club)
    for name, url, _repeat in pages:
        figures[f"{name}_queries_2x"] = queries(url, added)
    return figures


def main() -> None:
    database_url = postgres_url(
        "bench_analytics", "a year of history for 10 clubs is a PostgreSQL benchmark"
    )
    if database_url is None:
        return
    figures = run_child("bench.bench_analytics", env={"DATABASE_URL": database_url})
    rows: list[tuple[Any, ...]] = [("query", "range", "median ms", "p95 ms", "queries", "goal")]
    for name in ("heatmap", "daily", "fill_curve"):
        for label, text, goal in (("_28d", "28 days", ""), ("", "365 days", "p95 <= 20")):
            rows.append(
                (
                    name,
                    text,
                    f"{figures[f'{name}_ms_median{label}']:.1f}",
                    f"{figures[f'{name}_ms_p95{label}']:.1f}",
                    "",
                    goal,
                )
            )
    for name, text, goal in (
        ("club_page", "club page", "p95 <= 100"),
        ("home_page", f"home page ({CLUBS} clubs)", "p95 <= 60"),
    ):
        rows.append(
            (
                text,
                "28 days (default)",
                f"{figures[f'{name}_ms_median']:.1f}",
                f"{figures[f'{name}_ms_p95']:.1f}",
                f"{figures[f'{name}_queries']} ({figures[f'{name}_queries_2x']} at "
                f"{2 * CLUBS} clubs)",
                goal,
            )
        )
    print_table(
        f"Analytics on {figures['rows_changes']:,} changes / {figures['rows_states']:,} cells "
        f"({CLUBS} clubs x {COURTS} courts x {DAYS_BACK} days; loaded in {figures['load_s']} s)"
        f"; {figures['rows_summaries']:,} summary rows of closed days built in "
        f"{figures['summarize_s']} s",
        rows,
    )
    merge_results(
        {k: v for k, v in figures.items() if "_ms_" in k or k.endswith(("_queries", "_2x"))}
    )


if __name__ == "__main__":
    if "--child" in sys.argv:
        print(json.dumps(child()))
    else:
        main()
