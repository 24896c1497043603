"""Dashboards shared by all clubs: the home page and the comparison."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from availability import charts, selectors
from availability.views.params import date_range, sport_param
from clubs.models import Club
from playtomic_monitor.localtime import short_date


@login_required
def home(request: HttpRequest) -> HttpResponse:
    statuses = selectors.club_statuses()
    cards = [
        {
            "status": s,
            "trend": charts.sparkline(
                [d.figures.utilization for d in s.trend],
                title=_("%(club)s: last 14 days") % {"club": s.club.name},
            ),
            "so_far_pct": round((s.today.so_far.utilization or 0) * 100),
            "whole_day_pct": round((s.today.whole_day.utilization or 0) * 100),
            "color": charts.share_color(s.today.whole_day.utilization),
        }
        for s in statuses
    ]
    return render(request, "availability/home.html", {"cards": cards})


def _hour_cell(
    summary: selectors.ClubSummary, hour: int
) -> tuple[int, float | None, str, float | None]:
    """(hour, utilization, colour, coverage) of one club's hour in the comparison table."""
    figures = summary.by_hour.get(hour)
    share = figures.utilization if figures else None
    return hour, share, charts.share_color(share), figures.coverage if figures else None


@login_required
def compare(request: HttpRequest) -> HttpResponse:
    all_clubs = list(Club.objects.order_by("name"))
    # isdecimal, not isdigit: "²" is a digit that int() refuses.
    wanted = {int(v) for v in request.GET.getlist("club") if v.isdecimal()}
    chosen = [c for c in all_clubs if c.pk in wanted] or all_clubs[:4]
    today = timezone.now().date()
    date_from, date_to, errors = date_range(request, today)
    sport = sport_param(request, errors)
    summary = selectors.club_comparison(
        clubs=chosen, date_from=date_from, date_to=date_to, sport_id=sport
    )
    hours = sorted({h for s in summary for h in s.by_hour})
    rows: list[dict[str, Any]] = []
    for s in summary:
        rows.append(
            {
                "summary": s,
                "pct": round((s.total.utilization or 0) * 100),
                "color": charts.share_color(s.total.utilization),
                "hours": [_hour_cell(s, h) for h in hours],
            }
        )
    days = [d.local_date for d in summary[0].daily] if summary else []
    daily_chart = charts.line_chart(
        [charts.Series(s.club.name, _weekly([d.figures for d in s.daily])) for s in summary],
        [short_date(d) for d in days[::7]],
        title=_("Weekly utilization per club"),
    )
    context = {
        "all_clubs": all_clubs,
        "chosen_ids": {c.pk for c in chosen},
        "rows": rows,
        "hours": hours,
        "daily_chart": daily_chart,
        "date_from": date_from,
        "date_to": date_to,
        "sport": sport or "",
        "errors": errors,
    }
    return render(request, "availability/compare.html", context)


def _weekly(days: list[selectors.Utilization]) -> list[float | None]:
    """Seven-day buckets, so clubs with different busy weekdays compare on a level line."""
    result = []
    for i in range(0, len(days), 7):
        week = days[i : i + 7]
        taken = sum(d.taken for d in week)
        observed = sum(d.observed for d in week)
        result.append(round(taken / observed, 4) if observed else None)
    return result
