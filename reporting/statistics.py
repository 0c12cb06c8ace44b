"""The statistics engine: counts of triaged incidents by period and dimension, disclosure-controlled.

Only verified and plausible incidents count. Every figure that leaves this module went through disclosure
control (reporting.disclosure): cells with 0 < n < k are hidden, and so many more that no hidden cell can
be recovered from anything else this module publishes for the same year. Figures are read from a rollup
(reporting.rollup) and a stored suppressed snapshot per year, never from a scan of the incidents.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import bindparam, text
from sqlmodel import Session, col, select

from reporting import taxonomy as tx
from reporting.models import District
from reporting.rollup import MULTI, VERSION, StatisticsRollup, StatisticsStale
from reporting.rollup import rebuild_rollup as _rebuild
from reporting.snapshot import ANCHOR, PUBLIC_DIMS, snapshot_id

DIMENSIONS: tuple[str, ...] = ("incident_type", "motive", "life_area", "district", "place_type", "perpetrator_type",
                               "reporter_role", "channel", "police_report", "online")
MULTI_DIMENSIONS: tuple[str, ...] = ("incident_type", "motive")
# The dimensions the public may break a year down by (one at a time, no filters).
PUBLIC_DIMENSIONS: tuple[str, ...] = PUBLIC_DIMS

CODE_LISTS: dict[str, tx.CodeList] = {
    "incident_type": tx.INCIDENT_TYPE, "motive": tx.MOTIVE, "life_area": tx.LIFE_AREA, "place_type": tx.PLACE_TYPE,
    "perpetrator_type": tx.PERPETRATOR_TYPE, "reporter_role": tx.REPORTER_ROLE, "channel": tx.CHANNEL,
    "police_report": tx.POLICE_REPORT}
NOT_STATED = ""


class Audience(StrEnum):
    STAFF = "staff"
    PUBLIC = "public"


class Granularity(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


_PER_YEAR = {Granularity.MONTH: 12, Granularity.QUARTER: 4, Granularity.YEAR: 1}


@dataclass(frozen=True, order=True)
class Period:
    granularity: Granularity
    year: int
    number: int  # month 1-12, quarter 1-4, year: 1

    def __post_init__(self) -> None:
        if not 1 <= self.number <= _PER_YEAR[self.granularity] or not 1900 <= self.year <= 9999:
            raise ValueError(f"no such period: {self.granularity} {self.year} {self.number}")

    @property
    def first_month(self) -> int:
        return {Granularity.MONTH: self.number, Granularity.QUARTER: 3 * self.number - 2,
                Granularity.YEAR: 1}[self.granularity]

    @property
    def last_month(self) -> int:
        return {Granularity.MONTH: self.number, Granularity.QUARTER: 3 * self.number,
                Granularity.YEAR: 12}[self.granularity]

    @property
    def months(self) -> range:
        return range(self.first_month, self.last_month + 1)

    @property
    def start(self) -> date:
        return date(self.year, self.first_month, 1)

    @property
    def end(self) -> date:
        last = self.last_month
        return (date(self.year + 1, 1, 1) if last == 12 else date(self.year, last + 1, 1)) - timedelta(days=1)

    @property
    def key(self) -> str:
        if self.granularity is Granularity.YEAR:
            return f"{self.year}"
        if self.granularity is Granularity.QUARTER:
            return f"{self.year}-Q{self.number}"
        return f"{self.year}-{self.number:02d}"

    def previous(self) -> Period:
        if self.number > 1:
            return Period(self.granularity, self.year, self.number - 1)
        return Period(self.granularity, self.year - 1, _PER_YEAR[self.granularity])

    def year_before(self) -> Period:
        return Period(self.granularity, self.year - 1, self.number)

    @classmethod
    def parse(cls, key: str) -> Period:
        text = key.strip()
        try:
            if len(text) == 4 and text.isdigit():
                return cls(Granularity.YEAR, int(text), 1)
            year_text, _, rest = text.partition("-")
            if len(year_text) != 4 or not year_text.isdigit() or not rest:
                raise ValueError(key)
            if rest[0] in "Qq" and rest[1:].isdigit() and len(rest) == 2:
                return cls(Granularity.QUARTER, int(year_text), int(rest[1:]))
            if rest.isdigit() and len(rest) == 2:
                return cls(Granularity.MONTH, int(year_text), int(rest))
        except ValueError:
            raise ValueError(f"not a period: {key!r}") from None
        raise ValueError(f"not a period: {key!r}")

    def published(self, delay_days: int, today: date) -> bool:
        return self.end + timedelta(days=delay_days) < today


@dataclass(frozen=True)
class Disclosure:
    k: int
    public_k: int
    delay_days: int

    def k_for(self, audience: Audience) -> int:
        return self.public_k if audience is Audience.PUBLIC else self.k


def disclosure_from(settings: Any) -> Disclosure:
    return Disclosure(k=int(settings.suppression_k), public_k=int(settings.public_suppression_k),
                      delay_days=int(settings.publication_delay_days))


@dataclass(frozen=True)
class Cell:
    count: int | None  # None = suppressed
    persons: int | None

    @property
    def suppressed(self) -> bool:
        return self.count is None


@dataclass(frozen=True)
class Figure:
    period: Period
    rows: str | None
    columns: str | None
    filters: tuple[tuple[str, str], ...]
    multiple: bool
    row_codes: tuple[str, ...]
    column_codes: tuple[str, ...]
    cells: Mapping[tuple[str, str], Cell]
    row_totals: Mapping[str, Cell]
    column_totals: Mapping[str, Cell]
    total: Cell
    taxonomy_versions: tuple[str, ...]
    k: int
    audience: Audience


@dataclass(frozen=True)
class Comparison:
    current: Figure
    previous: Figure | None      # None when that period is not published (or before any data)
    year_before: Figure | None


def dimension_codes(session: Session, dimension: str) -> tuple[str, ...]:
    """The codes of a dimension in display order, "" (not stated) last; districts as configured."""
    if dimension == "district":
        codes = tuple(session.exec(select(District.code).order_by(col(District.position), col(District.code))).all())
    elif dimension == "online":
        return ("yes", "no")
    elif dimension in CODE_LISTS:
        codes = tx.effective_codes(session, dimension)  # shipped codes plus those the deployment added
    else:
        raise ValueError(f"unknown dimension: {dimension}")
    return (*codes, NOT_STATED)


def rebuild_rollup(session: Session) -> int:
    """Recompute the rollup from all incidents (after bulk loads, or to repair); returns rows written."""
    return _rebuild(session)


def published_months(year: int, delay_days: int, today: date) -> int:
    return sum(1 for m in range(1, 13) if Period(Granularity.MONTH, year, m).published(delay_days, today))


def available_periods(session: Session, disclosure: Disclosure, granularity: Granularity, *,
                      today: date) -> list[Period]:
    """Closed periods (end + delay before today) that have counted incidents, newest first."""
    r = StatisticsRollup
    rows = session.exec(select(r.year, r.month).where(r.dim_a == "", col(r.count) > 0)).all()
    periods = set()
    for year, month in rows:
        number = {Granularity.MONTH: month, Granularity.QUARTER: (month - 1) // 3 + 1,
                  Granularity.YEAR: 1}[granularity]
        period = Period(granularity, year, number)
        if period.published(disclosure.delay_days, today):
            periods.add(period)
    return sorted(periods, reverse=True)


def prepare_snapshots(session: Session, disclosure: Disclosure, *, today: date) -> list[int]:
    """Decide now the snapshots of the years whose figures changed (a decision can take seconds for a big
    year), so the next reader gets them at once; returns those years. Running it twice decides nothing."""
    years = sorted(session.exec(select(StatisticsStale.year)).all())
    for year in years:
        for audience in Audience:
            _snapshot(session, disclosure, audience, year, today)
    return years


def _check_dimension(name: str | None, allowed: Sequence[str] = DIMENSIONS) -> None:
    if name is not None and name not in allowed:
        raise ValueError(f"not an offered dimension: {name}")


def _check_view(audience: Audience, period: Period, rows: str | None, columns: str | None,
                filters: Sequence[tuple[str, str]], multiple: bool) -> None:
    """Raise ValueError unless this exact view is offered to the audience (see docs/statistics.md)."""
    if columns is not None and (rows is None or columns == rows):
        raise ValueError("columns need a different row dimension")
    if len(filters) > 1 or any(not isinstance(code, str) for _, code in filters):
        raise ValueError("at most one filter is offered")
    for dimension, _ in filters:
        _check_dimension(dimension)
        if dimension in (rows, columns):
            raise ValueError("a filter on a shown dimension is not offered")
    if filters and columns is not None:
        raise ValueError("a filter is offered with one dimension only")
    if multiple:
        _check_dimension(rows, MULTI_DIMENSIONS)
        if rows is None or filters:
            raise ValueError("multiple answers are offered by their own dimension, without filters")
    if audience is Audience.PUBLIC:
        if period.granularity is not Granularity.YEAR or columns is not None or filters:
            raise ValueError("the public sees years broken down by one dimension")
        _check_dimension(rows, MULTI_DIMENSIONS if multiple else PUBLIC_DIMENSIONS)
        return
    _check_dimension(rows)
    _check_dimension(columns)
    if period.granularity is not Granularity.YEAR and (columns is not None or multiple or (filters and rows)):
        raise ValueError("months and quarters are broken down by one dimension")
    second = columns if columns is not None else (filters[0][0] if filters and rows else None)
    if second is not None and ANCHOR not in (rows, second):
        raise ValueError(f"two dimensions are offered with {ANCHOR} as one of them")


def _snapshot(session: Session, disclosure: Disclosure, audience: Audience, year: int,
              today: date) -> tuple[int, str]:
    return snapshot_id(session, year, audience.value, disclosure.k_for(audience),
                       published_months(year, disclosure.delay_days, today), staff_k=disclosure.k)


_TABLES = text("SELECT dim_a, dim_b, code_a, code_b, count, persons FROM statistics_snapshot_cell "
               "WHERE snapshot_id = :snapshot AND period = :period AND dim_a IN :dims_a AND dim_b IN :dims_b"
               ).bindparams(bindparam("dims_a", expanding=True), bindparam("dims_b", expanding=True))


class _Tables:
    """The stored tables of one period that a figure needs, read in one query and kept in memory under the
    snapshot's token (a changed rollup means a new snapshot and so a new token)."""

    def __init__(self, session: Session, snapshot: tuple[int, str], period: str,
                 shapes: Sequence[tuple[str, str]]) -> None:
        wanted = frozenset(shapes)
        cache_key = (snapshot[1], period, wanted)
        cached = _CACHE.get(cache_key)
        if cached is not None:
            self.cells = cached
            return
        self.cells = {shape: {} for shape in wanted}
        rows = session.connection().execute(_TABLES, {
            "snapshot": snapshot[0], "period": period, "dims_a": sorted({a for a, _ in wanted}),
            "dims_b": sorted({b for _, b in wanted})})
        for dim_a, dim_b, code_a, code_b, count, persons in rows:
            if (dim_a, dim_b) in wanted:
                self.cells[(dim_a, dim_b)][(code_a, code_b)] = Cell(count, persons)
        if len(_CACHE) > 2000:
            _CACHE.clear()
        _CACHE[cache_key] = self.cells

    def table(self, dim_a: str, dim_b: str) -> dict[tuple[str, str], Cell]:
        return self.cells[(dim_a, dim_b)]


