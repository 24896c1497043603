"""Club pages: the club dashboard, and for staff: find and add a club, configure monitoring,
fetch now. Members see the same pages without the controls."""

from __future__ import annotations

from datetime import time
from typing import Any

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from availability import charts, selectors
from availability.models import LEADS, PollRun
from availability.services import poll_club
from availability.views import date_range, not_a_date, parse_date
from clubs import services
from clubs.forms import MonitoringConfigForm
from clubs.models import Club, MonitoringConfig
from clubs.selectors import club_sports

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# Fill-curve lines worth comparing at a glance.
FILL_SERIES: tuple[tuple[str, tuple[int, ...] | None, tuple[int, ...] | None], ...] = (
    ("All cells", None, None),
    ("Weekday evenings 18\u201322h", (1, 2, 3, 4, 5), (18, 19, 20, 21)),
    ("Weekend mornings 8\u201313h", (6, 7), (8, 9, 10, 11, 12)),
)


def _lead_text(minutes: int | None) -> str:
    if minutes is None:
        return ""
    if minutes >= 1440:
        return f"{minutes / 1440:.1f}d".replace(".0d", "d")
    return f"{minutes // 60}h" if minutes >= 60 else f"{minutes}m"


def _heat_rows(heat: selectors.Heatmap, hours: list[int]) -> list[dict[str, Any]]:
    rows = []
    for weekday in range(1, 8):
        cells = []
        for hour in hours:
            c = heat.cell(weekday, hour)
            share = c.utilization if c else None
            tip = f"{WEEKDAY_NAMES[weekday - 1]} {hour:02d}:00 \u2013 " + (
                f"{charts.percent(share)} of {c.observed} cells taken" if c else "no data"
            )
            if c and c.coverage is not None:
                tip += f" ({charts.percent(c.coverage)} of {c.expected} open cells observed)"
            cells.append({"share": share, "color": charts.share_color(share), "tip": tip})
        rows.append({"label": selectors.WEEKDAY_LABELS[weekday - 1], "cells": cells})
    return rows


def _sellout_rows(cells: list[selectors.SelloutCell], hours: list[int]) -> list[dict[str, Any]]:
    by_key = {(c.weekday, c.hour): c for c in cells}
    longest = max((c.median_lead_minutes or 0 for c in cells), default=0) or 1
    rows = []
    for weekday in range(1, 8):
        row = []
        for hour in hours:
            c = by_key.get((weekday, hour))
            lead = c.median_lead_minutes if c else None
            share = None if lead is None else lead / longest
            tip = f"{WEEKDAY_NAMES[weekday - 1]} {hour:02d}:00 \u2013 " + (
                f"sold out {_lead_text(lead)} ahead (median), {c.sold_out} of {c.slots} times"
                if c and lead is not None
                else "rarely sells out"
            )
            row.append({"text": _lead_text(lead), "color": charts.share_color(share), "tip": tip})
        rows.append({"label": selectors.WEEKDAY_LABELS[weekday - 1], "cells": row})
    return rows


@login_required
def club_detail(request: HttpRequest, club_id: int) -> HttpResponse:
    club = get_object_or_404(Club.objects.select_related("monitoring"), pk=club_id)
    today = selectors.local_today(club)
    date_from, date_to, errors = date_range(request, today)
    raw_day = request.GET.get("date")
    day = parse_date(raw_day) or today
    if raw_day and parse_date(raw_day) is None:
        errors.append(f"{not_a_date(raw_day)} Showing today.")
    sports = club_sports(club=club)
    sport = (request.GET.get("sport") or "").strip().upper() or None
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
        fill_series.append(charts.Series(name, [by_lead[lead] for lead in leads]))
    sellout = selectors.sellout_lead_times(club=club, **span)
    cancellations = selectors.cancellation_rate(club=club, **span)
    prices = selectors.prices_by_hour(club=club, **span)

    peak = max(heat.cells, key=lambda c: c.utilization or 0, default=None)
    chance_weekday = _int(request.GET.get("weekday"), 1, 7) or (peak.weekday if peak else 2)
    chance_time = _time(request.GET.get("time")) or time(peak.hour if peak else 19)
    chance = selectors.chance_free(
        club=club, weekday=chance_weekday, start_time=chance_time, **span
    )

    config = MonitoringConfig.objects.filter(club=club).select_related("account").first()
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
        "grid_rows": [
            {
                "court": row.court,
                "cells": list(zip(row.cells, row.prices, grid.local_times, strict=True)),
            }
            for row in grid.rows
        ],
        "current": current,
        "total": total,
        "daily_chart": charts.bar_chart(
            [
                charts.Bar(
                    f"{d.local_date:%d %b}", d.figures.utilization, f"{d.local_date:%a %d %b}"
                )
                for d in daily
            ],
            title="Daily utilization",
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
            [selectors.lead_label(lead) for lead in leads],
            title="Share of cells already taken, by time before start",
        ),
        "sellout_rows": _sellout_rows(sellout, hours),
        "cancellations": cancellations,
        "prices_chart": charts.range_chart(
            [
                charts.Range(f"{p.hour:02d}", float(p.minimum), float(p.average), float(p.maximum))
                for p in prices
            ],
            title="Prices offered by hour",
            unit=f" {club.currency}" if club.currency else "",
        ),
        "has_prices": bool(prices),
        "chance_chart": charts.line_chart(
            [charts.Series("Chance a court is still free", [p.chance for p in reversed(chance)])],
            [p.label for p in reversed(chance)],
            title="Chance a court is still free",
        ),
        "chance_weekday": chance_weekday,
        "chance_time": chance_time,
        "chance_dates": max((p.dates_known for p in chance), default=0),
        "weekday_names": list(enumerate(WEEKDAY_NAMES, start=1)),
        "config": config,
        "form": MonitoringConfigForm(instance=config, initial={"club": club.pk})
        if request.user.is_staff
        else None,
        "runs": selectors.poll_runs(club=club)[:8],
    }
    return render(request, "clubs/detail.html", context)


