"""An indicator's trend as coordinates for an inline SVG line, drawn next to a table of the same numbers.

Suppressed and missing values break the line (no point is drawn, no value is guessed); the table says
"fewer than k" where the engine suppressed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from core.clock import utcnow
from reporting.statistics import disclosure_from
from strategy.indicators import SUPPRESSED, Indicator, Trend, indicator_trend, indicators_of

WIDTH, HEIGHT, PAD = 320, 120, 12


@dataclass(frozen=True)
class TrendRow:
    period: str
    value: float | None
    suppressed: bool

    @property
    def text(self) -> str:
        return format_number(self.value)


@dataclass(frozen=True)
class TrendChart:
    rows: list[TrendRow]
    segments: list[str]            # "x,y x,y ..." per unbroken run of numbers
    dots: list[tuple[float, float]]
    gaps: list[float]               # x positions of suppressed periods (drawn as a hollow mark on the axis)
    target_y: float | None
    baseline_y: float | None
    width: int = WIDTH
    height: int = HEIGHT

    @property
    def has_numbers(self) -> bool:
        return bool(self.dots)


def format_number(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}".rstrip("0").rstrip(".")


def trend_chart(indicator: Indicator, trend: Trend) -> TrendChart:
    rows = [TrendRow(period.key, value if isinstance(value, float | int) else None, value is SUPPRESSED)
            for period, value in trend]
    numbers = [row.value for row in rows if row.value is not None]
    numbers += [v for v in (indicator.baseline, indicator.target) if v is not None]
    low, high = (min(numbers), max(numbers)) if numbers else (0.0, 1.0)
    if high == low:
        low, high = low - 1, high + 1
    step = (WIDTH - 2 * PAD) / max(len(rows) - 1, 1)

    def y_of(value: float) -> float:
        return round(HEIGHT - PAD - (value - low) / (high - low) * (HEIGHT - 2 * PAD), 1)

    segments: list[str] = []
    current: list[str] = []
    dots, gaps = [], []
    for index, row in enumerate(rows):
        x = round(PAD + index * step, 1)
        if row.value is None:
            if row.suppressed:
                gaps.append(x)
            if current:
                segments.append(" ".join(current))
                current = []
            continue
        y = y_of(row.value)
        current.append(f"{x},{y}")
        dots.append((x, y))
    if current:
        segments.append(" ".join(current))
    return TrendChart(rows=rows, segments=[s for s in segments if " " in s], dots=dots, gaps=gaps,
                      target_y=y_of(indicator.target) if indicator.target is not None else None,
                      baseline_y=y_of(indicator.baseline) if indicator.baseline is not None else None)


@dataclass(frozen=True)
class IndicatorView:
    """What a template shows of one indicator: its definition, its trend and the threshold applied."""

    indicator: Indicator
    chart: TrendChart
    k: int

    @property
    def baseline(self) -> str:
        return format_number(self.indicator.baseline) or "–"

    @property
    def target(self) -> str:
        return format_number(self.indicator.target) or "–"

    @property
    def latest(self) -> TrendRow | None:
        """The newest period with a value or a suppression."""
        known = [row for row in self.chart.rows if row.value is not None or row.suppressed]
        return known[-1] if known else None


def indicator_view(indicator: Indicator, trend: Trend, k: int) -> IndicatorView:
    return IndicatorView(indicator, trend_chart(indicator, trend), k)


@dataclass(frozen=True)
class IndicatorPanel:
    items: list[IndicatorView]
    add_url: str | None


def indicator_panel(db: Session, settings: Any, *, measure_id: int | None = None, goal_id: int | None = None
                    ) -> IndicatorPanel:
    """The indicators of a measure (or goal) with their trends, for the measure page's include."""
    disclosure, today = disclosure_from(settings), utcnow().date()
    rows = indicators_of(db, measure_id=measure_id) if measure_id is not None else \
        indicators_of(db, goal_id=goal_id)
    views = [indicator_view(i, indicator_trend(db, i, disclosure, today=today), settings.suppression_k)
             for i in rows]
    add_url = (f"/plan/massnahmen/{measure_id}/indikatoren/neu" if measure_id is not None
               else f"/plan/ziele/{goal_id}/indikatoren/neu")
    return IndicatorPanel(views, add_url)


def goal_indicators(db: Session, settings: Any, plan_id: int) -> dict[int, list[IndicatorView]]:
    """The indicators of the plan's goals with their trends, by goal (for the plan overview)."""
    disclosure, today = disclosure_from(settings), utcnow().date()
    result: dict[int, list[IndicatorView]] = {}
    for indicator in indicators_of(db, plan_id=plan_id):
        if indicator.goal_id is not None:
            trend = indicator_trend(db, indicator, disclosure, today=today)
            result.setdefault(indicator.goal_id, []).append(
                indicator_view(indicator, trend, settings.suppression_k))
    return result
