# Squashed from 0004_event_deliveries .. 0009_weekday_hour_total (2026-12-01/02): the events
# outbox, queued poll runs and their leases, the per-court day summaries, the summaries' new
# figures and the weekday x hour running totals. The schema changes come first and the data
# steps last: on PostgreSQL an ALTER TABLE after rows were written in the same transaction
# fails with "pending trigger events".

from datetime import timedelta

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import F

# The lead times (minutes) of WeekdayHourTotal's running totals, frozen as of 0009.
TOTAL_LEADS = (0, 60, 180, 360, 720, 1440, 2880, 4320, 7200, 10080, 14400, 20160)


def lease_open_runs_and_forget_summaries(apps, schema_editor):
    """Runs left queued or running before leases existed get the old poll lock's 10 minutes
    from their start, so the settle sweep ends them too; a queued run's message was sent once.
    Summaries are derived: drop the ones built without the new figures, so the periodic
    summarizing task builds them again (selectors read the raw rows meanwhile)."""
    PollRun = apps.get_model("availability", "PollRun")
    PollRun.objects.filter(outcome__in=["queued", "running"]).update(lease_expires_at=F("started_at") + timedelta(minutes=10))
    PollRun.objects.filter(outcome="queued").update(dispatches=1)
    for name in ("SummaryMark", "StartSummary", "CourtDaySummary"):
        apps.get_model("availability", name).objects.all().delete()


def _count():
    return models.PositiveIntegerField(default=0)


class Migration(migrations.Migration):
    replaces = [
        ("availability", "0004_event_deliveries"),
        ("availability", "0005_pollrun_queued"),
        ("availability", "0006_pollrun_lease"),
        ("availability", "0007_court_day_summary"),
        ("availability", "0008_startsummary_last_change_lead"),
        ("availability", "0009_weekday_hour_total"),
    ]

    dependencies = [("availability", "0003_start_summary"), ("clubs", "0002_account_moves_to_accounts_app")]

    operations = [
        # 0004: the events outbox.
        migrations.CreateModel(
            name="EventDelivery",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("consumer", models.CharField(max_length=40)),
                ("state", models.CharField(choices=[("pending", "Pending"), ("claimed", "Claimed"), ("done", "Done")], default="pending", max_length=10)),
                ("relayed_at", models.DateTimeField(blank=True, null=True)),
                ("relays", models.PositiveIntegerField(default=0)),
                ("claim_token", models.CharField(blank=True, max_length=32)),
                ("claimed_at", models.DateTimeField(blank=True, null=True)),
                ("done_at", models.DateTimeField(blank=True, null=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("event", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="deliveries", to="availability.availabilityevent")),
            ],
            options={
                "ordering": ["created_at", "id"],
                "indexes": [models.Index(condition=models.Q(("state", "done"), _negated=True), fields=["state", "created_at"], name="eventdelivery_open")],
                "constraints": [models.UniqueConstraint(fields=("event", "consumer"), name="eventdelivery_once")],
            },
        ),
        migrations.RemoveIndex(model_name="availabilityevent", name="availevent_unprocessed"),
        migrations.RemoveField(model_name="availabilityevent", name="processed_at"),
        migrations.AddField(model_name="availabilityevent", name="replay", field=models.BooleanField(default=False)),
        # 0005, 0006: queued poll runs and their leases.
        migrations.AlterField(
            model_name="pollrun",
            name="outcome",
            field=models.CharField(
                choices=[("queued", "Queued"), ("running", "Running"), ("ok", "OK"), ("partial", "Partial"), ("failed", "Failed"), ("skipped", "Skipped")],
                default="running",
                max_length=10,
            ),
        ),
        migrations.AddField(model_name="pollrun", name="dispatches", field=models.PositiveSmallIntegerField(default=0)),
        migrations.AddField(model_name="pollrun", name="lease_expires_at", field=models.DateTimeField(blank=True, null=True)),
        migrations.AddField(model_name="pollrun", name="owner", field=models.CharField(blank=True, max_length=100)),
        migrations.AddIndex(
            model_name="pollrun",
            index=models.Index(condition=models.Q(("outcome__in", ["queued", "running"])), fields=["lease_expires_at"], name="pollrun_open_lease"),
        ),
        # 0007, 0008: the summaries' new figures and the per-court day summaries.
        migrations.AddField(model_name="startsummary", name="bookings", field=_count()),
        migrations.AddField(model_name="startsummary", name="cancellations", field=_count()),
        migrations.AddField(model_name="startsummary", name="last_change_lead", field=models.IntegerField(blank=True, null=True)),
        migrations.CreateModel(
            name="CourtDaySummary",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("local_date", models.DateField()),
                ("taken", _count()),
                ("free", _count()),
                ("not_released", _count()),
                ("club", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="court_day_summaries", to="clubs.club")),
                ("court", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="day_summaries", to="clubs.court")),
            ],
            options={
                "indexes": [models.Index(fields=["club", "local_date"], name="courtdaysummary_club_day")],
                "constraints": [models.UniqueConstraint(fields=("court", "local_date"), name="courtdaysummary_unique")],
            },
        ),
        # 0009: the weekday x hour running totals.
        migrations.CreateModel(
            name="WeekdayHourTotal",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("sport_id", models.CharField(blank=True, max_length=40)),
                ("local_date", models.DateField()),
                ("hour", models.PositiveSmallIntegerField()),
                ("taken", _count()),
                ("free", _count()),
                ("changes", _count()),
                *[(f"{kind}_{lead}", _count()) for lead in TOTAL_LEADS for kind in ("taken", "known")],
                ("club", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="weekday_hour_totals", to="clubs.club")),
            ],
            options={"constraints": [models.UniqueConstraint(fields=("club", "local_date", "sport_id", "hour"), name="weekdayhourtotal_unique")]},
        ),
        migrations.RunPython(lease_open_runs_and_forget_summaries, migrations.RunPython.noop),
    ]
