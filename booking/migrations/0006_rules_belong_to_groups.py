"""Rules belong to a group (phase 2 of issue 10): the `group` column (filled by 0007, required
from 0008), the players a rule names, split payment, what an attempt registered, and the
members' calendar links."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("booking", "0005_rule_fallbacks"), ("groups", "0001_initial"), migrations.swappable_dependency(settings.AUTH_USER_MODEL)]

    operations = [
        migrations.CreateModel(
            name="CalendarFeed",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("prefix", models.CharField(max_length=12)),
                ("digest", models.CharField(editable=False, max_length=64, unique=True)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("user", models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name="calendar_feed", to=settings.AUTH_USER_MODEL)),
            ],
            options={"verbose_name": "calendar feed"},
        ),
        migrations.CreateModel(
            name="RulePlayer",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("position", models.PositiveSmallIntegerField()),
                ("rule", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="player_links", to="booking.bookingrule")),
                ("user", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to=settings.AUTH_USER_MODEL)),
            ],
            options={"ordering": ["rule", "position", "id"], "constraints": [models.UniqueConstraint(fields=("rule", "user"), name="rule_player_once")]},
        ),
        migrations.AlterModelOptions(name="bookingrule", options={"ordering": ["name", "id"]}),
        migrations.AddField(model_name="bookingattempt", name="players", field=models.JSONField(blank=True, default=list)),
        migrations.AddField(model_name="bookingattempt", name="split_parts", field=models.PositiveSmallIntegerField(blank=True, null=True)),
        migrations.AddField(
            model_name="bookingrule",
            name="group",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.CASCADE, related_name="booking_rules", to="groups.group", verbose_name="group"
            ),
        ),
        migrations.AddField(model_name="bookingrule", name="split_payment", field=models.BooleanField(default=True)),
        migrations.AlterField(
            model_name="bookingrule",
            name="owner",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="booking_rules", to=settings.AUTH_USER_MODEL, verbose_name="created by"
            ),
        ),
        migrations.AddField(
            model_name="bookingrule",
            name="players",
            field=models.ManyToManyField(blank=True, related_name="+", through="booking.RulePlayer", to=settings.AUTH_USER_MODEL),
        ),
    ]
