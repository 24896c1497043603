"""Rules and attempts point at accounts.PlaytomicAccount (same table: state only), booking
forgets the model, and the beat entries of scheduled releases name the renamed race task."""

import django.db.models.deletion
from django.db import migrations, models

OLD_TASK = "booking.tasks.arm_attempt"
NEW_TASK = "booking.tasks.race_release"


def rename_race_task(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(task=OLD_TASK).update(task=NEW_TASK)


def rename_race_task_back(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(task=NEW_TASK).update(task=OLD_TASK)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("booking", "0003_reconciler_schedule"),
        ("clubs", "0002_account_moves_to_accounts_app"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="bookingattempt",
                    name="account",
                    field=models.ForeignKey(
                        blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="attempts", to="accounts.playtomicaccount"
                    ),
                ),
                migrations.AlterField(
                    model_name="bookingrule", name="accounts", field=models.ManyToManyField(related_name="booking_rules", to="accounts.playtomicaccount")
                ),
                migrations.DeleteModel(name="PlaytomicAccount"),
            ],
            database_operations=[],
        ),
        migrations.RunPython(rename_race_task, rename_race_task_back),
    ]
