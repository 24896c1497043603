from __future__ import annotations

import pytest

from availability.selectors import local_today
from clubs.models import MonitoringConfig
from tests.availability.analytics_history import DAYS, TAKEN, cell, court, make_club

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
