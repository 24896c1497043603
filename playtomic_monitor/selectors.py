"""Reads of the project-wide models."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet

from playtomic_monitor.models import ApiToken


def api_tokens_for(user: AbstractBaseUser | AnonymousUser) -> QuerySet[ApiToken]:
    """The member's own API tokens, newest first, revoked ones included (they say so)."""
    if not user.is_authenticated:
        return ApiToken.objects.none()
    return ApiToken.objects.filter(user_id=user.pk)
