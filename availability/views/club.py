"""The club page: the live court grid and every figure of one club, and for staff the
monitoring form and "Fetch now". Members see the same page without the controls. A fetch is
queued for the poll workers; the page shows its progress (views/poll_progress.py)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from html import escape
from typing import Any

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.dates import WEEKDAYS, WEEKDAYS_ABBR
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from availability import charts, selectors
from availability.models import LEADS, PollRun
from availability.services.polling import poll_request
from availability.views.params import (
    date_param,
    date_range,
    int_param,
    sport_param,
    time_param,
)
from availability.views.poll_progress import poll_progress, poll_watched
from clubs.models import Club, MonitoringConfig
from clubs.monitoring_draft import monitoring_form_for_page
from clubs.selectors import club_sports
from playtomic_monitor.localtime import local_date, short_date

# ISO weekday - 1 -> its name in the active language ("Monday", "lunes"), from Django's catalog.
WEEKDAY_NAMES = tuple(WEEKDAYS[day] for day in range(7))
WEEKDAY_LABELS = tuple(WEEKDAYS_ABBR[day] for day in range(7))
# Fill-curve lines worth comparing at a glance.
FILL_SERIES: tuple[tuple[Any, tuple[int, ...] | None, tuple[int, ...] | None], ...] = (
    (gettext_lazy("All cells"), None, None),
    # The dash is written as itself: gettext's extraction does not read "\u2013".
    (gettext_lazy("Weekday evenings 18–22h"), (1, 2, 3, 4, 5), (18, 19, 20, 21)),  # noqa: RUF001
    (gettext_lazy("Weekend mornings 8–13h"), (6, 7), (8, 9, 10, 11, 12)),  # noqa: RUF001
)


# A grid cell's state as its tooltip and the legend name it.
CELL_STATE_LABELS = {
    "free": gettext_lazy("free"),
    "taken": gettext_lazy("taken"),
    "not_released": gettext_lazy("not released"),
    "closed": gettext_lazy("closed"),
    "unknown": gettext_lazy("not observed"),
}

# Where the court grid opens once the day's slots have all started (or on a past day).
EVENING = "18:00"


def _grid_focus(grid: selectors.Grid, local_now: datetime) -> int | None:
    """The column the court grid opens at (scrolled to on a phone): the current club-local
    hour, or the evening on a past day, once today's last slot has started, or when the grid
    ends before the current hour."""
    if not grid.local_times:
        return None
    hour = f"{local_now.hour:02d}:00"
    today = local_now.date()
    if grid.local_date < today or (grid.local_date == today and local_now >= grid.starts[-1]):
        hour = EVENING
    for wanted in (hour, EVENING):
        for index, label in enumerate(grid.local_times):
            if label >= wanted:
                return index
    return len(grid.local_times) - 1


def _day_url(request: HttpRequest, day: date) -> str:
    """This page for another day, with the other filters kept, at the court grid."""
    query = request.GET.copy()
    query["date"] = day.isoformat()
    query.pop("poll", None)
    return f"?{query.urlencode()}#grid"


def _lead_axis(minutes: int) -> str:
    """A lead time on a chart's axis: "start", "2h", "3d"."""
    return _("start") if minutes == 0 else selectors.lead_label(minutes)


def _lead_text(minutes: int | None) -> str:
    if minutes is None:
        return ""
    if minutes >= 1440:
        return f"{minutes / 1440:.1f}d".replace(".0d", "d")
    return f"{minutes // 60}h" if minutes >= 60 else f"{minutes}m"


def _cells_html(template: str, rows: Iterable[tuple[object, ...]]) -> SafeString:
    """`template` once per row, every value escaped: what `format_html_join` writes, without
    its per-value checks for lazy and safe strings (values here are plain text and numbers),
    which cost milliseconds on a page of hundreds of cells."""
    return mark_safe(  # noqa: S308 - every value is escaped just above
        "".join(template.format(*[escape(str(value)) for value in row]) for row in rows)
    )


