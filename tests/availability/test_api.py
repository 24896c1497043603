from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine

from accounts.services import account_create
from availability.models import PollRun
from availability.tasks import poll_club_now
from clubs.models import Club
from playtomic_monitor.celery import app as celery_app
from tests.availability.analytics_history import cell, court, local, make_club, poll
from tests.availability.dst_week import DAYS, FREE, HOURS, RANGE, SAT, TAKEN
from tests.conftest import SANDBOX_EMAIL, SANDBOX_PASSWORD
from tests.support.api import api_client

pytestmark = pytest.mark.django_db

# A Tuesday morning in Madrid (UTC+1): the sandbox club's day still has cells to fetch.
TUESDAY_MORNING = datetime(2026, 2, 3, 9, 0, tzinfo=UTC)


@pytest.fixture
def club() -> Club:
    """Saturday 08:00-10:00, two courts: 3 of 4 observed cells taken, one with a price."""
    club = make_club()
    a, b = court(club, 0), court(club, 1)
    cell(club, a, SAT, "08:00", [(3 * DAYS, FREE), (DAYS, TAKEN)])
    cell(club, a, SAT, "08:30", [(3 * DAYS, TAKEN)])
    cell(club, b, SAT, "08:00", [(3 * DAYS, FREE), (2 * HOURS, TAKEN)])
    cell(club, b, SAT, "09:00", [(3 * DAYS, FREE)], price="28")
    poll(club, local(club, SAT, "08:00") - 3 * DAYS, [SAT])
    poll(club, local(club, SAT, "08:00") - HOURS, [SAT], outcome=PollRun.Outcome.FAILED)
    return club


def url(club: Club, path: str) -> str:
    return f"/api/clubs/{club.pk}/{path}"


ANALYTICS = [
    "utilization/current",
    f"utilization/daily?{RANGE}",
    f"utilization/daily.csv?{RANGE}",
    f"utilization/heatmap?{RANGE}",
    f"utilization/courts?{RANGE}",
    f"fill-curve?{RANGE}",
    f"lead-times?{RANGE}",
    f"prices?{RANGE}",
    f"chance?weekday=6&time=08:00&{RANGE}",
    "availability?date=2026-03-28",
    "changes",
    "changes.csv",
    "poll-runs",
]


@pytest.mark.parametrize("path", ANALYTICS)
def test_anonymous_get_nothing(club, path):
    assert api_client().get(url(club, path)).status_code in (401, 403)


@pytest.mark.parametrize("path", ANALYTICS)
def test_members_read_every_analytics_endpoint(club, member, path):
    assert api_client(member).get(url(club, path)).status_code == 200


@pytest.mark.parametrize("path", ANALYTICS)
def test_an_unknown_club_is_a_404(member, path):
    assert api_client(member).get(f"/api/clubs/999/{path}").status_code == 404


def test_daily_utilization_reports_figures_and_coverage(club, member):
    body = api_client(member).get(url(club, f"utilization/daily?{RANGE}")).json()

    assert body["total"] == {
        "taken": 3,
        "free": 1,
        "not_released": 0,
        "observed": 4,
        "expected": 8,
        "utilization": 0.75,
        "coverage": 0.5,
    }
    assert body["days"][0]["local_date"] == "2026-03-28"


def test_daily_utilization_defaults_to_the_last_four_weeks_in_the_clubs_zone(club, member):
    with time_machine.travel("2026-03-28T23:30:00Z"):  # already Sunday in Madrid
        body = api_client(member).get(url(club, "utilization/daily")).json()

    assert (body["from_date"], body["to_date"]) == ("2026-03-02", "2026-03-29")
    assert len(body["days"]) == 28


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("from_date=2026-13-01", "from_date"),
        ("from_date=yesterday", "from_date"),
        ("from_date=2026-03-10&to_date=2026-03-01", "from_date"),
        ("from_date=2024-01-01&to_date=2026-01-01", "to_date"),
        ("sport=" + "X" * 30, "sport"),
    ],
)
def test_bad_ranges_are_400_with_field_messages(club, member, query, field):
    for path in ("utilization/daily", "utilization/heatmap", "fill-curve", "utilization/daily.csv"):
        response = api_client(member).get(url(club, f"{path}?{query}"))
        assert response.status_code == 400
        assert field in response.json()


