"""Read paths of Playtomic accounts. Every lookup a member makes goes through
`accounts_for`, so another member's account is a 404."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet

from accounts.models import PlaytomicAccount


def accounts_for(user: AbstractBaseUser | AnonymousUser) -> QuerySet[PlaytomicAccount]:
    return PlaytomicAccount.objects.filter(owner_id=user.pk)