def _heat_rows(heat: selectors.Heatmap, hours: list[int]) -> list[dict[str, Any]]:
    # Each text translated once, not once a cell (a hundred cells).
    names = [str(name) for name in WEEKDAY_NAMES]
    taken_text = _("%(share)s of %(observed)s cells taken")
    no_data = _("no data")
    coverage_text = _("(%(coverage)s of %(expected)s open cells observed)")
    by_key = {(c.weekday, c.hour): c for c in heat.cells}
    rows = []
    for weekday in range(1, 8):
        cells = []
        html: list[tuple[str, str, str]] = []  # the row's cells as the template wrote them
        for hour in hours:
            c = by_key.get((weekday, hour))
            share = c.utilization if c else None
            tip = f"{names[weekday - 1]} {hour:02d}:00 \u2013 " + (
                taken_text % {"share": charts.percent(share), "observed": c.observed}
                if c
                else no_data
            )
            if c and c.coverage is not None:
                tip += " " + coverage_text % {
                    "coverage": charts.percent(c.coverage),
                    "expected": c.expected,
                }
            color = charts.share_color(share)
            cells.append({"share": share, "color": color, "tip": tip})
            html.append((color, tip, "" if share is None else str(round(share * 100))))
        rows.append(
            {
                "label": WEEKDAY_LABELS[weekday - 1],
                "cells": cells,
                "cells_html": _cells_html('<td style="background: {}" title="{}">{}</td>', html),
            }
        )
    return rows


def _grid_cells_html(club: Club, row: selectors.GridRow, local_times: list[str]) -> SafeString:
    """One court's row of cells, as the template would write them (built here: a week's grid
    is hundreds of cells and the template engine took a fifth of the page's time on them)."""

    prices: dict[Any, str] = {}  # a few distinct prices, each localized once
    states = {state: str(label) for state, label in CELL_STATE_LABELS.items()}

    def title(state: str, price: Any, local_time: str) -> str:
        text = f"{row.court.name} {local_time}: {states.get(state, state)}"
        if price and state == "free":
            if price not in prices:
                prices[price] = formats.localize(price)
            text += f" · {prices[price]} {club.currency}/h"
        return text

    return _cells_html(
        '<td class="slot {}" title="{}"></td>',
        (
            (state, title(state, price, local_time))
            for state, price, local_time in zip(row.cells, row.prices, local_times, strict=True)
        ),
    )


def _sellout_rows(cells: list[selectors.SelloutCell], hours: list[int]) -> list[dict[str, Any]]:
    names = [str(name) for name in WEEKDAY_NAMES]
    sold_out_text = _("sold out %(lead)s ahead (median), %(sold_out)s of %(slots)s times")
    rarely = _("rarely sells out")
    by_key = {(c.weekday, c.hour): c for c in cells}
    longest = max((c.median_lead_minutes or 0 for c in cells), default=0) or 1
    rows = []
    for weekday in range(1, 8):
        row = []
        for hour in hours:
            c = by_key.get((weekday, hour))
            lead = c.median_lead_minutes if c else None
            share = None if lead is None else lead / longest
            tip = f"{names[weekday - 1]} {hour:02d}:00 \u2013 " + (
                sold_out_text % {"lead": _lead_text(lead), "sold_out": c.sold_out, "slots": c.slots}
                if c and lead is not None
                else rarely
            )
            row.append({"text": _lead_text(lead), "color": charts.share_color(share), "tip": tip})
        rows.append(
            {
                "label": WEEKDAY_LABELS[weekday - 1],
                "cells": row,
                "cells_html": _cells_html(
                    '<td style="background: {}" title="{}">{}</td>',
                    ((c["color"], c["tip"], c["text"]) for c in row),
                ),
            }
        )
    return rows


