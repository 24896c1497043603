"""A rule's group is required, and a rule's name is unique within its group (it was unique per
owner; every owner's rules are in their personal group now, so no two rows clash)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("booking", "0007_rules_to_personal_groups"), ("groups", "0001_initial")]

    operations = [
        migrations.AlterField(
            model_name="bookingrule",
            name="group",
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="booking_rules", to="groups.group", verbose_name="group"),
        ),
        migrations.RemoveConstraint(model_name="bookingrule", name="booking_rule_unique_name"),
        migrations.AddConstraint(model_name="bookingrule", constraint=models.UniqueConstraint(fields=("group", "name"), name="booking_rule_unique_name")),
    ]
