"""Rules that can fall back: other clubs in order of preference and a second window. Existing
rules keep their `club` as the first (and only) preference and no fallback window."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("booking", "0004_account_moves_to_accounts_app"), ("clubs", "0002_account_moves_to_accounts_app")]

    operations = [
        migrations.AddField(model_name="bookingrule", name="fallback_earliest_start", field=models.TimeField(blank=True, null=True)),
        migrations.AddField(model_name="bookingrule", name="fallback_latest_start", field=models.TimeField(blank=True, null=True)),
        migrations.CreateModel(
            name="RuleFallbackClub",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("position", models.PositiveSmallIntegerField()),
                ("club", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="fallback_rule_links", to="clubs.club")),
                ("rule", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="fallback_links", to="booking.bookingrule")),
            ],
            options={"ordering": ["rule", "position"]},
        ),
        migrations.AddField(
            model_name="bookingrule",
            name="fallback_clubs",
            field=models.ManyToManyField(blank=True, related_name="+", through="booking.RuleFallbackClub", to="clubs.club"),
        ),
        migrations.AddConstraint(model_name="rulefallbackclub", constraint=models.UniqueConstraint(fields=("rule", "club"), name="rule_fallback_club_once")),
        migrations.AddConstraint(model_name="rulefallbackclub", constraint=models.UniqueConstraint(fields=("rule", "position"), name="rule_fallback_position")),
    ]
