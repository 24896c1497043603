"""The progress of one poll run, for the club page's progress box: the same words in the page
and in the small JSON the box's script (static/js/poll-progress.js) reads every second."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from availability import selectors
from availability.models import PollRun
from availability.views.params import int_param
from clubs.models import Club
from playtomic_monitor.api import MAX_DB_ID

UNFINISHED = (PollRun.Outcome.QUEUED, PollRun.Outcome.RUNNING)
# A run still unfinished after this long lost its worker; the page stops showing it unasked.
ACTIVE_FOR = timedelta(minutes=15)


def poll_watched(*, club: Club, raw_id: str | None) -> PollRun | None:
    """The run the club page shows progress for: the one named by `?poll=` (the page a fetch
    redirects to), else a recent unfinished manual fetch of the club. Not a scheduled poll:
    its end would reload the page under a reader who asked for nothing."""
    runs = selectors.poll_runs(club=club)
    wanted = int_param(raw_id, 1, MAX_DB_ID)
    if wanted is not None:
        return runs.filter(pk=wanted).first()
    return runs.filter(
        trigger=PollRun.Trigger.MANUAL,
        outcome__in=UNFINISHED,
        started_at__gte=timezone.now() - ACTIVE_FOR,
    ).first()


def _summary(run: PollRun) -> str:
    asked, stored = len(run.days), len(run.days_ok)
    figures = {
        "asked": asked,
        "days": ngettext("%(stored)s of %(asked)s day", "%(stored)s of %(asked)s days", asked)
        % {"stored": stored, "asked": asked},
        "seen": _("%(cells)s cells seen, %(changes)s changes")
        % {"cells": run.cells_seen, "changes": run.changes_written},
        "kind": run.error_kind or _("error"),
    }
    match run.outcome:
        case PollRun.Outcome.QUEUED:
            return (
                ngettext(
                    "Waiting for a poll worker to fetch %(asked)s day.",
                    "Waiting for a poll worker to fetch %(asked)s days.",
                    asked,
                )
                % figures
            )
        case PollRun.Outcome.RUNNING:
            return _("Fetching: %(days)s stored, %(seen)s so far.") % figures
        case PollRun.Outcome.OK:
            return _("Done: %(days)s stored, %(seen)s.") % figures
        case PollRun.Outcome.PARTIAL:
            return _("Done with errors: %(days)s stored, %(seen)s.") % figures
        case PollRun.Outcome.SKIPPED:
            return _("Skipped: another poll of this club was still running.")
        case _:
            return _("Failed (%(kind)s): %(days)s stored.") % figures


def poll_progress(run: PollRun) -> dict[str, Any]:
    """What the progress box shows of a run (its template context and its JSON)."""
    asked = len(run.days)
    return {
        "id": run.pk,
        "title": _("Manual fetch") if run.trigger == PollRun.Trigger.MANUAL else _("Poll"),
        "url": reverse("club-poll", args=[run.club_id, run.pk]),
        "outcome": run.outcome,
        "outcome_label": run.get_outcome_display(),
        "days": run.days,
        "days_ok": run.days_ok,
        # "3/14 days", as the page writes it: the script shows this in the active language.
        "count": _("%(done)s/%(asked)s days") % {"done": len(run.days_ok), "asked": asked},
        "percent": round(100 * len(run.days_ok) / asked) if asked else 0,
        "cells_seen": run.cells_seen,
        "changes_written": run.changes_written,
        "error_kind": run.error_kind,
        "error_message": run.error_message,
        "finished": run.outcome not in UNFINISHED,
        "summary": _summary(run),
    }


@login_required
@require_GET
@never_cache
def poll_detail(request: HttpRequest, club_id: int, run_id: int) -> JsonResponse:
    """Any signed-in member reads the progress of a club's runs; only staff start them."""
    run = get_object_or_404(PollRun, pk=run_id, club_id=club_id)
    return JsonResponse(poll_progress(run))
