"""Open data: the export follows its published schema, another instance imports it to the same figures,
tampered files are refused whole, and no exported number lies between 1 and k-1."""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from datetime import date

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator, FormatChecker
from sqlmodel import Session, delete, select

from core.actors import SYSTEM
from core.clock import utcnow
from core.db import make_engine
from core.migrate import upgrade
from reporting import open_data
from reporting.models import Incident, IncidentCode
from reporting.open_data import FileRefused, ImportedAggregate
from reporting.statistics import Disclosure, rebuild_rollup
from tests.personas import PersonaFactory, add_districts
from tests.scratch import scratch_database_url
from tests.statistics_data import add_incident
from tests.web_client import WebClient

# These tests read the English wording (German is the default language).
pytestmark = pytest.mark.usefixtures("english_pages")

TODAY = date(2026, 3, 1)
DISCLOSE = Disclosure(k=3, public_k=5, delay_days=14)
TYPES = ("insult_verbal_abuse", "discrimination", "threat_coercion", "physical_attack")
MOTIVES = ("racism", "antisemitism", "appearance", "ableism")


def _year_of_incidents(db, centre: int) -> None:
    """2025: many insults in the old town, a few rare ones elsewhere (to be suppressed)."""
    for n in range(24):
        add_incident(db, centre, on=date(2025, 1 + n % 12, 10), district="altstadt", affected_count=1,
                     life_area="housing", types=("insult_verbal_abuse",), motives=("racism",))
    for n in range(7):
        add_incident(db, centre, on=date(2025, 4, 2 + n), district="hafen", affected_count=2,
                     life_area="employment", types=("discrimination",), motives=("racism", "appearance"))
    for n in range(2):
        add_incident(db, centre, on=date(2025, 6, 3 + n), district="nordviertel", affected_count=1,
                     types=("physical_attack",), motives=("antisemitism",))
    rebuild_rollup(db)
    db.commit()


@pytest.fixture
def centre(db, personas) -> int:
    add_districts(db)
    centre_id = personas["counsellor_a"].organisation_id
    _year_of_incidents(db, centre_id)
    return centre_id


def _export(db) -> dict:
    return open_data.export_document(db, SYSTEM, DISCLOSE, 2025, municipality="Musterstadt", ags="09999999",
                                     today=TODAY)


def _numbers(document: dict):
    for table in document["tables"]:
        for _where, cell in open_data._cells_of(table):
            for name in ("count", "persons"):
                if cell.get(name) is not None:
                    yield table["id"], name, cell[name]


def test_export_validates_against_the_published_schema(db, centre, client):
    document = _export(db)
    published = client.get("/offene-daten/schema/1.0.json")
    assert published.status_code == 200
    schema = published.json()
    assert schema["$id"] == open_data.SCHEMA_ID and schema["$schema"].endswith("/2020-12/schema")
    Draft202012Validator.check_schema(schema)
    Draft202012Validator(schema, format_checker=FormatChecker()).validate(document)
    assert document["k"] == 5 and document["municipality"] == {"name": "Musterstadt", "ags": "09999999"}
    ids = [table["id"] for table in document["tables"]]
    assert ids[:2] == ["total", "by-incident_type"] and "by-district" in ids and "by-motive-multiple" in ids
    total = next(t for t in document["tables"] if t["id"] == "total")["total"]
    assert total == {"count": 33, "persons": 40, "suppressed": False}
    by_district = next(t for t in document["tables"] if t["id"] == "by-district")
    nord = next(c for c in by_district["cells"] if c["row"] == "nordviertel")
    assert nord == {"row": "nordviertel", "column": "", "count": None, "persons": None, "suppressed": True}


def test_a_year_not_yet_published_has_no_export(db, centre):
    from core.errors import NotFound
    with pytest.raises(NotFound):
        open_data.export_document(db, SYSTEM, DISCLOSE, 2025, municipality="M", ags="09999999",
                                  today=date(2026, 1, 10))


def test_export_import_into_a_second_instance_reproduces_the_same_figures(db, centre, app, client, personas,
                                                                         settings, engine, crypto, tmp_path):
    client.login(personas["coordinator"])
    download = client.get("/statistik/offene-daten/2025.json")
    assert download.status_code == 200
    assert 'filename="vorort-09999999-2025.json"' in download.headers["content-disposition"]
    exported = download.json()

    from web.app import create_app
    second_url = scratch_database_url(engine, tmp_path, "second")
    second_engine = make_engine(second_url)
    upgrade(second_engine)
    try:
        second_settings = replace(settings, database_url=second_url, ags="09999998", municipality_name="Beispielstadt")
        with Session(second_engine, expire_on_commit=False) as second_db:
            coordinator = PersonaFactory(second_db, crypto)["coordinator"]
        with WebClient(create_app(second_settings, engine=second_engine)) as second:
            second.login(coordinator)
            answer = second.post("/statistik/vergleich", data={"_csrf_token": second.csrf()},
                                 files={"file": ("musterstadt-2025.json", download.content, "application/json")})
            assert answer.status_code == 303, answer.text
            page = second.get(answer.headers["location"])
            assert page.status_code == 200 and "Musterstadt" in page.text and "09999999" in page.text
            with Session(second_engine) as second_db:
                stored = second_db.exec(select(ImportedAggregate)).one()
                reimported = open_data.stored_document(stored)
            assert reimported == exported
            assert (stored.ags, stored.year, stored.k) == ("09999999", 2025, settings.public_suppression_k)
            # The comparison shows every figure of every table exactly as the source published it.
            for table in exported["tables"]:
                shown = open_data.compare_documents(None, [reimported], table["id"], 2025).columns[0]
                for cell in table["cells"]:
                    assert shown.cell(cell["row"]) == cell
            districts = second.get("/statistik/vergleich?jahr=2025&ansicht=by-district").text
            published = [c["count"] for c in exported["tables"][0]["cells"] + [exported["tables"][0]["total"]]
                         if c["count"] is not None]
            assert published and all(f">{n}<" in districts for n in published)  # the total, as published
            # Re-importing the same (ags, version, year) replaces the earlier file.
            again = second.post("/statistik/vergleich", data={"_csrf_token": second.csrf()},
                                files={"file": ("again.json", download.content, "application/json")})
            assert again.status_code == 303
            with Session(second_engine) as second_db:
                assert len(second_db.exec(select(ImportedAggregate)).all()) == 1
    finally:
        second_engine.dispose()