ZERO = Cell(0, 0)
_CACHE: dict[tuple[str, str, frozenset[tuple[str, str]]], dict[tuple[str, str], dict[tuple[str, str], Cell]]] = {}
_VERSIONS: dict[tuple[str, str], tuple[str, ...]] = {}


def _canonical(first: str, second: str) -> tuple[str, str, bool]:
    """The stored order of a pair of dimensions, and whether the codes are swapped."""
    if first.endswith("*") or DIMENSIONS.index(first) < DIMENSIONS.index(second):
        return first, second, False
    return second, first, True


def _pair(tables: _Tables, rows: str, columns: str) -> dict[tuple[str, str], Cell]:
    dim_a, dim_b, swapped = _canonical(rows, columns)
    return {((b, a) if swapped else (a, b)): cell for (a, b), cell in tables.table(dim_a, dim_b).items()}


def _margin(tables: _Tables, dimension: str) -> dict[str, Cell]:
    return {a: cell for (a, _), cell in tables.table(dimension, "").items()}


def _shapes(rows: str | None, columns: str | None, filters: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    shapes = [("", "")]
    for dimension in (rows, columns, *(d for d, _ in filters)):
        if dimension is not None:
            shapes.append((dimension, ""))
    others = [d for d in (columns, *(d for d, _ in filters)) if d is not None]
    if rows is not None and others:
        dim_a, dim_b, _ = _canonical(rows, others[0])
        shapes.append((dim_a, dim_b))
    return shapes


def _codes(session: Session, dimension: str, present: Iterable[str]) -> tuple[str, ...]:
    codes = dimension_codes(session, dimension.rstrip("*"))
    return codes + tuple(sorted(set(present) - set(codes)))


def _versions(session: Session, snapshot: tuple[int, str], period: Period) -> tuple[str, ...]:
    cache_key = (snapshot[1], period.key)
    if cache_key not in _VERSIONS:
        r = StatisticsRollup
        if len(_VERSIONS) > 2000:
            _VERSIONS.clear()
        _VERSIONS[cache_key] = tuple(sorted(set(session.exec(select(r.code_a).where(
            r.year == period.year, col(r.month).in_(list(period.months)), r.dim_a == VERSION,
            col(r.count) > 0)).all())))
    return _VERSIONS[cache_key]


def breakdown(session: Session, disclosure: Disclosure, audience: Audience, period: Period, rows: str | None,
              columns: str | None = None, filters: Sequence[tuple[str, str]] = (), *, multiple: bool = False,
              today: date) -> Figure:
    """One offered table of a published period; ValueError for anything not offered."""
    filters = tuple((str(d), str(c)) for d, c in filters)
    _check_view(audience, period, rows, columns, filters, multiple)
    if not period.published(disclosure.delay_days, today):
        raise ValueError(f"period {period.key} is not published yet")
    snapshot = _snapshot(session, disclosure, audience, period.year, today)
    row_dim = f"{rows}*" if multiple and rows else rows
    tables = _Tables(session, snapshot, period.key, _shapes(row_dim, columns, filters))
    total = tables.table("", "").get(("", ""), ZERO)
    cells: dict[tuple[str, str], Cell] = {}
    row_totals: dict[str, Cell] = {}
    column_totals: dict[str, Cell] = {}
    row_codes: tuple[str, ...] = ()
    column_codes: tuple[str, ...] = ()
    if filters:
        dimension, code = filters[0]
        total = _margin(tables, dimension).get(code, ZERO)
        if rows is not None:
            pair = _pair(tables, rows, dimension)
            row_totals = {a: cell for (a, b), cell in pair.items() if b == code}
    elif row_dim is not None:
        row_totals = _margin(tables, row_dim)
    if row_dim is not None:
        row_codes = _codes(session, row_dim, row_totals)
        if columns is None:
            cells = {(code, ""): row_totals.get(code, ZERO) for code in row_codes}
        else:
            pair = _pair(tables, row_dim, columns)
            column_totals = _margin(tables, columns)
            column_codes = _codes(session, columns, [b for _, b in pair] + list(column_totals))
            cells = {(a, b): pair.get((a, b), ZERO) for a in row_codes for b in column_codes}
            column_totals = {b: column_totals.get(b, ZERO) for b in column_codes}
        row_totals = {code: row_totals.get(code, ZERO) for code in row_codes}
    return Figure(period, rows, columns, filters, multiple, row_codes, column_codes, cells, row_totals,
                  column_totals, total, _versions(session, snapshot, period), disclosure.k_for(audience), audience)


def _sum(cells: Iterable[Cell]) -> Cell:
    """A sum of published cells (hidden if any part is hidden, else it would give that part away)."""
    listed = list(cells)
    if any(c.count is None for c in listed):
        return Cell(None, None)
    persons = None if any(c.persons is None for c in listed) else sum(c.persons or 0 for c in listed)
    return Cell(sum(c.count or 0 for c in listed), persons)


def series(session: Session, disclosure: Disclosure, audience: Audience, granularity: Granularity,
           years: Sequence[int] | None = None, by: str | None = None, filters: Sequence[tuple[str, str]] = (), *,
           today: date) -> Figure:
    """A time series: rows are the published periods (Period.key) of the years, columns the codes of `by`."""
    filters = tuple((str(d), str(c)) for d, c in filters)
    if audience is Audience.PUBLIC and granularity is not Granularity.YEAR:
        raise ValueError("the public sees yearly series")
    if filters and by is not None:
        raise ValueError("a filter is offered with a series of totals only")
    published = [p for p in available_periods(session, disclosure, granularity, today=today)
                 if years is None or p.year in years]
    periods = sorted(published)
    figures = [breakdown(session, disclosure, audience, p, by, None, filters, today=today) for p in periods]
    if not figures:
        if years is None or not years:
            raise ValueError("no published period")
        last = Period(Granularity.YEAR, max(years), 1)
        _check_view(audience, last, by, None, filters, False)
    row_codes = tuple(p.key for p in periods)
    column_codes = _codes(session, by, [c for f in figures for c in f.row_codes]) if by else ()
    cells = {}
    for period, figure in zip(periods, figures, strict=True):
        if by is None:
            cells[(period.key, "")] = figure.total
        else:
            for code in column_codes:
                cells[(period.key, code)] = figure.row_totals.get(code, ZERO)
    row_totals = {p.key: f.total for p, f in zip(periods, figures, strict=True)}
    # Sums over the periods of a whole year are that year's published figures (a sum of hidden months
    # may well be a published year), else they are hidden as soon as one part is.
    by_year: dict[int, list[str]] = {}
    for period in periods:
        by_year.setdefault(period.year, []).append(period.key)
    year_parts: list[tuple[Cell, Mapping[str, Cell]]] = []
    for year, keys in by_year.items():
        whole = Period(Granularity.YEAR, year, 1)
        if granularity is not Granularity.YEAR and whole.published(disclosure.delay_days, today):
            figure = breakdown(session, disclosure, audience, whole, by, None, filters, today=today)
            year_parts.append((figure.total, figure.row_totals))
        else:
            year_parts.append((_sum(row_totals[key] for key in keys),
                               {code: _sum(cells[(key, code)] for key in keys) for code in column_codes}))
    column_totals = {code: _sum(parts.get(code, ZERO) for _, parts in year_parts) for code in column_codes}
    total = _sum(part for part, _ in year_parts)
    year = max(p.year for p in periods) if periods else max(years or [today.year])
    versions = tuple(sorted({v for f in figures for v in f.taxonomy_versions}))
    return Figure(Period(Granularity.YEAR, year, 1), None, by, filters, False, row_codes, column_codes, cells,
                  row_totals, column_totals, total, versions, disclosure.k_for(audience), audience)


def compare(session: Session, disclosure: Disclosure, audience: Audience, period: Period, rows: str | None = None,
            filters: Sequence[tuple[str, str]] = (), *, today: date) -> Comparison:
    """This period against the one before and the same period a year earlier (each None if not offered)."""
    current = breakdown(session, disclosure, audience, period, rows, None, filters, today=today)
    others: list[Figure | None] = []
    for other in (period.previous(), period.year_before()):
        try:
            others.append(breakdown(session, disclosure, audience, other, rows, None, filters, today=today))
        except ValueError:
            others.append(None)
    return Comparison(current, others[0], others[1])


__all__ = [
    "ANCHOR",
    "DIMENSIONS",
    "MULTI",
    "MULTI_DIMENSIONS",
    "PUBLIC_DIMENSIONS",
    "Audience",
    "Cell",
    "Comparison",
    "Disclosure",
    "Figure",
    "Granularity",
    "Period",
    "View",
    "available_periods",
    "breakdown",
    "compare",
    "dimension_codes",
    "disclosure_from",
    "offered_views",
    "prepare_snapshots",
    "rebuild_rollup",
    "series",
]


@dataclass(frozen=True)
class View:
    """One kind of table offered: rows (and columns) by dimensions, or rows filtered on one code of another
    dimension (`filter_by`, every code of it offered), or multiple answers of `rows`."""

    rows: str | None
    columns: str | None = None
    filter_by: str | None = None
    multiple: bool = False


def offered_views(audience: Audience, granularity: Granularity) -> list[View]:
    """Every kind of table offered to the audience for a period of that granularity (the UI offers these)."""
    if audience is Audience.PUBLIC:
        if granularity is not Granularity.YEAR:
            return []
        return [View(None), *(View(d) for d in PUBLIC_DIMENSIONS),
                *(View(d, multiple=True) for d in MULTI_DIMENSIONS)]
    views = [View(None), *(View(d) for d in DIMENSIONS), *(View(None, filter_by=d) for d in DIMENSIONS)]
    if granularity is not Granularity.YEAR:
        return views
    pairs = [(a, b) for a in DIMENSIONS for b in DIMENSIONS if a != b and ANCHOR in (a, b)]
    views += [View(d, filter_by=f) for d, f in pairs]
    views += [View(r, c) for r, c in pairs]
    views += [View(d, multiple=True) for d in MULTI_DIMENSIONS]
    views += [View(d, ANCHOR, multiple=True) for d in MULTI_DIMENSIONS]
    return views
