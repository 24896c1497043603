"""The reconciler's beat entry: every minute on the booking queue, visible in the admin."""

import json

from django.db import migrations


def create(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every, _ = IntervalSchedule.objects.get_or_create(every=60, period="seconds")
    PeriodicTask.objects.update_or_create(
        name="booking: reconcile attempts",
        defaults={
            "task": "booking.tasks.reconcile_attempts",
            "interval": every,
            "queue": "booking",
            "kwargs": json.dumps({}),
            "expire_seconds": 55,
            "enabled": True,
        },
    )


def remove(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name="booking: reconcile attempts").delete()


class Migration(migrations.Migration):
    dependencies = [("booking", "0002_bookingattempt_attemptevent_bookingrule_and_more"), ("django_celery_beat", "0019_alter_periodictasks_options")]

    operations = [migrations.RunPython(create, remove)]
