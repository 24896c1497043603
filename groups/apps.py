from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GroupsConfig(AppConfig):
    """Groups of players: members and their roles, invite links, and the Playtomic accounts
    members lend to a group. Above accounts (a lent account is one), below clubs, availability
    and booking, which scope what they show and book by group."""

    name = "groups"
    # Django's auth app has "Groups" (of permissions) in the admin already.
    verbose_name = _("Player groups")
