"""The statistics rollup: counts and persons per month and per one or two (dimension, code), kept current.

Every counted incident (verification verified/plausible) has one `statistics_member` row saying what the
rollup holds for it; `sync_incidents` compares that with the incident now and applies the difference, so
any writer (triage, recode, import, purge, duplicate marking) only has to name the incidents it touched.
A rollup of a month holds at most a few thousand rows whatever the number of incidents, so figures read
from it cost the same after ten years as after one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import combinations
from typing import Any

import numpy as np
from sqlalchemy import Index, Integer, delete, func, insert, literal, select, text
from sqlalchemy.engine import Connection
from sqlmodel import Field, Session, SQLModel, col
from sqlmodel import select as sm_select

from reporting import taxonomy as tx
from reporting.models import Incident, IncidentCode

DIMS: tuple[str, ...] = ("incident_type", "motive", "life_area", "district", "place_type", "perpetrator_type",
                         "reporter_role", "channel", "police_report", "online")
# Multiple answers are rolled up under their own dimension names ("incident_type*"), paired with every other
# dimension, never with each other.
MULTI: dict[str, str] = {"incident_type*": "incident_types", "motive*": "motives"}
VERSION = "~version"  # taxonomy versions of the counted records, per month (not a published figure)
_COLUMN = {"incident_type": "primary_type", "motive": "primary_motive"}


class StatisticsRollup(SQLModel, table=True):
    """Counted incidents and affected persons of one month in one cell: total (no dimension), one
    (dimension, code), or two (dimension, code) pairs with dim_a before dim_b in DIMS order."""

    __tablename__ = "statistics_rollup"
    # The periods with counts (dim_a "", every dashboard page) and the taxonomy versions of a period are read
    # by dimension; by the primary key (year first) they would be a scan of the whole history.
    __table_args__ = (Index("ix_statistics_rollup_dimension", "dim_a", "year", "month"),)
    year: int = Field(primary_key=True)
    month: int = Field(primary_key=True)
    dim_a: str = Field(primary_key=True, max_length=20)
    code_a: str = Field(primary_key=True, max_length=40)
    dim_b: str = Field(primary_key=True, max_length=20)
    code_b: str = Field(primary_key=True, max_length=40)
    count: int = 0
    persons: int = 0


class StatisticsMember(SQLModel, table=True):
    """What the rollup currently counts for one incident (only counted incidents have a row)."""

    __tablename__ = "statistics_member"
    __table_args__ = (Index("ix_statistics_member_year", "year"),)
    incident_id: str = Field(primary_key=True, max_length=32)
    year: int
    month: int
    persons: int = 0
    incident_type: str = Field(default="", max_length=40)
    motive: str = Field(default="", max_length=40)
    life_area: str = Field(default="", max_length=40)
    district: str = Field(default="", max_length=40)
    place_type: str = Field(default="", max_length=40)
    perpetrator_type: str = Field(default="", max_length=40)
    reporter_role: str = Field(default="", max_length=40)
    channel: str = Field(default="", max_length=40)
    police_report: str = Field(default="", max_length=16)
    online: str = Field(default="", max_length=3)
    incident_types: str = Field(default="", max_length=400)  # codes joined by " "
    motives: str = Field(default="", max_length=400)
    taxonomy_version: str = Field(default="", max_length=16)


class StatisticsStale(SQLModel, table=True):
    """Years whose rollup changed since their suppressed snapshots were computed."""

    __tablename__ = "statistics_stale"
    year: int = Field(primary_key=True)


@dataclass(frozen=True)
class Member:
    year: int
    month: int
    persons: int
    codes: tuple[str, ...]           # one code per DIMS entry ("" = not stated)
    multi: tuple[tuple[str, ...], ...]  # codes per MULTI entry ("" alone when none was chosen)
    version: str

    def cells(self) -> Iterable[tuple[str, str, str, str]]:
        """Every rollup cell this incident counts in (dim_a, code_a, dim_b, code_b)."""
        yield "", "", "", ""
        yield VERSION, self.version, "", ""
        pairs = list(zip(DIMS, self.codes, strict=True))
        for dim, code in pairs:
            yield dim, code, "", ""
        for (dim_a, code_a), (dim_b, code_b) in combinations(pairs, 2):
            yield dim_a, code_a, dim_b, code_b
        for (multi_dim, _), codes in zip(MULTI.items(), self.multi, strict=True):
            own = multi_dim[:-1]
            for code in codes:
                yield multi_dim, code, "", ""
                for dim, other in pairs:
                    if dim != own:
                        yield multi_dim, code, dim, other


def counted_on(incident: Incident) -> date:
    """The day an incident counts on: when it happened, else when it was reported."""
    return incident.incident_date or incident.received_on


def member_of(incident: Incident, multi_codes: dict[str, list[str]]) -> Member | None:
    if incident.verification not in tx.COUNTED_VERIFICATIONS:
        return None
    day = counted_on(incident)
    codes = tuple(("yes" if incident.online else "no") if dim == "online" else
                  (getattr(incident, _COLUMN.get(dim, dim)) or "") for dim in DIMS)
    multi = tuple(tuple(sorted(set(multi_codes.get(field, [])))) or ("",) for field in MULTI.values())
    return Member(day.year, day.month, incident.affected_count or 0, codes, multi, incident.taxonomy_version)


def _member_from_row(row: StatisticsMember) -> Member:
    return Member(row.year, row.month, row.persons, tuple(getattr(row, dim) for dim in DIMS),
                  tuple(tuple(sorted(set(getattr(row, field).split(" ")))) for field in MULTI.values()),
                  row.taxonomy_version)


def _row_from_member(incident_id: str, member: Member) -> dict[str, object]:
    row: dict[str, object] = {"incident_id": incident_id, "year": member.year, "month": member.month,
                              "persons": member.persons, "taxonomy_version": member.version}
    row.update(zip(DIMS, member.codes, strict=True))
    row.update({field: " ".join(codes) for field, codes in zip(MULTI.values(), member.multi, strict=True)})
    return row


def _apply(session: Session, deltas: Counter[tuple[int, int, str, str, str, str]],
           persons: Counter[tuple[int, int, str, str, str, str]]) -> None:
    rows = [{"year": y, "month": m, "dim_a": a, "code_a": ca, "dim_b": b, "code_b": cb, "count": n,
             "persons": persons[key]} for key, n in deltas.items() for (y, m, a, ca, b, cb) in [key]
            if n or persons[key]]
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as upsert
    else:
        from sqlalchemy.dialects.sqlite import insert as upsert  # type: ignore[assignment]
    statement = upsert(StatisticsRollup.__table__)  # type: ignore[arg-type, attr-defined]
    statement = statement.on_conflict_do_update(
        index_elements=["year", "month", "dim_a", "code_a", "dim_b", "code_b"],
        set_={"count": StatisticsRollup.__table__.c.count + statement.excluded.count,  # type: ignore[attr-defined]
              "persons": StatisticsRollup.__table__.c.persons + statement.excluded.persons})  # type: ignore[attr-defined]
    session.execute(statement, rows)


def mark_stale(session: Session, years: Iterable[int]) -> None:
    for year in set(years):
        if session.get(StatisticsStale, year) is None:
            session.add(StatisticsStale(year=year))
    session.flush()


def sync_incidents(session: Session, incident_ids: Sequence[str]) -> None:
    """Bring the rollup in line with these incidents as they are now (also when they were deleted)."""
    ids = list(dict.fromkeys(incident_ids))
    if not ids:
        return
    session.flush()
    old = {row.incident_id: row for row in session.exec(
        sm_select(StatisticsMember).where(col(StatisticsMember.incident_id).in_(ids)))}
    incidents = {i.id: i for i in session.exec(sm_select(Incident).where(col(Incident.id).in_(ids)))}
    codes: dict[str, dict[str, list[str]]] = {}
    for code_row in session.exec(sm_select(IncidentCode).where(
            col(IncidentCode.incident_id).in_(ids), col(IncidentCode.field).in_(list(MULTI.values())))):
        codes.setdefault(code_row.incident_id, {}).setdefault(code_row.field, []).append(code_row.code)
    deltas: Counter[tuple[int, int, str, str, str, str]] = Counter()
    persons: Counter[tuple[int, int, str, str, str, str]] = Counter()
    years: set[int] = set()
    for incident_id in ids:
        before = _member_from_row(old[incident_id]) if incident_id in old else None
        incident = incidents.get(incident_id)
        after = member_of(incident, codes.get(incident_id, {})) if incident is not None else None
        if before == after:
            continue
        for member, sign in ((before, -1), (after, 1)):
            if member is None:
                continue
            years.add(member.year)
            for key in member.cells():
                full = (member.year, member.month, *key)
                deltas[full] += sign
                persons[full] += sign * member.persons
        if before is not None:
            session.execute(delete(StatisticsMember).where(col(StatisticsMember.incident_id) == incident_id))
        if after is not None:
            session.execute(insert(StatisticsMember).values(_row_from_member(incident_id, after)))
    _apply(session, deltas, persons)
    mark_stale(session, years)


def rebuild_rollup(session: Session) -> int:
    """Recompute members and rollup from the incidents: the members in the database, then every cell of the
    rollup counted in one read of them (one pass per cell shape in SQL took minutes at 10^5 incidents)."""
    session.flush()
    conn = session.connection()
    conn.execute(delete(StatisticsRollup))
    conn.execute(delete(StatisticsMember))
    _rebuild_members(conn)
    rows = _count_cells(conn)
    _write_cells(conn, rows)
    m = StatisticsMember.__table__.c  # type: ignore[attr-defined]
    conn.execute(delete(StatisticsStale))
    years = [row[0] for row in conn.execute(select(m.year).distinct())]
    for year in years:
        conn.execute(insert(StatisticsStale.__table__).values(year=year))  # type: ignore[arg-type, attr-defined]
    from reporting.snapshot import forget_snapshots
    forget_snapshots(session)
    return len(rows)


_CHUNK = 50_000
_COPY_CELLS = "COPY statistics_rollup (year, month, dim_a, code_a, dim_b, code_b, count, persons) FROM STDIN"
_INSERT_CELLS = ("INSERT INTO statistics_rollup (year, month, dim_a, code_a, dim_b, code_b, count, persons) "
                 "VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
CellRow = tuple[int, int, str, str, str, str, int, int]


def _write_cells(conn: Connection, rows: list[CellRow]) -> None:
    """Bulk-insert rollup rows with the driver (a million rows after ten years of a large city; the ORM's
    parameter dictionaries would cost more than the counting)."""
    cursor: Any = conn.connection.cursor()
    try:
        if conn.dialect.name == "postgresql":
            with cursor.copy(_COPY_CELLS) as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cursor.executemany(_INSERT_CELLS, rows)
    finally:
        cursor.close()


class _Encoding(dict[str, int]):
    """The codes of one column as small integers, numbered in order of first appearance."""

    def __missing__(self, code: str) -> int:
        self[code] = number = len(self)
        return number


def _count_cells(conn: Connection) -> list[CellRow]:
    """Every rollup cell of the members, as Member.cells() would count them one by one: the members are read
    once in chunks, their codes numbered, and each cell shape counted with numpy over all members at once."""
    m = StatisticsMember.__table__.c  # type: ignore[attr-defined]
    single = [*DIMS, "taxonomy_version"]
    encodings = {name: _Encoding() for name in [*single, *MULTI]}
    months: list[Any] = []
    persons: list[Any] = []
    codes: dict[str, list[Any]] = {name: [] for name in single}
    owners: dict[str, list[Any]] = {name: [] for name in MULTI}
    multi_codes: dict[str, list[Any]] = {name: [] for name in MULTI}
    read = 0
    result = conn.execute(
        select(m.year, m.month, m.persons, *(m[name] for name in single), *(m[f] for f in MULTI.values())),
        execution_options={"stream_results": True, "yield_per": _CHUNK})
    for chunk in result.partitions():
        columns = list(zip(*chunk, strict=True))
        months.append(np.array(columns[0], np.int64) * 12 + np.array(columns[1], np.int64) - 1)
        persons.append(np.array(columns[2], np.int64))
        for position, name in enumerate(single, start=3):
            codes[name].append(np.fromiter(map(encodings[name].__getitem__, columns[position]), np.int32,
                                           len(chunk)))
        for position, name in enumerate(MULTI, start=3 + len(single)):
            # An incident without a code of the field counts under "" ("".split(" ") == [""]).
            encoding, chosen, owner = encodings[name], [], []
            for number, joined in enumerate(columns[position], start=read):
                for code in set(joined.split(" ")):
                    chosen.append(encoding[code])
                    owner.append(number)
            multi_codes[name].append(np.array(chosen, np.int32))
            owners[name].append(np.array(owner, np.int32))
        read += len(chunk)
    if not read:
        return []
    # Months are numbered among those present, so a stray year far off does not widen every count.
    month_values, month_index = np.unique(np.concatenate(months), return_inverse=True)
    weight = np.concatenate(persons)
    column = {name: np.concatenate(parts) for name, parts in codes.items()}
    names = {name: list(encoding) for name, encoding in encodings.items()}
    sizes = {name: len(encoding) for name, encoding in encodings.items()}
    rows: list[CellRow] = []

    def tally(dim_a: str, key_a: str | None, dim_b: str, key_b: str | None, parts: list[Any], size: list[int],
              weights: Any) -> None:
        for month, first, second, count, total in _tally(parts, size, weights):
            value = int(month_values[month])
            rows.append((value // 12, value % 12 + 1, dim_a, names[key_a][first] if key_a else "", dim_b,
                         names[key_b][second] if key_b else "", count, total))

    months_n = len(month_values)
    tally("", None, "", None, [month_index], [months_n], weight)
    tally(VERSION, "taxonomy_version", "", None, [month_index, column["taxonomy_version"]],
          [months_n, sizes["taxonomy_version"]], weight)
    for dim in DIMS:
        tally(dim, dim, "", None, [month_index, column[dim]], [months_n, sizes[dim]], weight)
    for dim_a, dim_b in combinations(DIMS, 2):
        tally(dim_a, dim_a, dim_b, dim_b, [month_index, column[dim_a], column[dim_b]],
              [months_n, sizes[dim_a], sizes[dim_b]], weight)
    for multi_dim in MULTI:
        # One entry per (incident, chosen code): its incident's month, persons and other codes go with it.
        member = np.concatenate(owners[multi_dim])
        answer = np.concatenate(multi_codes[multi_dim])
        member_month, member_weight = month_index[member], weight[member]
        tally(multi_dim, multi_dim, "", None, [member_month, answer], [months_n, sizes[multi_dim]], member_weight)
        for dim in DIMS:
            if dim != multi_dim[:-1]:
                tally(multi_dim, multi_dim, dim, dim, [member_month, answer, column[dim][member]],
                      [months_n, sizes[multi_dim], sizes[dim]], member_weight)
    return rows


def _tally(parts: list[Any], sizes: list[int], weights: Any) -> Iterator[tuple[int, int, int, int, int]]:
    """(month, code a, code b, count, persons) of every combination of the parts' numbers that occurs."""
    flat = np.ravel_multi_index(parts, sizes)
    span = int(np.prod(sizes, dtype=np.int64))
    if span <= max(4 * len(flat), 1 << 16):
        counts = np.bincount(flat, minlength=span)
        totals = np.bincount(flat, weights=weights, minlength=span)
        present = np.flatnonzero(counts)
        counts, totals = counts[present], totals[present]
    else:  # few of very many possible combinations: count the ones there are
        present, inverse = np.unique(flat, return_inverse=True)
        counts = np.bincount(inverse)
        totals = np.bincount(inverse, weights=weights)
    # Sums of persons are far below 2**53, so the float sums of bincount are exact.
    numbers = [*np.unravel_index(present, sizes)]
    numbers += [np.zeros(len(present), np.int64)] * (3 - len(numbers))
    yield from zip(*(n.tolist() for n in numbers), counts.tolist(), np.rint(totals).astype(np.int64).tolist(),
                   strict=True)