def test_current_utilization_splits_the_day(club, member):
    with time_machine.travel(local(club, SAT, "08:45")):
        body = api_client(member).get(url(club, "utilization/current")).json()

    assert body["local_date"] == "2026-03-28"
    assert (body["so_far"]["taken"], body["so_far"]["free"]) == (3, 0)
    assert (body["rest_of_day"]["taken"], body["rest_of_day"]["free"]) == (0, 1)


def test_heatmap_per_court_prices_and_lead_times(club, member):
    api = api_client(member)

    heat = api.get(url(club, f"utilization/heatmap?{RANGE}")).json()
    courts = api.get(url(club, f"utilization/courts?{RANGE}")).json()
    prices = api.get(url(club, f"prices?{RANGE}")).json()
    leads = api.get(url(club, f"lead-times?{RANGE}")).json()

    assert [(c["weekday"], c["hour"], c["taken"], c["free"]) for c in heat["cells"]] == [
        (6, 8, 3, 0),
        (6, 9, 0, 1),
    ]
    assert [(c["name"], c["figures"]["taken"]) for c in courts] == [("Court 1", 2), ("Court 2", 1)]
    assert prices == [
        {"hour": 9, "minimum": "28.00", "average": "28.00", "maximum": "28.00", "samples": 1}
    ]
    eight = next(s for s in leads["sellout"] if s["hour"] == 8)
    assert (eight["slots"], eight["sold_out"]) == (2, 2)
    # 08:00 went when court 2 was booked 2 h ahead; 08:30 (one court seen) 3 days ahead.
    assert eight["median_lead_minutes"] == (120 + 3 * 24 * 60) // 2
    assert leads["cancellations"] == {"bookings": 3, "cancellations": 0, "rate": 0.0}


def test_fill_curve_and_chance(club, member):
    api = api_client(member)

    curve = api.get(url(club, f"fill-curve?{RANGE}&weekday=6&hour=8")).json()
    chance = api.get(url(club, f"chance?weekday=6&time=08:00&{RANGE}")).json()
    bad_time = api.get(url(club, f"chance?weekday=6&time=08:10&{RANGE}"))
    no_weekday = api.get(url(club, f"chance?time=08:00&{RANGE}"))

    by_lead = {p["lead_minutes"]: p for p in curve}
    assert (by_lead[0]["taken"], by_lead[0]["known"]) == (3, 3)
    assert (by_lead[2880]["taken"], by_lead[2880]["known"]) == (1, 3)
    assert by_lead[2880]["lead_label"] == "2d"
    chances = {p["lead_minutes"]: p["chance"] for p in chance}
    assert chances[0] == 0.0 and chances[180] == 1.0
    assert bad_time.status_code == 400 and "time" in bad_time.json()
    assert no_weekday.status_code == 400 and "weekday" in no_weekday.json()


def test_availability_at_a_past_instant(club, member):
    api = api_client(member)
    at = local(club, SAT, "08:00") - 2 * DAYS

    then = api.get(url(club, f"availability?at={at:%Y-%m-%dT%H:%M:%SZ}&date=2026-03-28")).json()
    now = api.get(url(club, "availability?date=2026-03-28")).json()
    future = api.get(url(club, "availability?at=2999-01-01T00:00:00Z"))

    assert then["local_date"] == "2026-03-28"
    assert then["local_times"] == ["08:00", "08:30", "09:00", "09:30"]
    assert [r["cells"] for r in then["rows"]] == [
        ["free", "taken", "unknown", "unknown"],
        ["free", "unknown", "free", "unknown"],
    ]
    assert then["last_poll_at"] is not None
    assert now["rows"][1]["cells"][0] == "taken"
    assert future.status_code == 400 and "at" in future.json()


