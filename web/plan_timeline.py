"""The timeline of a plan's measures as an inline SVG drawn here (no script; a table carries the same dates)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from html import escape

from markupsafe import Markup

from strategy.measures import MeasureSummary

WIDTH = 960
LABEL_WIDTH = 330
ROW = 30
TOP = 34
# Fill colours chosen for 3:1 contrast against the white background (WCAG 1.4.11).
STATUS_FILL = {"proposed": "#6b6b6b", "agreed": "#5a4fa0", "planned": "#1f5f99", "in_progress": "#0b6e4f",
               "on_hold": "#9a5b00", "completed": "#2d6a2d", "evaluated": "#2d4a2d", "cancelled": "#8a1c1c"}


@dataclass(frozen=True)
class TimelineRow:
    measure: MeasureSummary
    start: date | None
    end: date | None


def _x(day: date, first: date, last: date) -> float:
    span = max((last - first).days, 1)
    offset = min(max((day - first).days, 0), span)
    return LABEL_WIDTH + (WIDTH - LABEL_WIDTH - 10) * offset / span


def _short(text: str, limit: int = 44) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def timeline_svg(measures: list[MeasureSummary], *, first: date, last: date, today: date, title: str,
                 description: str, status_labels: dict[str, str], today_label: str) -> Markup:
    """Planned periods as light bars, actual periods as dark bars on top, one row per dated measure."""
    rows = [m for m in measures if m.planned_start or m.actual_start]
    height = TOP + ROW * max(len(rows), 1) + 10
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" role="img" '
             f'aria-labelledby="timeline-title timeline-desc" class="timeline-chart">',
             f'<title id="timeline-title">{escape(title)}</title><desc id="timeline-desc">{escape(description)}</desc>']
    for year in range(first.year, last.year + 2):
        tick = date(year, 1, 1)
        if first <= tick <= last or year == first.year:
            x = _x(max(tick, first), first, last)
            parts.append(f'<line x1="{x:.1f}" y1="{TOP - 8}" x2="{x:.1f}" y2="{height - 6}" stroke="#b9b4a8"/>'
                         f'<text x="{x + 3:.1f}" y="{TOP - 14}" font-size="13" fill="#333">{year}</text>')
    if first <= today <= last:
        x = _x(today, first, last)
        parts.append(f'<line x1="{x:.1f}" y1="{TOP - 8}" x2="{x:.1f}" y2="{height - 6}" stroke="#8a1c1c" '
                     f'stroke-dasharray="4 3"/><text x="{x + 3:.1f}" y="{height - 8}" font-size="12" '
                     f'fill="#8a1c1c">{escape(today_label)}</text>')
    for index, m in enumerate(rows):
        y = TOP + index * ROW
        status = escape(status_labels.get(m.status, m.status))
        parts.append(f'<text x="4" y="{y + 19}" font-size="13" fill="#1a1a1a">{escape(_short(m.title))}</text>')
        start = m.planned_start or m.actual_start
        end = m.planned_end or m.actual_end or last
        if start:
            x1, x2 = _x(start, first, last), _x(max(end, start), first, last)
            parts.append(f'<rect x="{x1:.1f}" y="{y + 6}" width="{max(x2 - x1, 3):.1f}" height="18" rx="3" '
                         f'fill="#ffffff" stroke="{STATUS_FILL.get(m.status, "#333")}" stroke-width="2">'
                         f'<title>{escape(m.title)} · {status}</title></rect>')
        if m.actual_start:
            actual_end = m.actual_end or min(today, last)
            x1, x2 = _x(m.actual_start, first, last), _x(max(actual_end, m.actual_start), first, last)
            parts.append(f'<rect x="{x1:.1f}" y="{y + 10}" width="{max(x2 - x1, 3):.1f}" height="10" rx="2" '
                         f'fill="{STATUS_FILL.get(m.status, "#333")}"><title>{escape(m.title)} · {status}</title>'
                         f'</rect>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704  # nosec B704: every interpolated text is escaped above (tested)
