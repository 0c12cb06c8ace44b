"""Upgrades from every earlier revision, with data in the database, keep that data."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import inspect, text

from core.db import make_engine
from core.migrate import upgrade
from tests.scratch import scratch_database_url

NOW = datetime(2026, 1, 15, 10, 0, tzinfo=UTC)

# What each revision's schema can hold, written with plain SQL as an installation of that time would have.
DATA_AT = {
    "0001": [
        ("INSERT INTO organisation (id, name, kind, created_at) "
         "VALUES (1, 'Beratung Alt', 'counselling_centre', :now)"),
        ("INSERT INTO staff_user (id, email, display_name, organisation_id, password_hash, is_active, created_at, "
         "password_changed_at) VALUES (1, 'alt@example.org', 'Alt', 1, 'x', :true, :now, :now)"),
        "INSERT INTO staff_user_role (user_id, role) VALUES (1, 'counsellor')",
        ("INSERT INTO audit_event (at, actor_user_id, action, object_type, object_id) "
         "VALUES (:now, 1, 'account.login', 'user', '1')"),
    ],
    "0002": [
        "INSERT INTO district (code, name, position) VALUES ('altstadt', 'Altstadt', 0)",
        ("INSERT INTO receiving_centre (organisation_id, public_key, recovery_salt, recovery_wrapped, is_default, "
         "established_at) VALUES (1, :blob, :blob, :blob, :true, :now)"),
        ("INSERT INTO incident (id, taxonomy_version, received_on, channel, reporter_role, date_precision, online, "
         "centre_id, state, verification, wants_contact, key_for_centre, district, primary_type) VALUES "
         "('aaaa', '2026.1', :day, 'web_form', 'affected', 'unknown', :false, 1, 'received', 'verified', :false, "
         ":blob, 'altstadt', 'insult_verbal_abuse')"),
        "INSERT INTO incident_code (incident_id, field, code) VALUES ('aaaa', 'incident_types', 'insult_verbal_abuse')",
        ("INSERT INTO message (incident_id, author, sent_on, body_sealed, read_by_centre) "
         "VALUES ('aaaa', 'reporter', :day, :blob, :false)"),
    ],
    "0003": [
        ("INSERT INTO counselling_case (id, organisation_id, status, opened_at, key_for_centre) "
         "VALUES (1, 1, 'open', :now, :blob)"),
        "INSERT INTO case_incident (case_id, incident_id) VALUES (1, 'aaaa')",
        "INSERT INTO case_event (case_id, at, kind, code, done) VALUES (1, :now, 'request', 'apology', :false)",
    ],
}
REVISIONS = sorted(DATA_AT)
COUNTS = {"organisation": 1, "staff_user": 1, "audit_event": 1, "incident": 1, "message": 1, "counselling_case": 1,
          "case_event": 1}


@pytest.mark.parametrize("start", REVISIONS)
def test_upgrade_from_each_revision_keeps_the_data(engine, tmp_path, start):
    target = make_engine(scratch_database_url(engine, tmp_path, f"mig{start}"))
    params = {"now": NOW, "day": date(2026, 1, 15), "blob": b"\x01" * 32, "true": True, "false": False}
    try:
        for revision in REVISIONS:
            if revision > start:
                break
            upgrade(target, revision)
            with target.begin() as connection:
                for statement in DATA_AT[revision]:
                    connection.execute(text(statement), params)
        upgrade(target, "head")
        with target.connect() as connection:
            present = set(inspect(connection).get_table_names())
            for table, count in COUNTS.items():
                if table in present and any(table in " ".join(DATA_AT[r]) for r in REVISIONS if r <= start):
                    assert connection.execute(text(f"SELECT count(*) FROM {table}")).scalar() == count, table
            assert connection.execute(text("SELECT email FROM staff_user")).scalar() == "alt@example.org"
    finally:
        target.dispose()