def test_changes_are_paginated_and_filtered(club, member):
    api = api_client(member)

    everything = api.get(url(club, "changes")).json()
    taken = api.get(url(club, "changes?kind=taken")).json()
    court_two = api.get(url(club, f"changes?court={court(club, 1).pk}&page=1")).json()
    bad_kind = api.get(url(club, "changes?kind=exploded"))
    bad_page = api.get(url(club, "changes?page=99"))

    assert everything["count"] == 6
    assert [c["kind"] for c in taken["results"]] == ["taken", "taken"]
    assert court_two["count"] == 3
    assert bad_kind.status_code == 400 and "kind" in bad_kind.json()
    assert bad_page.status_code == 404


def test_csv_exports(club, member):
    api = api_client(member)

    daily = api.get(url(club, f"utilization/daily.csv?{RANGE}"))
    changes = api.get(url(club, "changes.csv?kind=taken"))

    assert daily["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(daily.content.decode())))
    assert rows == [
        ["local_date", "taken", "free", "not_released", "expected", "utilization", "coverage"],
        ["2026-03-28", "3", "1", "0", "8", "0.75", "0.5"],
    ]
    change_rows = list(csv.reader(io.StringIO(b"".join(changes.streaming_content).decode())))
    assert len(change_rows) == 3
    assert change_rows[1][1:5] == ["Court 2", "2026-03-28", "08:00", "taken"]


def test_poll_runs_filter_by_outcome(club, member):
    api = api_client(member)

    failed = api.get(url(club, "poll-runs?outcome=failed")).json()
    bad = api.get(url(club, "poll-runs?outcome=meh"))

    assert failed["count"] == 1 and failed["results"][0]["error_kind"] == "timeout"
    assert bad.status_code == 400 and "outcome" in bad.json()


def test_compare_clubs_side_by_side(club, member):
    other = make_club("Dos")
    api = api_client(member)

    body = api.get(f"/api/clubs/compare?clubs={club.pk},{other.pk}&{RANGE}").json()
    unknown = api.get(f"/api/clubs/compare?clubs={club.pk},999&{RANGE}")
    garbage = api.get("/api/clubs/compare?clubs=a,b")

    assert [(c["name"], c["total"]["utilization"]) for c in body] == [
        ("Club Uno", 0.75),
        ("Dos", None),
    ]
    assert body[0]["by_hour"] == {"8": 1.0, "9": 0.0}
    assert unknown.status_code == 400 and "999" in str(unknown.json()["clubs"])
    assert garbage.status_code == 400 and "clubs" in garbage.json()


def test_members_cannot_fetch(club, member):
    response = api_client(member).post(url(club, "fetch-availability?days=1"))

    assert response.status_code == 403
    assert PollRun.objects.filter(trigger=PollRun.Trigger.MANUAL).count() == 0


@time_machine.travel(TUESDAY_MORNING, tick=False)
def test_staff_fetch_availability_from_the_sandbox(
    use_sandbox, staff, monkeypatch, django_capture_on_commit_callbacks
):
    sent: list[Any] = []
    monkeypatch.setattr(celery_app, "send_task", lambda name, args, queue: sent.append(args))
    account_create(owner=staff, email=SANDBOX_EMAIL, password=SANDBOX_PASSWORD)
    api = api_client(staff)
    imported = api.post("/api/clubs/", {"slug": "sandbox-padel-madrid"}, format="json").json()

    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"/api/clubs/{imported['id']}/fetch-availability?days=1")
    bad = api.post(f"/api/clubs/{imported['id']}/fetch-availability?days=-1")

    assert response.status_code == 202, response.json()
    assert response.json()["outcome"] == "queued"
    assert bad.status_code == 400 and "days" in bad.json()
    poll_club_now(*sent[0])  # what the poll worker does with the message
    run = api.get(response.json()["url"]).json()
    assert run["outcome"] == "ok", run
    assert len(run["days"]) == 2 and run["cells_seen"] > 0
    grid = api.get(f"/api/clubs/{imported['id']}/availability").json()
    states = {s for row in grid["rows"] for s in row["cells"]}
    assert states & {"free", "taken"}
