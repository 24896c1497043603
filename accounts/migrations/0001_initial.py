"""PlaytomicAccount moves from booking to accounts without moving a row: the model takes over
booking's table in the migration state only, and its content type (permissions, admin log)
follows it."""

import django.db.models.deletion
import playtomic_monitor.crypto
from django.conf import settings
from django.db import migrations, models


def move_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="booking", model="playtomicaccount").update(app_label="accounts")


def move_content_type_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="accounts", model="playtomicaccount").update(app_label="booking")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        # The table was created by booking's first migration.
        ("booking", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="PlaytomicAccount",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("label", models.CharField(blank=True, max_length=100)),
                        ("email", playtomic_monitor.crypto.EncryptedTextField()),
                        ("email_hash", models.CharField(db_index=True, editable=False, max_length=64)),
                        ("password", playtomic_monitor.crypto.EncryptedTextField()),
                        ("access_token", playtomic_monitor.crypto.EncryptedTextField(blank=True, default="")),
                        ("access_token_expires_at", models.DateTimeField(blank=True, null=True)),
                        ("refresh_token", playtomic_monitor.crypto.EncryptedTextField(blank=True, default="")),
                        ("refresh_token_expires_at", models.DateTimeField(blank=True, null=True)),
                        ("playtomic_user_id", models.CharField(blank=True, max_length=40)),
                        (
                            "status",
                            models.CharField(
                                choices=[("new", "Not yet verified"), ("ok", "Working"), ("failed", "Login failing")], default="new", max_length=10
                            ),
                        ),
                        ("last_error", models.TextField(blank=True)),
                        ("last_login_at", models.DateTimeField(blank=True, null=True)),
                        ("tokens_rotated_at", models.DateTimeField(blank=True, null=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "owner",
                            models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="playtomic_accounts", to=settings.AUTH_USER_MODEL),
                        ),
                    ],
                    options={
                        "db_table": "booking_playtomicaccount",
                        "ordering": ["owner", "label", "id"],
                        "constraints": [models.UniqueConstraint(fields=("owner", "email_hash"), name="playtomic_account_unique_per_owner")],
                    },
                )
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_type, move_content_type_back),
    ]
