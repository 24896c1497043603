"""Tiny server-side SVG charts for the dashboards: no JavaScript, no build step, and the page is
readable the moment it arrives. Inputs are numbers and labels; labels are escaped."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

PALETTE = ("#0f8a5f", "#e4574b", "#3b6fd8", "#c77700", "#8e44ad", "#16a2b8", "#6d4c41", "#d81b60")


def share_color(share: float | None) -> str:
    """Pale green (quiet) to deep red (full); grey when unknown."""
    if share is None:
        return "#eef1f0"
    share = max(0.0, min(1.0, share))
    hue = 150 - 150 * share
    light = 88 - 40 * share
    return f"hsl({hue:.0f}, 65%, {light:.0f}%)"


def percent(share: float | None) -> str:
    return "\u2013" if share is None else f"{share * 100:.0f}%"


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None
    tooltip: str = ""


def _svg(width: int, height: int, body: list[str], title: str) -> SafeString:
    # In a box of its own that scrolls sideways: on a phone the chart keeps a width at which
    # its labels stay readable (app.css) instead of shrinking them, or widening the page.
    return mark_safe(  # noqa: S308 - every interpolated label is escaped above
        f'<div class="chart-scroll"><svg class="chart" viewBox="0 0 {width} {height}" '
        f'role="img" preserveAspectRatio="xMidYMid meet" aria-label="{escape(title)}">'
        + "".join(body)
        + "</svg></div>"
    )


def _y_grid(left: int, right: int, top: int, bottom: int, ticks: Sequence[float]) -> list[str]:
    parts = []
    for t in ticks:
        y = bottom - (bottom - top) * t
        parts.append(
            f'<line x1="{left}" x2="{right}" y1="{y:.1f}" y2="{y:.1f}" class="grid-line"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" class="axis" text-anchor="end">'
            f"{t * 100:.0f}%</text>"
        )
    return parts


def bar_chart(bars: Sequence[Bar], *, title: str, height: int = 180) -> SafeString:
    """Shares (0..1) as vertical bars coloured by value; unknown values leave a gap."""
    width, left, right, top, bottom = 760, 40, 750, 10, height - 24
    parts = _y_grid(left, right, top, bottom, (0, 0.5, 1))
    n = max(1, len(bars))
    step = (right - left) / n
    label_every = max(1, n // 12)
    for i, bar in enumerate(bars):
        x = left + i * step
        if bar.value is not None:
            h = (bottom - top) * max(0.0, min(1.0, bar.value))
            parts.append(
                f'<rect x="{x + step * 0.12:.1f}" y="{bottom - h:.1f}" '
                f'width="{step * 0.76:.1f}" height="{h:.1f}" rx="2" '
                f'fill="{share_color(bar.value)}" class="bar">'
                f"<title>{escape(bar.tooltip or bar.label)}: {percent(bar.value)}</title></rect>"
            )
        if i % label_every == 0:
            parts.append(
                f'<text x="{x + step / 2:.1f}" y="{height - 6}" class="axis" '
                f'text-anchor="middle">{escape(bar.label)}</text>'
            )
    return _svg(width, height, parts, title)


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]


def line_chart(
    series: Sequence[Series], x_labels: Sequence[str], *, title: str, height: int = 200
) -> SafeString:
    """Shares (0..1) as lines with dots, one colour per series, with a legend."""
    width, left, right = 760, 40, 750
    # Lay the legend out first: long club names wrap onto more rows instead of running off
    # the right edge, and the plot starts below however many rows they need.
    legend: list[str] = []
    legend_x, legend_y = left, 6
    for k, s in enumerate(series):
        needed = 24 + 7 * len(s.name)
        if legend_x > left and legend_x + needed > right:
            legend_x, legend_y = left, legend_y + 18
        colour = PALETTE[k % len(PALETTE)]
        legend.append(
            f'<rect x="{legend_x}" y="{legend_y}" width="12" height="12" rx="3" fill="{colour}"/>'
            f'<text x="{legend_x + 16}" y="{legend_y + 10}" class="legend">{escape(s.name)}</text>'
        )
        legend_x += needed
    top = legend_y + 20
    height += legend_y - 6
    bottom = height - 24
    parts = _y_grid(left, right, top, bottom, (0, 0.25, 0.5, 0.75, 1)) + legend
    n = max(1, len(x_labels) - 1)
    xs = [left + (right - left) * i / n for i in range(len(x_labels))]
    for i, label in enumerate(x_labels):
        # The first and last labels hang inwards so they are never clipped at the edges.
        anchor = "start" if i == 0 else "end" if i == len(x_labels) - 1 else "middle"
        parts.append(
            f'<text x="{xs[i]:.1f}" y="{height - 6}" class="axis" text-anchor="{anchor}">'
            f"{escape(label)}</text>"
        )
    for k, s in enumerate(series):
        colour = PALETTE[k % len(PALETTE)]
        points = [
            (xs[i], bottom - (bottom - top) * v)
            for i, v in enumerate(s.values)
            if v is not None and i < len(xs)
        ]
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            parts.append(
                f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2.5" '
                'stroke-linejoin="round" class="line"/>'
            )
        for x, y in points:
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"/>')
    return _svg(width, height, parts, title)


@dataclass(frozen=True)
class Range:
    label: str
    low: float
    mid: float
    high: float


def range_chart(ranges: Sequence[Range], *, title: str, unit: str, height: int = 180) -> SafeString:
    """Min-max bars with the average as a dot (prices by hour)."""
    width, left, right, top, bottom = 760, 48, 750, 10, height - 24
    parts: list[str] = []
    if not ranges:
        return _svg(width, height, parts, title)
    top_value = max(r.high for r in ranges) or 1.0
    scale = (bottom - top) / (top_value * 1.1)
    for t in (0.0, top_value / 2, top_value):
        y = bottom - t * scale
        parts.append(
            f'<line x1="{left}" x2="{right}" y1="{y:.1f}" y2="{y:.1f}" class="grid-line"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" class="axis" text-anchor="end">'
            f"{t:.0f}{escape(unit)}</text>"
        )
    step = (right - left) / len(ranges)
    for i, r in enumerate(ranges):
        cx = left + step * (i + 0.5)
        y_low, y_high, y_mid = (
            bottom - r.low * scale,
            bottom - r.high * scale,
            bottom - r.mid * scale,
        )
        parts.append(
            f'<rect x="{cx - step * 0.2:.1f}" y="{y_high:.1f}" width="{step * 0.4:.1f}" '
            f'height="{max(2.0, y_low - y_high):.1f}" rx="3" class="range">'
            f"<title>{escape(r.label)}: {r.low:.2f}\u2013{r.high:.2f}, "
            f"avg {r.mid:.2f}</title></rect>"
            f'<circle cx="{cx:.1f}" cy="{y_mid:.1f}" r="3.5" class="range-mid"/>'
            f'<text x="{cx:.1f}" y="{height - 6}" class="axis" text-anchor="middle">'
            f"{escape(r.label)}</text>"
        )
    return _svg(width, height, parts, title)


def sparkline(values: Sequence[float | None], *, title: str) -> SafeString:
    """A small trend line of shares (0..1), for tables and cards."""
    width, height = 160, 36
    n = max(1, len(values) - 1)
    points = [
        (2 + (width - 4) * i / n, height - 3 - (height - 6) * v)
        for i, v in enumerate(values)
        if v is not None
    ]
    parts = [f'<line x1="0" x2="{width}" y1="{height - 3}" y2="{height - 3}" class="grid-line"/>']
    if len(points) > 1:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        parts.append(f'<polyline points="{path}" fill="none" class="spark"/>')
    if points:
        x, y = points[-1]
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" class="spark-dot"/>')
    return mark_safe(  # noqa: S308 - numbers only, the title is escaped
        f'<svg class="sparkline" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}">' + "".join(parts) + "</svg>"
    )