@login_required
def club_detail(request: HttpRequest, club_id: int) -> HttpResponse:
    # One query for the club, its config and its SummaryMark, one for its courts: every
    # figure below reads them from here (the page's queries do not grow with its courts), and
    # one read each of the recent days' cells and transitions.
    club = get_object_or_404(
        Club.objects.select_related("monitoring__account", "summary_mark").prefetch_related(
            "courts"
        ),
        pk=club_id,
    )
    selectors.read_raw_rows_once(club)
    today = selectors.local_today(club)
    date_from, date_to, errors = date_range(request, today)
    day = date_param(request, "date", errors) or today
    sports = club_sports(club=club)
    sport = sport_param(request, errors)
    span: dict[str, Any] = {"date_from": date_from, "date_to": date_to, "sport_id": sport}

    grid = selectors.availability_grid(club=club, local_date=day, sport_id=sport)
    current = selectors.utilization_current(club=club, sport_id=sport)
    daily = selectors.utilization_daily(club=club, **span)
    total = selectors.utilization_total(daily)
    heat = selectors.utilization_heatmap(club=club, **span)
    hours = heat.hours or list(range(8, 23))
    courts = selectors.utilization_per_court(club=club, **span)
    counts = selectors.fill_counts(club, date_from, date_to, sport)
    leads = list(reversed(LEADS))
    fill_series = []
    for name, weekdays, wanted_hours in FILL_SERIES:
        points = selectors.fill_curve_from_counts(counts, weekdays=weekdays, hours=wanted_hours)
        by_lead = {p.lead_minutes: p.share_taken for p in points}
        fill_series.append(charts.Series(str(name), [by_lead[lead] for lead in leads]))
    sellout = selectors.sellout_lead_times(club=club, **span)
    cancellations = selectors.cancellation_rate(club=club, **span)
    prices = selectors.prices_by_hour(club=club, **span)

    peak = max(heat.cells, key=lambda c: c.utilization or 0, default=None)
    chance_weekday = int_param(request.GET.get("weekday"), 1, 7) or (peak.weekday if peak else 2)
    chance_time = time_param(request.GET.get("time")) or time(peak.hour if peak else 19)
    chance = selectors.chance_free(
        club=club, weekday=chance_weekday, start_time=chance_time, **span
    )

    config: MonitoringConfig | None = getattr(club, "monitoring", None)
    watched = poll_watched(club=club, raw_id=request.GET.get("poll"))
    context = {
        "club": club,
        "today": today,
        "day": day,
        "date_from": date_from,
        "date_to": date_to,
        "sports": sports,
        "sport": sport or "",
        "errors": errors,
        "grid": grid,
        "grid_focus": _grid_focus(grid, timezone.now().astimezone(club.zone)),
        "previous_day_url": _day_url(request, day - timedelta(days=1)),
        "next_day_url": _day_url(request, day + timedelta(days=1)),
        "grid_rows": [
            {
                "court": row.court,
                "cells": list(zip(row.cells, row.prices, grid.local_times, strict=True)),
                "cells_html": _grid_cells_html(club, row, grid.local_times),
            }
            for row in grid.rows
        ],
        "current": current,
        "total": total,
        "daily_chart": charts.bar_chart(
            [
                charts.Bar(
                    short_date(d.local_date), d.figures.utilization, local_date(d.local_date)
                )
                for d in daily
            ],
            title=_("Daily utilization"),
        ),
        "hours": hours,
        "heat_rows": _heat_rows(heat, hours),
        "court_rows": [
            {
                "court": c.court,
                "figures": c.figures,
                "pct": round((c.figures.utilization or 0) * 100),
                "color": charts.share_color(c.figures.utilization),
            }
            for c in courts
        ],
        "fill_chart": charts.line_chart(
            fill_series,
            [_lead_axis(lead) for lead in leads],
            title=_("Share of cells already taken, by time before start"),
        ),
        "sellout_rows": _sellout_rows(sellout, hours),
        "cancellations": cancellations,
        "prices_chart": charts.range_chart(
            [
                charts.Range(f"{p.hour:02d}", float(p.minimum), float(p.average), float(p.maximum))
                for p in prices
            ],
            title=_("Prices offered by hour"),
            unit=f" {club.currency}" if club.currency else "",
        ),
        "has_prices": bool(prices),
        "chance_chart": charts.line_chart(
            [
                charts.Series(
                    _("Chance a court is still free"), [p.chance for p in reversed(chance)]
                )
            ],
            [_lead_axis(p.lead_minutes) for p in reversed(chance)],
            title=_("Chance a court is still free"),
        ),
        "chance_weekday": chance_weekday,
        "chance_time": chance_time,
        "chance_dates": max((p.dates_known for p in chance), default=0),
        "weekday_names": list(enumerate(WEEKDAY_NAMES, start=1)),
        "config": config,
        "form": monitoring_form_for_page(session=request.session, club=club, config=config)
        if request.user.is_staff
        else None,
        "runs": selectors.poll_runs(club=club)[:8],
        "poll": poll_progress(watched) if watched else None,
    }
    return render(request, "availability/club.html", context)


@staff_member_required
@require_POST
def club_fetch(request: HttpRequest, club_id: int) -> HttpResponse:
    """Queue a poll for the poll workers and go straight back to the page, which shows it."""
    club = get_object_or_404(Club, pk=club_id)
    try:
        run = poll_request(club=club)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("club", club_id=club.pk)
    if run.outcome == PollRun.Outcome.FAILED:
        messages.error(request, run.error_message)
        return redirect("club", club_id=club.pk)
    return redirect(f"{reverse('club', args=[club.pk])}?poll={run.pk}")
