"""Suppressed snapshots: every figure offered for one year and audience, with disclosure control applied once
for the whole family of tables (shared margins, nested months/quarters/year), stored and served from there.

A family is decided per (year, audience, k, number of published months): while a year runs, each month that
closes (plus the delay) adds tables, and the family is decided again for what is then offered.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import combinations

from sqlalchemy import Index, delete, insert, select, text
from sqlmodel import Field, Session, SQLModel, col
from sqlmodel import select as sm_select

from reporting.disclosure import protect
from reporting.rollup import DIMS, MULTI, VERSION, StatisticsRollup, StatisticsStale

# A cell of a family: (period key, dim_a, code_a, dim_b, code_b); "" for an absent dimension.
CellKey = tuple[str, str, str, str, str]
PUBLIC_DIMS: tuple[str, ...] = ("incident_type", "motive", "life_area", "district")
# Cross tables (and tables filtered on a code of another dimension) always involve the district. The
# offered tables then form a decomposable family (a star around month x district), for which an audit of
# the tables alone is as strong as an attacker solving for the full joint table of all dimensions:
# any set of tables consistent with the published numbers extends to some set of incidents.
ANCHOR = "district"


class StatisticsSnapshot(SQLModel, table=True):
    __tablename__ = "statistics_snapshot"
    __table_args__ = (Index("ix_statistics_snapshot_family", "year", "audience", "k", "published_months",
                            unique=True),)
    id: int | None = Field(default=None, primary_key=True)
    year: int
    audience: str = Field(max_length=10)
    k: int
    published_months: int  # months of the year already published (0-12) when it was decided
    # Names this decision for caches of readers (ids can be reused after a delete, tokens are not).
    token: str = Field(default_factory=lambda: secrets.token_hex(8), max_length=16)


class StatisticsSnapshotCell(SQLModel, table=True):
    """A published cell (count None = suppressed); cells not stored are 0."""

    __tablename__ = "statistics_snapshot_cell"
    snapshot_id: int = Field(foreign_key="statistics_snapshot.id", primary_key=True, ondelete="CASCADE")
    period: str = Field(primary_key=True, max_length=10)
    dim_a: str = Field(primary_key=True, max_length=20)
    code_a: str = Field(primary_key=True, max_length=40)
    dim_b: str = Field(primary_key=True, max_length=20)
    code_b: str = Field(primary_key=True, max_length=40)
    count: int | None = None
    persons: int | None = None


@dataclass(frozen=True)
class Family:
    """The values of every offered cell of a year (only cells > 0) and the sums that bind them.

    `unknowns` are cells never published (month x district x one other dimension) that the audit solves
    for as well, bound to the offered cells by `linking`: with them the audit's unknowns describe every
    joint table the attacker could consider (see ANCHOR)."""

    values: dict[CellKey, tuple[int, int]]
    relations: list[tuple[CellKey, list[CellKey]]]  # total == sum(parts) (zero parts left out)
    unknowns: dict[CellKey, int] = field(default_factory=dict)  # true counts, 0 included
    linking: list[tuple[CellKey, list[CellKey]]] = field(default_factory=list)


def _period_keys(year: int, published_months: int, audience: str) -> tuple[list[int], list[int], bool]:
    """Months, quarters and whether the year itself are offered."""
    if audience == "public":
        return [], [], published_months == 12
    return list(range(1, published_months + 1)), [q for q in range(1, 5) if 3 * q <= published_months], \
        published_months == 12


def offered_shapes(audience: str, granularity: str) -> set[tuple[str, str]]:
    """The (dim_a, dim_b) shapes offered for one period of a granularity ("", "" is the total)."""
    shapes = {("", "")}
    if audience == "public":
        if granularity == "year":
            shapes |= {(d, "") for d in PUBLIC_DIMS} | {(d, "") for d in MULTI}
        return shapes
    shapes |= {(d, "") for d in DIMS}
    if granularity != "year":
        # Months and quarters: one dimension at a time. Cross tables of a quarter would be mostly cells
        # below k (a quarter of a municipality holds some hundred incidents), hidden anyway.
        return shapes
    shapes |= {pair for pair in combinations(DIMS, 2) if ANCHOR in pair}
    shapes |= {(m, "") for m in MULTI} | {(m, ANCHOR) for m in MULTI}
    return shapes


def build_family(session: Session, year: int, audience: str, published_months: int) -> Family:
    months, quarters, whole_year = _period_keys(year, published_months, audience)
    r = StatisticsRollup
    rows = session.exec(select(r.month, r.dim_a, r.code_a, r.dim_b, r.code_b, r.count, r.persons).where(  # type: ignore[call-overload]
        r.year == year, col(r.count) > 0, r.dim_a != VERSION)).all()
    values: dict[CellKey, list[int]] = defaultdict(lambda: [0, 0])
    shapes = {g: offered_shapes(audience, g) for g in ("month", "quarter", "year")}
    monthly_pairs: dict[CellKey, int] = {}
    for month, dim_a, code_a, dim_b, code_b, count, persons in rows:
        if whole_year and month in months and ANCHOR in (dim_a, dim_b) and dim_a not in MULTI:
            monthly_pairs[(f"{year}-{month:02d}", dim_a, code_a, dim_b, code_b)] = count
        targets = []
        if month in months and (dim_a, dim_b) in shapes["month"]:
            targets.append(f"{year}-{month:02d}")
        quarter = (month - 1) // 3 + 1
        if quarter in quarters and (dim_a, dim_b) in shapes["quarter"]:
            targets.append(f"{year}-Q{quarter}")
        if whole_year and (dim_a, dim_b) in shapes["year"]:
            targets.append(f"{year}")
        for period in targets:
            cell = values[(period, dim_a, code_a, dim_b, code_b)]
            cell[0] += count
            cell[1] += persons
    final = {key: (v[0], v[1]) for key, v in values.items() if v[0] > 0}
    unknowns, linking = _linking(final, monthly_pairs, year, months) if whole_year and months else ({}, [])
    return Family(final, list(_relations(final, year, months, quarters, whole_year)), unknowns, linking)


def _pair_key(period: str, dimension: str, code: str, anchor_code: str) -> CellKey:
    """The stored key of a (dimension, code) x (ANCHOR, anchor_code) cell (dimensions in DIMS order)."""
    if DIMS.index(dimension) < DIMS.index(ANCHOR):
        return period, dimension, code, ANCHOR, anchor_code
    return period, ANCHOR, anchor_code, dimension, code


def _linking(values: dict[CellKey, tuple[int, int]], monthly_pairs: dict[CellKey, int], year: int,
             months: list[int]) -> tuple[dict[CellKey, int], list[tuple[CellKey, list[CellKey]]]]:
    """The month x district x dimension cells behind the offered tables, and the sums tying them to them.

    A combination is an unknown only where none of the published tables containing it shows 0 (the
    attacker knows those are 0 too). Month x district x dimension is the joint table of a star: the
    month's district table, the month's table of the dimension and the year's district x dimension table
    are its margins, and tables of different dimensions share only the month's district table.
    """
    unknowns: dict[CellKey, int] = {}
    by_month_district: dict[tuple[str, str, str], list[CellKey]] = defaultdict(list)
    by_month_code: dict[tuple[str, str, str], list[CellKey]] = defaultdict(list)
    by_year_cell: dict[CellKey, list[CellKey]] = defaultdict(list)
    month_keys = {f"{year}-{month:02d}" for month in months}
    codes: dict[tuple[str, str], list[str]] = defaultdict(list)  # the codes each month's tables show > 0
    for period, dim_a, code_a, dim_b, _ in values:
        if period in month_keys and dim_a and not dim_b and dim_a not in MULTI:
            codes[(period, dim_a)].append(code_a)
    for month in months:
        period = f"{year}-{month:02d}"
        for dimension in DIMS:
            if dimension == ANCHOR:
                continue
            for anchor_code in codes[(period, ANCHOR)]:
                for code in codes[(period, dimension)]:
                    year_cell = _pair_key(f"{year}", dimension, code, anchor_code)
                    if year_cell not in values:
                        continue
                    key = _pair_key(period, dimension, code, anchor_code)
                    unknowns[key] = monthly_pairs.get(key, 0)
                    by_month_district[(period, dimension, anchor_code)].append(key)
                    by_month_code[(period, dimension, code)].append(key)
                    by_year_cell[year_cell].append(key)
    linking: list[tuple[CellKey, list[CellKey]]] = []
    for (period, _dimension, anchor_code), parts in by_month_district.items():
        linking.append(((period, ANCHOR, anchor_code, "", ""), parts))
    for (period, dimension, code), parts in by_month_code.items():
        linking.append(((period, dimension, code, "", ""), parts))
    linking.extend(by_year_cell.items())
    return unknowns, linking


def _relations(values: dict[CellKey, tuple[int, int]], year: int, months: list[int], quarters: list[int],
               whole_year: bool) -> Iterable[tuple[CellKey, list[CellKey]]]:
    groups: dict[tuple[CellKey, str], list[CellKey]] = defaultdict(list)
    for key in values:
        period, dim_a, code_a, dim_b, code_b = key
        if dim_b:  # a two-dimensional cell sums to both its one-dimensional margins
            groups[((period, dim_a, code_a, "", ""), dim_b)].append(key)
            if dim_a not in MULTI:  # multiple answers do not sum over the multi dimension
                groups[((period, dim_b, code_b, "", ""), dim_a)].append(key)
        elif dim_a and dim_a not in MULTI:
            groups[((period, "", "", "", ""), dim_a)].append(key)
    for (total, _), parts in groups.items():
        yield total, parts
    # Nested periods: months sum to quarters, quarters to the year.
    by_rest: dict[tuple[str, str, str, str], dict[str, CellKey]] = defaultdict(dict)
    for key in values:
        by_rest[key[1:]][key[0]] = key
    for rest, periods in by_rest.items():
        # Only shapes offered for the shorter periods too (one dimension at most, no multiple answers).
        if rest[2] != "" or rest[0] in MULTI:
            continue
        if whole_year and f"{year}" in periods and len(quarters) == 4:
            yield periods[f"{year}"], [periods[f"{year}-Q{q}"] for q in quarters if f"{year}-Q{q}" in periods]
        for q in quarters:
            if f"{year}-Q{q}" in periods and all(m in months for m in range(3 * q - 2, 3 * q + 1)):
                keys = [f"{year}-{m:02d}" for m in range(3 * q - 2, 3 * q + 1)]
                yield periods[f"{year}-Q{q}"], [periods[key] for key in keys if key in periods]


def forget_snapshots(session: Session, year: int | None = None) -> None:
    ids = select(col(StatisticsSnapshot.id))
    if year is not None:
        ids = ids.where(col(StatisticsSnapshot.year) == year)
    session.execute(delete(StatisticsSnapshotCell).where(col(StatisticsSnapshotCell.snapshot_id).in_(ids)))
    statement = delete(StatisticsSnapshot)
    if year is not None:
        statement = statement.where(col(StatisticsSnapshot.year) == year)
    session.execute(statement)


def snapshot_id(session: Session, year: int, audience: str, k: int, published_months: int, *,
                staff_k: int = 5) -> tuple[int, str]:
    """The stored snapshot of this family (id, token), decided now if the rollup of that year changed since."""
    fresh = session.connection().execute(text(
        "SELECT id, token FROM statistics_snapshot WHERE year = :year AND audience = :audience AND k = :k "
        "AND published_months = :months AND NOT EXISTS (SELECT 1 FROM statistics_stale WHERE year = :year)"),
        {"year": year, "audience": audience, "k": k, "months": published_months}).first()
    if fresh is not None:
        return int(fresh[0]), str(fresh[1])
    if session.get(StatisticsStale, year) is not None:
        forget_snapshots(session, year)
        session.execute(delete(StatisticsStale).where(col(StatisticsStale.year) == year))
    existing = session.exec(sm_select(StatisticsSnapshot).where(
        StatisticsSnapshot.year == year, StatisticsSnapshot.audience == audience, StatisticsSnapshot.k == k,
        StatisticsSnapshot.published_months == published_months)).first()
    if existing is not None and existing.id is not None:
        return existing.id, existing.token
    return decide_snapshot(session, year, audience, k, published_months, staff_k=staff_k)


def decide_snapshot(session: Session, year: int, audience: str, k: int, published_months: int, *,
                    staff_k: int = 5) -> tuple[int, str]:
    family = build_family(session, year, audience, published_months)
    also_hidden: set[CellKey] = set()
    if audience == "public":
        # Staff see the public figures too: nothing hidden from staff may show in public.
        staff, _ = snapshot_id(session, year, "staff", staff_k, published_months)
        also_hidden = {(c.period, c.dim_a, c.code_a, c.dim_b, c.code_b) for c in session.exec(
            sm_select(StatisticsSnapshotCell).where(StatisticsSnapshotCell.snapshot_id == staff,
                                                    col(StatisticsSnapshotCell.count).is_(None))).all()}
    published = protect(family, k, also_hidden=also_hidden)
    snapshot = StatisticsSnapshot(year=year, audience=audience, k=k, published_months=published_months)
    session.add(snapshot)
    session.flush()
    assert snapshot.id is not None
    rows = [{"snapshot_id": snapshot.id, "period": key[0], "dim_a": key[1], "code_a": key[2], "dim_b": key[3],
             "code_b": key[4], "count": count, "persons": persons} for key, (count, persons) in published.items()]
    if rows:
        session.execute(insert(StatisticsSnapshotCell), rows)
    return snapshot.id, snapshot.token
