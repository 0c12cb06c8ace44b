"""Backups taken while reports keep arriving restore completely and consistently."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from core.backup import BackupError, read_backup, restore, write_backup
from core.clock import utcnow
from core.db import make_engine
from reporting.intake import intake_context, parse_report, submit_report
from reporting.models import Incident
from tests.intake_flow import FULL_REPORT
from tests.personas import add_districts, establish_centres
from tests.scratch import scratch_database_url


def _writer(engine, crypto, acknowledged: list[str], stop: threading.Event) -> None:
    values = {k: v if isinstance(v, list) else [v] for k, v in FULL_REPORT.items()}
    while not stop.is_set():
        with Session(engine) as db:
            report = parse_report(values, intake_context(db, today=utcnow().date()))
            submitted = submit_report(db, report, [], tag_key=b"t" * 32, params=crypto.argon2,
                                      today=utcnow().date(), with_receipt=False)
            db.commit()
        acknowledged.append(submitted.incident_id)


def _figures(session, ids: set[str]) -> list[tuple[str, str, int]]:
    from sqlalchemy import func

    from reporting.models import IncidentCode
    rows = session.exec(select(IncidentCode.field, IncidentCode.code, func.count())
                        .where(IncidentCode.incident_id.in_(ids))
                        .group_by(IncidentCode.field, IncidentCode.code)).all()
    return sorted((f, c, int(n)) for f, c, n in rows)


def test_backup_during_writes_restores_every_acknowledged_report(engine, db, crypto, personas, settings,
                                                                   tmp_path):
    add_districts(db)
    establish_centres(db, crypto, personas)
    acknowledged: list[str] = []
    stop = threading.Event()
    writers = [threading.Thread(target=_writer, args=(engine, crypto, acknowledged, stop)) for _ in range(2)]
    for writer in writers:
        writer.start()
    while len(acknowledged) < 20:
        stop.wait(0.01)
    before_backup = list(acknowledged)
    secret = settings.secret_key_file.read_bytes()
    url = engine.url.render_as_string(hide_password=False)
    write_backup(url, secret, tmp_path / "vorort.backup")
    stop.set()
    for writer in writers:
        writer.join()
    target = scratch_database_url(engine, tmp_path, "restored")
    restore(tmp_path / "vorort.backup", secret, target)
    restored = make_engine(target)
    try:
        with Session(restored) as copy:
            ids = set(copy.exec(select(Incident.id)).all())
            assert set(before_backup) <= ids
            # The snapshot is consistent: the figures of its reports are the same in both databases.
            assert _figures(copy, ids) == _figures(db, ids)
            if restored.dialect.name == "sqlite":
                assert copy.exec(text("PRAGMA integrity_check")).scalar() == "ok"
        from dataclasses import replace

        from litestar.testing import TestClient

        from web.app import create_app
        with TestClient(create_app(replace(settings, database_url=target), engine=restored)) as app_on_copy:
            assert app_on_copy.get("/readyz").json()["status"] == "ok"
    finally:
        restored.dispose()


def test_backup_is_encrypted_and_needs_the_secret_key(engine, db, settings, tmp_path):
    if engine.dialect.name != "sqlite":
        pytest.skip("the file format is the same for PostgreSQL; checked once on SQLite")
    secret = settings.secret_key_file.read_bytes()
    write_backup(engine.url.render_as_string(), secret, tmp_path / "b")
    blob = (tmp_path / "b").read_bytes()
    assert b"SQLite format 3" not in blob and b"staff_user" not in blob
    assert read_backup(tmp_path / "b", secret)[0] == "sqlite"
    with pytest.raises(BackupError):
        read_backup(tmp_path / "b", b"x" * 32)
    with pytest.raises(BackupError):
        restore(tmp_path / "b", secret, "postgresql://nobody@127.0.0.1/none")
