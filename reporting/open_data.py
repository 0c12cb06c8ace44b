"""Open data: a year's public aggregates as a documented, versioned JSON file (schema 1.0), and the import of
such files from other deployments, so a district or federal-state instance shows municipalities side by side.

Everything exported comes from `reporting.statistics` for the public audience, so a cell the engine suppressed
can only appear as `null` with `"suppressed": true`. Imports are checked against the published schema and
against their own k: a file carrying a number where it says suppressed, or a count between 1 and k-1, is
refused whole and nothing is stored."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from sqlmodel import Field, Session, SQLModel, col, select

from core import audit
from core.actors import Actor
from core.errors import NotFound, ValidationFailed
from core.permissions import POLICY
from reporting import (
    permissions,  # noqa: F401  (registers the reporting rules)
    statistics,
)
from reporting.statistics import Audience, Cell, Disclosure, Figure, Granularity, Period

SCHEMA_VERSION = "1.0"
SCHEMA_ID = "urn:vorort:open-data:aggregates:1.0"
# The schema is published as a static file of the web layer (and at /offene-daten/schema/1.0.json); the domain
# reads the same file so the export is checked against exactly what is published.
SCHEMA_FILE = (Path(__file__).resolve().parent.parent / "web" / "static" / "open-data"
               / "vorort-aggregates-1.0.schema.json")
GENERATOR = {"name": "Vor Ort", "version": "0.1.0"}
MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_ERRORS_SHOWN = 10


class ImportedAggregate(SQLModel, table=True):
    """An open-data file of another municipality, validated and stored whole; one per (ags, version, year)."""

    __tablename__ = "imported_aggregate"

    ags: str = Field(primary_key=True, max_length=8)
    schema_version: str = Field(primary_key=True, max_length=10)
    year: int = Field(primary_key=True)
    municipality_name: str = Field(max_length=120)
    k: int
    generated_on: date
    imported_at: datetime
    imported_by: int | None = Field(default=None, foreign_key="staff_user.id")
    document: str  # the validated JSON as received


@cache
def published_schema() -> dict[str, Any]:
    """The JSON Schema every export conforms to and every import is checked against."""
    schema: dict[str, Any] = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    return schema


# --- export -------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class View:
    """One table of the export: the year broken down by one dimension (or its single total)."""

    id: str
    kind: str  # "breakdown"; schema 1.0 also knows "series" for deployments that publish them
    rows: str | None = None
    multiple: bool = False


def candidate_views() -> list[View]:
    """Every view the export asks the engine for; the engine decides which the public is offered."""
    views = [View("total", "breakdown")]
    for dimension in statistics.DIMENSIONS:
        views.append(View(f"by-{dimension}", "breakdown", rows=dimension))
        if dimension in statistics.MULTI_DIMENSIONS:
            views.append(View(f"by-{dimension}-multiple", "breakdown", rows=dimension, multiple=True))
    return views


def cell_json(cell: Cell) -> dict[str, Any]:
    if cell.suppressed:
        return {"count": None, "persons": None, "suppressed": True}
    return {"count": cell.count, "persons": cell.persons, "suppressed": False}


def _table(view: View, year: int, figure: Figure) -> dict[str, Any]:
    columns = figure.column_codes if figure.columns is not None else ("",)
    cells = [{"row": row, "column": column, **cell_json(figure.cells[(row, column)])}
             for row in figure.row_codes for column in columns if (row, column) in figure.cells]
    table: dict[str, Any] = {
        "id": view.id, "kind": view.kind, "period": str(year),
        "rows": figure.rows, "columns": figure.columns,
        "multiple": figure.multiple, "row_codes": list(figure.row_codes), "column_codes": list(figure.column_codes),
        "cells": cells,
        "row_totals": {code: cell_json(cell) for code, cell in figure.row_totals.items()},
        "column_totals": {code: cell_json(cell) for code, cell in figure.column_totals.items()},
        "total": cell_json(figure.total),
    }
    return table


def public_figures(session: Session, disclosure: Disclosure, year: int, *,
                   today: date) -> Iterator[tuple[View, Figure]]:
    """The public views of a year the engine offers (a view it refuses is simply not part of the export)."""
    period = Period(Granularity.YEAR, year, 1)
    for view in candidate_views():
        try:
            figure = statistics.breakdown(session, disclosure, Audience.PUBLIC, period, view.rows,
                                          multiple=view.multiple, today=today)
        except ValueError:
            continue
        yield view, figure


def published_years(session: Session, disclosure: Disclosure, *, today: date) -> list[int]:
    """Closed and published years with data, newest first."""
    return [p.year for p in statistics.available_periods(session, disclosure, Granularity.YEAR, today=today)]


def export_document(session: Session, actor: Actor, disclosure: Disclosure, year: int, *, municipality: str,
                    ags: str, today: date) -> dict[str, Any]:
    """The open-data file of a published year; NotFound for a year that is not (yet) published."""
    POLICY.require(actor, "open_data.export")
    if year not in published_years(session, disclosure, today=today):
        raise NotFound("year not published")
    tables = []
    versions: set[str] = set()
    for view, figure in public_figures(session, disclosure, year, today=today):
        tables.append(_table(view, year, figure))
        versions.update(figure.taxonomy_versions)
    return {
        "schema_version": SCHEMA_VERSION,
        "generator": dict(GENERATOR),
        "municipality": {"name": municipality, "ags": ags},
        "taxonomy_versions": sorted(versions),
        "k": disclosure.public_k,
        "generated_on": today.isoformat(),
        "year": year,
        "periods": [str(year)],
        "tables": tables,
    }


# --- import -------------------------------------------------------------------------------------------------

def _where(path: Sequence[Any]) -> str:
    return "/".join(str(part) for part in path) or "(file)"


def schema_errors(document: Any) -> list[str]:
    """Readable messages of everything in `document` the published schema rejects, each with its place."""
    from jsonschema import Draft202012Validator, FormatChecker
    validator = Draft202012Validator(published_schema(), format_checker=FormatChecker())
    errors = sorted(validator.iter_errors(document), key=lambda e: list(map(str, e.absolute_path)))
    messages = []
    for error in errors:
        # oneOf on a cell says only "is not valid under any of the given schemas"; name the likely cause.
        if error.validator == "oneOf" and isinstance(error.instance, dict) and error.instance.get("suppressed"):
            messages.append(f"{_where(error.absolute_path)}: a suppressed cell must have count and persons null")
        else:
            messages.append(f"{_where(error.absolute_path)}: {error.message}")
    return messages


def _cells_of(table: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    for index, cell in enumerate(table.get("cells", [])):
        yield f"cells/{index}", cell
    for key in ("row_totals", "column_totals"):
        for code, cell in table.get(key, {}).items():
            yield f"{key}/{code or '(not stated)'}", cell
    yield "total", table.get("total", {})


def disclosure_errors(document: Mapping[str, Any]) -> list[str]:
    """Numbers the file's own k forbids: a count or a number of persons between 1 and k-1."""
    k = int(document["k"])
    messages = []
    for t, table in enumerate(document["tables"]):
        for where, cell in _cells_of(table):
            for name in ("count", "persons"):
                value = cell.get(name)
                if isinstance(value, int) and 0 < value < k:
                    messages.append(f"tables/{t} ({table['id']})/{where}/{name}: {value} is below the file's "
                                    f"k = {k}; such a cell must be suppressed")
    return messages


