"""Celery tasks of the clubs app."""

from __future__ import annotations

import logging

from celery import shared_task
from django.core.exceptions import ValidationError

from clubs.models import Club
from clubs.services import PlaytomicUnavailable, club_refresh_metadata

logger = logging.getLogger(__name__)


@shared_task(name="clubs.tasks.refresh_all_clubs_metadata", ignore_result=True)
def refresh_all_clubs_metadata() -> int:
    """The daily refresh: re-read every club from Playtomic. One club failing does not stop
    the others; returns how many were refreshed."""
    refreshed = 0
    for club in Club.objects.order_by("id").iterator():
        try:
            club_refresh_metadata(club=club)
        except ValidationError as exc:
            logger.warning(
                "Metadata refresh of club %s failed: %s", club.pk, "; ".join(exc.messages)
            )
            continue
        except PlaytomicUnavailable as exc:
            logger.warning("Metadata refresh of club %s failed: %s", club.pk, exc.message)
            continue
        refreshed += 1
    return refreshed