def _int(value: str | None, low: int, high: int) -> int | None:
    # isdecimal, not isdigit: "²" is a digit that int() refuses.
    if value and value.isdecimal() and low <= int(value) <= high:
        return int(value)
    return None


def _time(value: str | None) -> time | None:
    try:
        parsed = time.fromisoformat(value) if value else None
    except ValueError:
        return None
    return parsed if parsed and parsed.minute in (0, 30) else None


@staff_member_required
@require_POST
def club_fetch(request: HttpRequest, club_id: int) -> HttpResponse:
    club = get_object_or_404(Club, pk=club_id)
    try:
        run = poll_club(club=club, trigger=PollRun.Trigger.MANUAL)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("clubs:detail", club_id=club.pk)
    if run.outcome in (PollRun.Outcome.OK, PollRun.Outcome.PARTIAL):
        messages.success(
            request,
            f"Fetched {len(run.days_ok)} day(s): {run.cells_seen} cells seen, "
            f"{run.changes_written} changes.",
        )
    else:
        messages.error(request, f"The fetch {run.outcome}: {run.error_kind} {run.error_message}")
    return redirect("clubs:detail", club_id=club.pk)


@staff_member_required
@require_POST
def club_monitoring(request: HttpRequest, club_id: int) -> HttpResponse:
    club = get_object_or_404(Club, pk=club_id)
    config = MonitoringConfig.objects.filter(club=club).first()
    data = request.POST.copy()
    data["club"] = str(club.pk)
    form = MonitoringConfigForm(data, instance=config)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(
                request,
                f"{label}: {' '.join(map(str, errors))}" if label else " ".join(map(str, errors)),
            )
        return redirect("clubs:detail", club_id=club.pk)
    values = form.cleaned_data
    try:
        services.monitoring_configure(
            club=club,
            enabled=values["enabled"],
            frequency_minutes=values["frequency_minutes"],
            start_time_local=values["start_time_local"],
            end_time_local=values["end_time_local"],
            days_ahead=values["days_ahead"],
            sports=values["sports"],
            account=values.get("account"),
            user=request.user,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Monitoring saved.")
    return redirect("clubs:detail", club_id=club.pk)


@staff_member_required
def club_add(request: HttpRequest) -> HttpResponse:
    """Search Playtomic by name and import a result (POST)."""
    if request.method == "POST":
        try:
            club = services.club_import(tenant_id=request.POST.get("tenant_id", ""))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("clubs:add")
        messages.success(request, f"{club.name} imported with {club.courts.count()} courts.")
        return redirect("clubs:detail", club_id=club.pk)
    query = (request.GET.get("q") or "").strip()
    results: list[Any] = []
    error = ""
    if query:
        try:
            results = services.club_search(query=query)
        except ValidationError as exc:
            error = " ".join(exc.messages)
    imported = dict(
        Club.objects.filter(playtomic_id__in=[t.tenant_id for t in results]).values_list(
            "playtomic_id", "id"
        )
    )
    rows = [{"tenant": t, "club_id": imported.get(t.tenant_id)} for t in results]
    return render(request, "clubs/add.html", {"query": query, "rows": rows, "error": error})