class FileRefused(ValidationFailed):
    """The uploaded file was refused whole; `problems` names each place and what is wrong there."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__({"file": "open_data_refused"})
        self.problems = problems[:MAX_ERRORS_SHOWN]
        if len(problems) > MAX_ERRORS_SHOWN:
            self.problems.append(f"... and {len(problems) - MAX_ERRORS_SHOWN} more")


def parse_document(raw: bytes) -> dict[str, Any]:
    """A validated open-data document, or FileRefused naming every problem found (at most ten)."""
    if len(raw) > MAX_FILE_BYTES:
        raise FileRefused(["(file): the file is larger than 2 MB"])
    try:
        document = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FileRefused([f"(file): not JSON in UTF-8 ({exc})"]) from exc
    if not isinstance(document, dict):
        raise FileRefused(["(file): not a JSON object"])
    if document.get("schema_version") != SCHEMA_VERSION:
        raise FileRefused([f"schema_version: {document.get('schema_version')!r} is not supported; this instance "
                           f"reads version {SCHEMA_VERSION}"])
    problems = schema_errors(document) or disclosure_errors(document)
    if problems:
        raise FileRefused(problems)
    return document


def import_document(session: Session, actor: Actor, raw: bytes, *, own_ags: str, now: datetime) -> ImportedAggregate:
    """Store another municipality's open-data file for comparison; a file of the same (ags, version, year)
    replaces the earlier one."""
    POLICY.require(actor, "open_data.import")
    document = parse_document(raw)
    ags = document["municipality"]["ags"]
    if ags == own_ags:
        raise FileRefused([f"municipality/ags: {ags} is this municipality; its own figures are shown from this "
                           "instance"])
    key = (ags, document["schema_version"], int(document["year"]))
    stored = session.get(ImportedAggregate, key)
    if stored is None:
        stored = ImportedAggregate(ags=key[0], schema_version=key[1], year=key[2], municipality_name="", k=2,
                                   generated_on=now.date(), imported_at=now, document="")
    stored.municipality_name = document["municipality"]["name"]
    stored.k = int(document["k"])
    stored.generated_on = date.fromisoformat(document["generated_on"])
    stored.imported_at = now
    stored.imported_by = actor.user_id
    stored.document = json.dumps(document, ensure_ascii=False, sort_keys=True)
    session.add(stored)
    audit.record(session, actor, "open_data.import", "imported_aggregate", f"{key[0]}/{key[2]}", now=now)
    session.flush()
    return stored


def imported(session: Session, actor: Actor, *, year: int | None = None) -> list[ImportedAggregate]:
    """Imported files, by year (newest first) and municipality."""
    POLICY.require(actor, "open_data.compare")
    query = select(ImportedAggregate)
    if year is not None:
        query = query.where(ImportedAggregate.year == year)
    rows = session.exec(query.order_by(col(ImportedAggregate.year).desc(),
                                       col(ImportedAggregate.municipality_name))).all()
    return list(rows)


def remove_import(session: Session, actor: Actor, ags: str, year: int, *, now: datetime) -> bool:
    """Remove an imported file; False when there was none (removing twice is harmless)."""
    POLICY.require(actor, "open_data.import")
    stored = session.get(ImportedAggregate, (ags, SCHEMA_VERSION, year))
    if stored is None:
        return False
    session.delete(stored)
    audit.record(session, actor, "open_data.remove", "imported_aggregate", f"{ags}/{year}", now=now)
    session.flush()
    return True


# --- comparison ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Column:
    """One municipality in a comparison: its name, key, k and the table of the chosen view (None: not offered)."""

    name: str
    ags: str
    k: int
    own: bool
    table: Mapping[str, Any] | None

    def cell(self, row: str) -> Mapping[str, Any] | None:
        if self.table is None:
            return None
        if self.table["rows"] is None:
            return self.table["total"]  # type: ignore[no-any-return]
        for cell in self.table["cells"]:
            if cell["row"] == row and cell["column"] == "":
                return cell  # type: ignore[no-any-return]
        return None

    @property
    def total(self) -> Mapping[str, Any] | None:
        return None if self.table is None else self.table["total"]


@dataclass(frozen=True)
class Comparison:
    view_id: str
    year: int
    rows: tuple[str, ...]
    dimension: str | None
    multiple: bool
    columns: tuple[Column, ...]


def _table_of(document: Mapping[str, Any], view_id: str) -> Mapping[str, Any] | None:
    for table in document["tables"]:
        if table["id"] == view_id and not table["columns"]:
            return table  # type: ignore[no-any-return]
    return None


def view_ids(documents: Sequence[Mapping[str, Any]]) -> list[str]:
    """The one-dimensional views of the documents, in the order of the first document that has them."""
    seen: list[str] = []
    for document in documents:
        for table in document["tables"]:
            if not table["columns"] and table["id"] not in seen:
                seen.append(table["id"])
    return seen


def compare_documents(own: Mapping[str, Any] | None, others: Sequence[Mapping[str, Any]], view_id: str,
                      year: int) -> Comparison:
    """The same view of several municipalities side by side; rows are the union of their codes in the order
    they first appear (a code another taxonomy version lacks stays empty there)."""
    documents = [*([own] if own is not None else []), *others]
    columns = []
    rows: list[str] = []
    dimension: str | None = None
    multiple = False
    for index, document in enumerate(documents):
        table = _table_of(document, view_id)
        if table is not None:
            dimension, multiple = table["rows"], table["multiple"]
            rows.extend(code for code in table["row_codes"] if code not in rows)
        columns.append(Column(document["municipality"]["name"], document["municipality"]["ags"], int(document["k"]),
                              own is not None and index == 0, table))
    return Comparison(view_id, year, tuple(rows), dimension, multiple, tuple(columns))


def stored_document(row: ImportedAggregate) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(row.document)
    return document