def _rebuild_members(conn: Connection) -> None:
    i = Incident.__table__.c  # type: ignore[attr-defined]
    k = IncidentCode.__table__.c  # type: ignore[attr-defined]
    day = func.coalesce(i.incident_date, i.received_on)
    if conn.dialect.name == "postgresql":
        year, month = func.extract("year", day).cast(Integer()), func.extract("month", day).cast(Integer())
    else:
        year, month = func.cast(func.strftime("%Y", day), Integer()), func.cast(func.strftime("%m", day), Integer())

    def joined(field: str) -> Any:
        # The order of the joined codes does not matter: members are compared as sorted code sets.
        return func.coalesce(select(func.aggregate_strings(k.code, " ")).where(
            k.incident_id == i.id, k.field == field).scalar_subquery(), literal(""))

    values = select(i.id, year, month, func.coalesce(i.affected_count, 0), func.coalesce(i.primary_type, ""),
                    func.coalesce(i.primary_motive, ""), func.coalesce(i.life_area, ""),
                    func.coalesce(i.district, ""), func.coalesce(i.place_type, ""),
                    func.coalesce(i.perpetrator_type, ""), func.coalesce(i.reporter_role, ""),
                    func.coalesce(i.channel, ""), func.coalesce(i.police_report, ""),
                    text("CASE WHEN incident.online THEN 'yes' ELSE 'no' END"),
                    joined("incident_types"), joined("motives"), i.taxonomy_version) \
        .where(i.verification.in_(sorted(tx.COUNTED_VERIFICATIONS)))
    columns = ["incident_id", "year", "month", "persons", *DIMS, "incident_types", "motives", "taxonomy_version"]
    conn.execute(insert(StatisticsMember.__table__).from_select(columns, values))  # type: ignore[arg-type, attr-defined]
