"""The reading account is now accounts.PlaytomicAccount: same table, so state only."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial"), ("clubs", "0001_initial")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="monitoringconfig",
                    name="account",
                    field=models.ForeignKey(
                        blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="monitoring_configs", to="accounts.playtomicaccount"
                    ),
                )
            ],
            database_operations=[],
        )
    ]
