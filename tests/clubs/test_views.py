from __future__ import annotations

from typing import Any

import pytest

from availability.models import PollRun
from availability.selectors import local_today
from availability.tasks import poll_club_now
from clubs.models import Club, MonitoringConfig
from playtomic_monitor.celery import app as celery_app
from tests.availability.analytics_history import cell, court, make_club
from tests.availability.dst_week import DAYS, TAKEN
from tests.clubs.conftest import MADRID, tenant_id

pytestmark = pytest.mark.django_db


def test_anonymous_visitors_are_sent_to_log_in(client):
    club = make_club()
    for url in ("/", "/compare/", f"/clubs/{club.pk}/", "/clubs/add/"):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"]


def test_members_see_the_club_page_without_controls(client, member):
    club = make_club()
    cell(club, court(club), local_today(club), "08:00", [(DAYS, TAKEN)])
    client.force_login(member)

    page = client.get(f"/clubs/{club.pk}/")

    assert page.status_code == 200
    assert b"slot-grid" in page.content and b"Fetch now" not in page.content
    assert client.get("/clubs/add/").status_code == 302
    posted = client.post(f"/clubs/{club.pk}/monitoring/", {"frequency_minutes": 15})
    assert posted.status_code == 302 and not MonitoringConfig.objects.exists()


def test_bad_dates_on_the_club_page_fall_back_with_a_message(client, member):
    club = make_club()
    client.force_login(member)

    page = client.get(f"/clubs/{club.pk}/?from=2026-13-01&to=2026-01-01&date=nope&weekday=9")

    assert page.status_code == 200
    assert b"is not a date" in page.content
    assert client.get("/clubs/999/").status_code == 404


def test_staff_configure_monitoring_from_the_page(client, staff):
    club = make_club()
    client.force_login(staff)
    form = {
        "enabled": "on",
        "frequency_minutes": 30,
        "start_time_local": "08:00",
        "end_time_local": "22:00",
        "days_ahead": 5,
        "sports": "padel",
    }

    saved = client.post(f"/clubs/{club.pk}/monitoring/", form, follow=True)
    bad = client.post(
        f"/clubs/{club.pk}/monitoring/", {**form, "end_time_local": "07:00"}, follow=True
    )

    config = MonitoringConfig.objects.get()
    assert b"Monitoring saved" in saved.content
    assert (config.frequency_minutes, config.days_ahead, config.sports) == (30, 5, ["PADEL"])
    assert bad.status_code == 200 and config.end_time_local.hour == 22
    assert b"msg-error" in bad.content


def test_compare_and_home_render_for_members(client, member):
    make_club("One")
    make_club("Two")
    client.force_login(member)

    assert b"club-card" in client.get("/").content
    page = client.get("/compare/?club=1&club=x&from=bad")
    assert page.status_code == 200 and b"compare-table" in page.content


def test_far_off_dates_and_odd_digits_on_the_club_page_fall_back_with_a_message(client, member):
    club = make_club()
    client.force_login(member)

    page = client.get(f"/clubs/{club.pk}/?to=0001-01-01&date=9999-12-31&weekday=%C2%B2")

    assert page.status_code == 200
    text = page.content.decode()
    assert "“0001-01-01” is not a date between 2000-01-01 and 2099-12-31" in text
    assert "“9999-12-31” is not a date between 2000-01-01 and 2099-12-31" in text


def test_staff_search_the_sandbox_by_name_and_import_a_result(client, staff, reader, use_sandbox):
    tenant = tenant_id(use_sandbox, MADRID)
    client.force_login(staff)

    found = client.get("/clubs/add/?q=padel madrid")
    imported = client.post("/clubs/add/", {"tenant_id": tenant}, follow=True)

    assert found.status_code == 200
    assert b"Sandbox Padel Madrid" in found.content
    assert f'name="tenant_id" value="{tenant}"'.encode() in found.content
    club = Club.objects.get(playtomic_id=tenant)
    assert club.courts.exists()
    assert imported.redirect_chain[-1][0] == f"/clubs/{club.pk}/"
    assert f"{club.name} imported with {club.courts.count()} courts".encode() in imported.content
    again = client.get("/clubs/add/?q=padel madrid")
    assert f'href="/clubs/{club.pk}/"'.encode() in again.content  # now Open, not Import


def test_staff_fetch_now_queues_a_manual_poll_run_the_worker_fills(
    client, staff, madrid, monkeypatch, django_capture_on_commit_callbacks
):
    sent: list[Any] = []
    monkeypatch.setattr(celery_app, "send_task", lambda name, args, queue: sent.append(args))
    client.force_login(staff)

    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(f"/clubs/{madrid.pk}/fetch/", follow=True)
    run = PollRun.objects.get(club=madrid)
    poll_club_now(*sent[0])  # what the poll worker does with the message
    done = client.get(f"/clubs/{madrid.pk}/?poll={run.pk}")

    assert run.trigger == PollRun.Trigger.MANUAL and run.outcome == PollRun.Outcome.QUEUED
    assert b"Waiting for a poll worker" in page.content
    run.refresh_from_db()
    assert run.outcome == PollRun.Outcome.OK and run.cells_seen > 0
    assert f"{run.cells_seen} cells seen".encode() in done.content


def test_a_member_cannot_fetch_or_import_and_nothing_is_written(
    client, member, reader, use_sandbox
):
    club = make_club()
    client.force_login(member)
    clubs_before = Club.objects.count()

    fetch = client.post(f"/clubs/{club.pk}/fetch/")
    add = client.post("/clubs/add/", {"tenant_id": tenant_id(use_sandbox, MADRID)})

    assert fetch.status_code == 302 and "login" in fetch["Location"]
    assert add.status_code == 302 and "login" in add["Location"]
    assert not PollRun.objects.exists()
    assert Club.objects.count() == clubs_before


@pytest.mark.parametrize(
    "tenant",
    ["", "   ", "00000000-0000-4000-8000-000000000000", "not-a-uuid", "x" * 5000],
    ids=["empty", "blank", "unknown", "junk", "very-long"],
)
def test_importing_a_bad_tenant_id_explains_instead_of_failing(
    client, staff, reader, use_sandbox, tenant
):
    client.force_login(staff)

    page = client.post("/clubs/add/", {"tenant_id": tenant}, follow=True)

    assert page.status_code == 200
    assert page.redirect_chain[-1][0] == "/clubs/add/"
    assert b"msg-error" in page.content
    assert not Club.objects.exists()


@pytest.mark.parametrize(
    "query",
    ["x", "zzzz-no-such-club", "%00%ff<script>", "a" * 5000, "%F0%9F%8E%BE"],
    ids=["too-short", "unknown", "junk", "very-long", "emoji"],
)
def test_a_junk_search_answers_with_a_message_never_a_server_error(
    client, staff, reader, use_sandbox, query
):
    client.force_login(staff)

    page = client.get(f"/clubs/add/?q={query}")

    assert page.status_code == 200
    assert b"msg-error" in page.content or b"No club on Playtomic matches" in page.content
    assert b"<script>" not in page.content