def _tampered(document: dict, how: str) -> dict:
    changed = copy.deepcopy(document)
    by_district = next(t for t in changed["tables"] if t["id"] == "by-district")
    if how == "suppressed-with-number":
        cell = next(c for c in by_district["cells"] if c["suppressed"])
        cell["count"] = 2
    elif how == "three-with-k-five":
        by_district["cells"][0].update({"count": 3, "persons": 6, "suppressed": False})
    elif how == "wrong-version":
        changed["schema_version"] = "2.0"
    # Another municipality's file (our own key is refused for its own reason), or a malformed key.
    changed["municipality"]["ags"] = "1234" if how == "bad-ags" else "09999997"
    return changed


@pytest.mark.parametrize(("how", "message"), [
    ("suppressed-with-number", "a suppressed cell must have count and persons null"),
    ("three-with-k-five", "3 is below the file's k = 5"),
    ("wrong-version", "'2.0' is not supported"),
    ("bad-ags", "municipality/ags"),
])
def test_tampered_files_are_refused_with_a_clear_message_and_nothing_stored(how, message, db, centre, client,
                                                                            personas):
    document = _tampered(_export(db), how)
    raw = json.dumps(document).encode()
    with pytest.raises(FileRefused) as refused:
        open_data.import_document(db, personas["coordinator"].actor, raw, own_ags="09999999", now=utcnow())
    assert any(message in problem for problem in refused.value.problems), refused.value.problems
    db.rollback()
    client.login(personas["coordinator"])
    answer = client.post("/statistik/vergleich", data={"_csrf_token": client.csrf()},
                         files={"file": ("x.json", raw, "application/json")})
    assert answer.status_code == 422
    assert "nothing was stored" in answer.text and message.replace("'", "&#39;") in answer.text
    assert db.exec(select(ImportedAggregate)).all() == []


def test_an_own_file_and_a_non_json_file_are_refused(db, centre, personas):
    actor = personas["coordinator"].actor
    with pytest.raises(FileRefused) as own:
        open_data.import_document(db, actor, json.dumps(_export(db)).encode(), own_ags="09999999", now=utcnow())
    assert "this municipality" in own.value.problems[0]
    with pytest.raises(FileRefused):
        open_data.import_document(db, actor, b"\xff not json", own_ags="09999999", now=utcnow())


def test_only_coordinators_import_and_members_compare(db, centre, personas):
    from core.errors import PermissionDenied
    raw = json.dumps(_tampered(_export(db), "none")).encode()
    with pytest.raises(PermissionDenied):
        open_data.import_document(db, personas["strategy_member"].actor, raw, own_ags="09999999", now=utcnow())
    open_data.import_document(db, personas["coordinator"].actor, raw, own_ags="09999999", now=utcnow())
    assert [row.ags for row in open_data.imported(db, personas["strategy_member"].actor)] == ["09999997"]
    with pytest.raises(PermissionDenied):
        open_data.imported(db, personas["counsellor_a"].actor)


def test_public_export_only_when_statistics_are_public(db, centre, client, settings, engine):
    from litestar.testing import TestClient

    from web.app import create_app
    assert client.get("/offene-daten/2025.json").status_code == 404
    with TestClient(create_app(replace(settings, public_statistics=True), engine=engine)) as public:
        answer = public.get("/offene-daten/2025.json")
        assert answer.status_code == 200 and answer.json()["k"] == settings.public_suppression_k
        assert public.get("/offene-daten/2031.json").status_code == 404
        assert public.get("/offene-daten/2025.csv").status_code == 404


incident_sets = st.lists(st.tuples(st.integers(1, 12), st.sampled_from(["altstadt", "nordviertel", "hafen", None]),
                                   st.sampled_from(TYPES), st.sampled_from(MOTIVES), st.integers(0, 3)),
                         max_size=40)


@hypothesis_settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(incidents=incident_sets)
def test_no_exported_number_lies_between_one_and_k_minus_one(db, personas, incidents):
    from reporting.models import District
    if db.get(District, "altstadt") is None:
        add_districts(db)
    centre_id = personas["counsellor_a"].organisation_id
    db.exec(delete(IncidentCode))  # type: ignore[call-overload]
    db.exec(delete(Incident))  # type: ignore[call-overload]
    add_incident(db, centre_id, on=date(2025, 1, 1))  # the year has data, so it is published
    for month, district, kind, motive, affected in incidents:
        add_incident(db, centre_id, on=date(2025, month, 5), district=district, affected_count=affected,
                     types=(kind,), motives=(motive,))
    rebuild_rollup(db)
    db.commit()
    document = _export(db)
    assert [(t, n, v) for t, n, v in _numbers(document) if 0 < v < DISCLOSE.public_k] == []
    assert not open_data.disclosure_errors(document) and not open_data.schema_errors(document)
