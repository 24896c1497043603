"""Every existing rule goes to its owner's personal group (a group of one), made here when the
owner has none yet, exactly as `groups.services.personal_group_for` makes it. Its own
migration: on PostgreSQL, rows written and then altered in one transaction trip over the
pending foreign-key checks."""

from django.db import migrations

NAME_MAX_LENGTH = 100


def rules_to_personal_groups(apps, schema_editor):
    Rule = apps.get_model("booking", "BookingRule")
    Group = apps.get_model("groups", "Group")
    Membership = apps.get_model("groups", "Membership")
    User = apps.get_model("auth", "User")
    owner_ids = Rule.objects.filter(group__isnull=True).values_list("owner_id", flat=True)
    for owner in User.objects.filter(pk__in=set(owner_ids)):
        group = Group.objects.filter(personal_for=owner).first()
        if group is None:
            name = (owner.first_name or owner.username)[:NAME_MAX_LENGTH]
            group = Group.objects.create(name=name, created_by=owner, personal_for=owner)
            Membership.objects.create(group=group, user=owner, role="owner")
        Rule.objects.filter(owner=owner, group__isnull=True).update(group=group)


class Migration(migrations.Migration):
    dependencies = [("booking", "0006_rules_belong_to_groups"), ("groups", "0001_initial")]

    operations = [migrations.RunPython(rules_to_personal_groups, migrations.RunPython.noop)]
