"""The re-layering keeps every table and row: a database filled at the old schema (Playtomic
accounts in `booking`, events with `processed_at`) is migrated forward and read through the new
models."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

OLD = [
    ("booking", "0003_reconciler_schedule"),
    ("clubs", "0001_initial"),
    ("availability", "0003_start_summary"),
]


def _migrate(targets: list[tuple[str, str]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return MigrationExecutor(connection)


def _latest() -> list[tuple[str, str]]:
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_a_database_at_the_old_schema_keeps_its_accounts_rules_and_beat_entries():
    latest = _latest()
    try:
        old = _migrate(OLD).loader.project_state(OLD).apps
        User = old.get_model("auth", "User")
        OldAccount = old.get_model("booking", "PlaytomicAccount")
        Club = old.get_model("clubs", "Club")
        Config = old.get_model("clubs", "MonitoringConfig")
        Rule = old.get_model("booking", "BookingRule")
        Attempt = old.get_model("booking", "BookingAttempt")
        PeriodicTask = old.get_model("django_celery_beat", "PeriodicTask")
        Event = old.get_model("availability", "AvailabilityEvent")

        owner = User.objects.create(username="ana")
        account = OldAccount.objects.create(
            owner=owner, label="Mine", email="ana@example.org", email_hash="h", password="pw-1"
        )
        club = Club.objects.create(playtomic_id="c-1", name="Norte", timezone="Europe/Madrid")
        Config.objects.create(club=club, account=account)
        rule = Rule.objects.create(
            owner=owner,
            club=club,
            name="Evenings",
            earliest_start=time(18),
            latest_start=time(20),
        )
        rule.accounts.add(account)
        Attempt.objects.create(
            rule=rule,
            account=account,
            target_date=date(2026, 12, 8),
            release_at=datetime(2026, 12, 1, 7, tzinfo=UTC),
            deadline_at=datetime(2026, 12, 1, 7, 0, 8, tzinfo=UTC),
        )
        PeriodicTask.objects.create(name="booking: rule 1", task="booking.tasks.arm_attempt")
        Event.objects.create(
            club=club,
            kind="slot_freed",
            local_date=date(2026, 12, 8),
            start=datetime(2026, 12, 8, 17, tzinfo=UTC),
            end=datetime(2026, 12, 8, 18, tzinfo=UTC),
            processed_at=None,
        )

        _migrate(latest)

        from django.contrib.contenttypes.models import ContentType
        from django_celery_beat.models import PeriodicTask as Task

        from accounts.models import PlaytomicAccount
        from availability.models import AvailabilityEvent
        from booking.models import BookingAttempt, BookingRule
        from clubs.models import MonitoringConfig

        moved = PlaytomicAccount.objects.get(pk=account.pk)
        assert (moved.label, moved.email, moved.password) == ("Mine", "ana@example.org", "pw-1")
        assert list(BookingRule.objects.get(pk=rule.pk).accounts.all()) == [moved]
        assert BookingAttempt.objects.get(rule_id=rule.pk).account == moved
        assert MonitoringConfig.objects.get(club_id=club.pk).account == moved
        assert Task.objects.get(name="booking: rule 1").task == "booking.tasks.race_release"
        assert AvailabilityEvent.objects.get().replay is False
        assert ContentType.objects.filter(app_label="accounts", model="playtomicaccount").exists()
        assert not ContentType.objects.filter(
            app_label="booking", model="playtomicaccount"
        ).exists()
    finally:
        _migrate(latest)
