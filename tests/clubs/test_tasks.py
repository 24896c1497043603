"""The nightly club metadata refresh and its beat entry."""

from __future__ import annotations

from typing import Any

from celery.schedules import crontab

from clubs.models import Club
from clubs.services import club_import
from clubs.tasks import refresh_all_clubs_metadata
from playtomic_monitor.celery import app
from tests.clubs.conftest import LONDON


def test_the_refresh_updates_a_club_whose_tenant_changed(madrid: Club, use_sandbox: Any):
    upstream = use_sandbox.world.club(madrid.playtomic_id)
    upstream.name = "Sandbox Padel Madrid Centro"
    upstream.booking_ahead_limit += 1440

    assert refresh_all_clubs_metadata() == 1

    madrid.refresh_from_db()
    assert madrid.name == "Sandbox Padel Madrid Centro"
    assert madrid.booking_ahead_limit_minutes == upstream.booking_ahead_limit


def test_the_refresh_keeps_going_past_a_failing_club(madrid: Club, use_sandbox: Any):
    london = club_import(slug=LONDON)
    # Madrid is refreshed first (by id) and Playtomic no longer knows its tenant.
    Club.objects.filter(pk=madrid.pk).update(playtomic_id="00000000-0000-4000-8000-000000000000")
    use_sandbox.world.club(london.playtomic_id).name = "Sandbox Racquets London Bridge"

    assert refresh_all_clubs_metadata() == 1

    london.refresh_from_db()
    assert london.name == "Sandbox Racquets London Bridge"
    madrid.refresh_from_db()
    assert madrid.name == "Sandbox Padel Madrid"


def test_beat_runs_the_metadata_refresh_daily_on_the_poll_queue():
    entry = app.conf.beat_schedule["clubs-refresh-metadata"]
    assert entry["task"] == "clubs.tasks.refresh_all_clubs_metadata"
    assert entry["task"] in app.tasks
    assert isinstance(entry["schedule"], crontab)
    assert len(entry["schedule"].hour) == 1
    assert len(entry["schedule"].minute) == 1
    assert entry["options"]["queue"] == "poll"
