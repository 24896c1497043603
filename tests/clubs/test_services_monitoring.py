from __future__ import annotations

import json
from datetime import time
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django_celery_beat.models import PeriodicTask

from accounts.services import account_create
from clubs.models import Club, MonitoringConfig
from clubs.selectors import schedule_offset_minutes
from clubs.services import (
    MonitoringSettings,
    club_delete,
    monitoring_configure,
    monitoring_delete,
)

pytestmark = pytest.mark.django_db


def test_it_creates_a_config_with_a_crontab_in_the_club_zone(madrid: Club, staff: Any):
    config = monitoring_configure(club=madrid, user=staff)

    assert config.sports == ["PADEL"]
    assert config.created_by == staff
    task = PeriodicTask.objects.get(pk=config.periodic_task_id)
    assert task.task == "availability.tasks.poll_club_scheduled"
    assert json.loads(task.args) == [madrid.pk]
    assert task.queue == "poll"
    assert task.enabled is True
    assert task.crontab is not None
    assert str(task.crontab.timezone) == "Europe/Madrid"
    # Every 15 minutes from 08:00 plus the club's own offset, so clubs do not all poll at :00.
    offset = schedule_offset_minutes(config=config)
    assert 0 <= offset < 15
    minutes = ",".join(str(m) for m in range(offset, 60, 15))
    assert (task.crontab.minute, task.crontab.hour) == (minutes, "8-23")


def test_it_updates_the_same_task_when_the_config_changes(madrid: Club):
    first = monitoring_configure(club=madrid)
    second = monitoring_configure(
        club=madrid,
        monitoring=MonitoringSettings(
            frequency_minutes=30, start_time_local=time(9, 30), end_time_local=time(21)
        ),
    )
    assert second.pk == first.pk
    assert second.periodic_task_id == first.periodic_task_id
    task = PeriodicTask.objects.get(pk=second.periodic_task_id)
    assert task.crontab is not None
    first = 9 * 60 + 30 + schedule_offset_minutes(config=second)
    minutes = ",".join(str(m) for m in range(first % 30, 60, 30))
    assert (task.crontab.minute, task.crontab.hour) == (minutes, f"{first // 60}-21")
    assert PeriodicTask.objects.filter(task="availability.tasks.poll_club_scheduled").count() == 1


def test_it_spreads_clubs_over_the_interval_with_a_stable_offset_each():
    configs = [
        MonitoringConfig(
            club_id=club_id,
            frequency_minutes=15,
            start_time_local=time(8),
            end_time_local=time(23),
        )
        for club_id in range(1, 201)
    ]
    offsets = [schedule_offset_minutes(config=c) for c in configs]

    assert offsets == [schedule_offset_minutes(config=c) for c in configs]  # stable
    assert set(offsets) == set(range(15))  # every minute of the quarter hour used
    assert max(offsets.count(m) for m in range(15)) < 2 * 200 / 15  # none piles up
    # Never past a window shorter than the frequency.
    short = MonitoringConfig(
        club_id=7, frequency_minutes=1440, start_time_local=time(8), end_time_local=time(9)
    )
    assert 0 <= schedule_offset_minutes(config=short) <= 60


def test_it_disables_the_task_with_the_config(madrid: Club):
    config = monitoring_configure(club=madrid, monitoring=MonitoringSettings(enabled=False))
    assert PeriodicTask.objects.get(pk=config.periodic_task_id).enabled is False


def test_it_deletes_the_task_with_the_config(madrid: Club):
    config = monitoring_configure(club=madrid)
    monitoring_delete(club=madrid)
    assert not MonitoringConfig.objects.exists()
    assert not PeriodicTask.objects.filter(pk=config.periodic_task_id).exists()


def test_it_deletes_the_task_with_the_club(madrid: Club):
    config = monitoring_configure(club=madrid)
    club_delete(club=madrid)
    assert not Club.objects.exists()
    assert not PeriodicTask.objects.filter(pk=config.periodic_task_id).exists()


def test_it_follows_a_zone_change_on_reimport(madrid: Club):
    from clubs.services import club_store_tenant
    from playtomic.types import parse_tenant

    config = monitoring_configure(club=madrid)
    Club.objects.filter(pk=madrid.pk).update(timezone="UTC")
    raw = {"tenant_id": madrid.playtomic_id, "tenant_name": madrid.name}
    raw["address"] = {"timezone": "Atlantic/Canary"}
    club_store_tenant(tenant=parse_tenant(raw))
    task = PeriodicTask.objects.get(pk=config.periodic_task_id)
    assert task.crontab is not None
    assert task.crontab.timezone == ZoneInfo("Atlantic/Canary")


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"frequency_minutes": 2}, "frequency_minutes", "Poll at most every 5 minutes"),
        ({"frequency_minutes": 2000}, "frequency_minutes", "at least once a day"),
        ({"start_time_local": time(23), "end_time_local": time(8)}, "end_time_local", "must end"),
        ({"start_time_local": time(8), "end_time_local": time(8)}, "end_time_local", "must end"),
        ({"days_ahead": 15}, "days_ahead", "14 days ahead at most"),
        ({"days_ahead": -1}, "days_ahead", "cannot be negative"),
        ({"sports": ["TENNIS"]}, "sports", "does not offer TENNIS; it offers PADEL"),
        ({"sports": []}, "sports", "at least one sport"),
    ],
)
def test_it_rejects_a_bad_config_with_a_clear_message(
    madrid: Club, kwargs: Any, field: str, message: str
):
    with pytest.raises(ValidationError) as info:
        monitoring_configure(club=madrid, monitoring=MonitoringSettings(**kwargs))
    assert message in " ".join(info.value.message_dict[field])
    assert not MonitoringConfig.objects.exists()
    assert not PeriodicTask.objects.filter(task="availability.tasks.poll_club_scheduled").exists()


def test_it_refuses_someone_elses_account_for_a_member(madrid: Club, reader: Any, member: Any):
    with pytest.raises(ValidationError) as info:
        monitoring_configure(
            club=madrid, monitoring=MonitoringSettings(account=reader), user=member
        )
    assert info.value.message_dict == {
        "account": ["You can only monitor with your own Playtomic account or a staff member's."]
    }


def test_it_refuses_a_members_account_even_for_staff(madrid: Club, member: Any, staff: Any):
    theirs = account_create(owner=member, email="m@example.org", password="pw-123456")
    with pytest.raises(ValidationError) as info:
        monitoring_configure(club=madrid, monitoring=MonitoringSettings(account=theirs), user=staff)
    assert "staff member's" in info.value.message_dict["account"][0]
