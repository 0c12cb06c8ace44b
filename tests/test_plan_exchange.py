"""Measures to CSV/XLSX and back: a round trip changes nothing, edited cells change exactly those fields (audited,
in the history), any row error rejects the whole file; the ECCAR report groups measures by commitment."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pytest
from sqlmodel import select

from core.audit import AuditEvent
from core.errors import NotFound, PermissionDenied
from strategy import exchange
from strategy.eccar import eccar_report
from strategy.models import Measure, MeasureRevision
from strategy.plans import create_plan

NOW = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)


@pytest.fixture
def plan(db, personas):
    created = create_plan(db, personas["coordinator"].actor, template="eccar", title="Aktionsplan ECCAR",
                          period_start=date(2026, 1, 1), period_end=date(2028, 12, 31), now=NOW)
    db.commit()
    return created


def measures(db, plan_id: int) -> list[Measure]:
    return list(db.exec(select(Measure).where(Measure.plan_id == plan_id).order_by(Measure.id)).all())


def csv_of(rows: list[dict[str, str]]) -> bytes:
    return exchange.as_csv(rows)


def test_export_lists_every_measure_with_its_commitment_and_quotes_formulas(db, personas, plan):
    first = measures(db, plan.id)[0]
    first.title = "=HYPERLINK(\"http://evil.example\")"
    db.add(first)
    db.commit()
    rows = exchange.export_measures(db, personas["strategy_member"].actor, plan.id)
    assert len(rows) == 10 and list(rows[0]) == list(exchange.COLUMNS)
    assert [row["eccar_commitment"] for row in rows] == [str(n) for n in range(1, 11)]
    assert "'=HYPERLINK" in exchange.as_csv(rows).decode("utf-8-sig")
    from openpyxl import load_workbook
    sheet = load_workbook(io.BytesIO(exchange.as_xlsx(rows))).active
    assert sheet.cell(row=2, column=exchange.COLUMNS.index("title") + 1).value.startswith("'=")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_round_trip_without_edits_changes_nothing(db, personas, plan, fmt):
    actor = personas["coordinator"].actor
    rows = exchange.export_measures(db, actor, plan.id)
    rows[0]["title"] = "-5 % Wartezeit"  # a leading minus survives the formula quoting both ways
    first = measures(db, plan.id)[0]
    first.title = "-5 % Wartezeit"
    db.add(first)
    db.commit()
    rows = exchange.export_measures(db, actor, plan.id)
    data = exchange.as_csv(rows) if fmt == "csv" else exchange.as_xlsx(rows)
    revisions = len(db.exec(select(MeasureRevision)).all())
    result = exchange.import_measures(db, actor, plan.id, exchange.read_rows(data), now=NOW)
    db.commit()
    assert (result.created, result.updated, result.unchanged) == (0, 0, 10)
    assert len(db.exec(select(MeasureRevision)).all()) == revisions
    assert [m.version for m in measures(db, plan.id)] == [1] * 10


def test_edited_cells_change_exactly_those_fields_audited_and_in_the_history(db, personas, plan):
    actor = personas["coordinator"].actor
    rows = exchange.export_measures(db, actor, plan.id)
    rows[2]["planned_end"] = "2027-06-30"
    rows[2]["budget"] = "12.500,00"
    rows[5]["eccar_commitment"] = "3"
    rows.append({**{c: "" for c in exchange.COLUMNS}, "goal_id": rows[0]["goal_id"], "title": "Neue Maßnahme",
                 "planned_start": "2026-09-01"})
    check = exchange.check_import(db, actor, plan.id, exchange.read_rows(exchange.as_xlsx(rows)))
    assert check.ok and check.unchanged == 8
    assert [(c.row, c.fields) for c in check.changes] == [(4, ("planned_end", "budget")), (7, ("eccar_commitment",)),
                                                          (12, ("goal_id", "title", "planned_start"))]
    result = exchange.import_measures(db, actor, plan.id, exchange.read_rows(exchange.as_xlsx(rows)), now=NOW)
    db.commit()
    assert (result.created, result.updated, result.unchanged) == (1, 2, 8)
    changed = db.get(Measure, int(rows[2]["id"]))
    assert (changed.planned_end, changed.budget_cents, changed.version) == (date(2027, 6, 30), 1_250_000, 2)
    untouched = db.get(Measure, int(rows[3]["id"]))
    assert untouched.version == 1
    revision = db.exec(select(MeasureRevision).where(MeasureRevision.measure_id == changed.id)
                       .order_by(MeasureRevision.number.desc())).first()
    assert revision.action == "edited" and revision.fields["planned_end"] == "2027-06-30"
    actions = [(e.action, e.object_id) for e in db.exec(select(AuditEvent)).all() if e.at == NOW]
    assert ("measure.update", rows[2]["id"]) in actions
    assert ("measure.eccar_commitment", rows[5]["id"]) in actions
    assert ("plan.import", str(plan.id)) in actions
    assert sum(a == "measure.create" for a, _ in actions) == 1
    report = eccar_report(db, actor, plan.id)
    assert [line.title for line in report.sections[2].lines][-1] == db.get(Measure, int(rows[5]["id"])).title
    assert any(line.title == "Neue Maßnahme" for line in report.sections[0].lines)


def test_one_bad_row_rejects_the_whole_file_naming_row_and_column(db, personas, plan):
    actor = personas["coordinator"].actor
    rows = exchange.export_measures(db, actor, plan.id)
    rows[0]["title"] = "Geändert"
    rows[1]["planned_end"] = "31.12.2026"
    rows[2]["status"] = "completed"
    rows[3]["eccar_commitment"] = "11"
    rows[4]["id"] = "999999"
    with pytest.raises(exchange.ImportRejected) as rejected:
        exchange.import_measures(db, actor, plan.id, exchange.read_rows(csv_of(rows)), now=NOW)
    db.rollback()
    assert [(e.row, e.column) for e in rejected.value.check.errors] == [
        (3, "planned_end"), (4, "status"), (5, "eccar_commitment"), (6, "id")]
    assert measures(db, plan.id)[0].title != "Geändert"


def test_a_file_exported_before_someone_else_changed_a_measure_is_refused_for_that_row(db, personas, plan):
    actor = personas["coordinator"].actor
    rows = exchange.export_measures(db, actor, plan.id)
    first = measures(db, plan.id)[0]
    first.version += 1
    db.add(first)
    db.commit()
    rows[0]["title"] = "Mein Stand"
    check = exchange.check_import(db, actor, plan.id, exchange.read_rows(csv_of(rows)))
    assert [(e.row, e.column) for e in check.errors] == [(2, "version")]


def test_only_coordinators_import_and_outsiders_do_not_see_the_plan(db, personas, plan):
    rows = exchange.read_rows(csv_of(exchange.export_measures(db, personas["coordinator"].actor, plan.id)))
    with pytest.raises(PermissionDenied):
        exchange.check_import(db, personas["strategy_member"].actor, plan.id, rows)
    with pytest.raises(NotFound):
        exchange.export_measures(db, personas["counsellor_a"].actor, plan.id)


def test_import_and_report_pages_end_to_end(client, db, personas, plan):
    coordinator = personas["coordinator"]
    client.login(coordinator)
    exported = client.get(f"/plan/{plan.id}/export.csv")
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    edited = exported.content.decode("utf-8-sig").replace("Beobachtungs- und Meldenetz", "Meldenetz", 1)
    csrf = client.csrf()
    checked = client.post(f"/plan/{plan.id}/import", files={"file": ("m.csv", edited.encode(), "text/csv")},
                          data={"_csrf_token": csrf}, headers={"accept-language": "en"})
    assert checked.status_code == 200 and "Take over 1 change" in checked.text
    data = checked.text.split('name="data" value="')[1].split('"')[0]
    done = client.submit(f"/plan/{plan.id}/import/bestaetigen", {"data": data}, follow_redirects=False)
    assert done.status_code == 303
    assert any(m.title.startswith("Meldenetz") for m in measures(db, plan.id))
    bad = edited.replace("2026", "20x6", 1) if "2026" in edited else edited + "\n,x,,,,,,,,,,,,,,,,,,\n"
    refused = client.post(f"/plan/{plan.id}/import", files={"file": ("m.csv", bad.encode(), "text/csv")},
                          data={"_csrf_token": client.csrf()}, headers={"accept-language": "en"})
    assert refused.status_code == 422 and "Nothing was changed" in refused.text
    report = client.get(f"/plan/{plan.id}/eccar", headers={"accept-language": "en"})
    assert report.status_code == 200 and "1. Wachsam gegen Rassismus" in report.text and "Meldenetz" in report.text
    download = client.get(f"/plan/{plan.id}/eccar.xlsx")
    assert download.status_code == 200 and download.content[:2] == b"PK"
    client.submit("/abmelden")
    client.login(personas["strategy_member"])
    assert client.get(f"/plan/{plan.id}/import").status_code == 403
    assert client.get(f"/plan/{plan.id}/export.xlsx").status_code == 200
