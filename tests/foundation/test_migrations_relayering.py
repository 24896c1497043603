"""The re-layering keeps every table and row: a database filled at the old schema (Playtomic
accounts in `booking`, events with `processed_at`) is migrated forward and read through the new
models."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from tests.support.migrations import leaf_migrations, migrate, models_at

OLD = [
    ("booking", "0003_reconciler_schedule"),
    ("clubs", "0001_initial"),
    ("availability", "0003_start_summary"),
]


@pytest.mark.django_db(transaction=True)
def test_a_database_at_the_old_schema_keeps_its_accounts_rules_and_beat_entries():
    latest = leaf_migrations()
    try:
        User, OldAccount, Club, Config, Rule, Attempt, PeriodicTask, Event = models_at(
            OLD,
            "auth.User",
            "booking.PlaytomicAccount",
            "clubs.Club",
            "clubs.MonitoringConfig",
            "booking.BookingRule",
            "booking.BookingAttempt",
            "django_celery_beat.PeriodicTask",
            "availability.AvailabilityEvent",
        )

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

        migrate(latest)

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
        migrate(latest)
