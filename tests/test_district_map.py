"""The district map: a GeoJSON file is validated, stored, and its features become the districts."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from core.actors import SYSTEM
from core.audit import AuditEvent
from core.clock import utcnow
from core.errors import PermissionDenied, ValidationFailed
from reporting.district_map import current_geojson, districts_in_order, save_district_map
from reporting.models import District
from web.demo_incidents import DISTRICTS
from web.demo_statistics import MUSTERSTADT_GEOJSON

SQUARE = [[[10.0, 51.0], [10.1, 51.0], [10.1, 51.1], [10.0, 51.1], [10.0, 51.0]]]


def _feature(code: object = "mitte", name: object = "Mitte", geometry: object = None) -> dict:
    return {"type": "Feature", "properties": {"code": code, "name": name},
            "geometry": geometry if geometry is not None else {"type": "Polygon", "coordinates": SQUARE}}


def _collection(*features: dict) -> str:
    return json.dumps({"type": "FeatureCollection", "features": list(features)})


def test_shipped_demo_map_has_the_demo_districts_in_order(db):
    districts = save_district_map(db, SYSTEM, MUSTERSTADT_GEOJSON.read_text(encoding="utf-8"), now=utcnow())
    assert [(d.code, d.name) for d in districts] == DISTRICTS
    assert [d.position for d in districts_in_order(db)] == list(range(len(DISTRICTS)))
    stored = current_geojson(db)
    assert stored is not None and len(stored["features"]) == len(DISTRICTS)


def test_saving_a_map_upserts_districts_and_keeps_old_codes_behind(db):
    db.add(District(code="alt", name="Alter Name", position=0))
    db.add(District(code="mitte", name="Zentrum", position=1))
    db.commit()
    multi = {"type": "MultiPolygon", "coordinates": [SQUARE, SQUARE]}
    save_district_map(db, SYSTEM, _collection(_feature(), _feature("nord", "Nord", multi)), now=utcnow())
    db.commit()
    assert [(d.code, d.name, d.position) for d in districts_in_order(db)] == [
        ("mitte", "Mitte", 0), ("nord", "Nord", 1), ("alt", "Alter Name", 2)]
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "district_map.replace")).one()


@pytest.mark.parametrize(("text", "error"), [
    ("not json {", "geojson_not_json"),
    (json.dumps([1, 2]), "geojson_no_features"),
    (json.dumps({"type": "FeatureCollection", "features": []}), "geojson_no_features"),
    (json.dumps({"type": "Feature", "features": [_feature()]}), "geojson_no_features"),
    (_collection(_feature(code="")), "geojson_feature_without_code"),
    (_collection(_feature(code=7)), "geojson_feature_without_code"),
    (_collection({"type": "Feature", "geometry": {"type": "Polygon", "coordinates": SQUARE}}),
     "geojson_feature_without_code"),
    (_collection(_feature(name=None)), "geojson_feature_without_name"),
    (_collection(_feature(geometry={"type": "Point", "coordinates": [10.0, 51.0]})),
     "geojson_unsupported_geometry"),
    (_collection(_feature(geometry={"type": "Polygon", "coordinates": [[[10.0, 51.0], [10.1, 51.0]]]})),
     "geojson_unsupported_geometry"),
    (_collection(_feature(geometry={"type": "Polygon", "coordinates": [[[500, 51], [10, 51], [10, 52], [500, 51]]]})),
     "geojson_unsupported_geometry"),
    (_collection(_feature(), _feature()), "geojson_duplicate_code"),
    (_collection(*[_feature(code=f"d{i}") for i in range(201)]), "geojson_too_many_features"),
    (" " * 2_000_001, "geojson_too_large"),
])
def test_a_broken_file_is_refused_with_a_field_error_and_nothing_changes(db, text, error):
    with pytest.raises(ValidationFailed) as refused:
        save_district_map(db, SYSTEM, text, now=utcnow())
    assert refused.value.errors == {"geojson": error}
    assert current_geojson(db) is None
    assert db.exec(select(District)).all() == []


def test_every_validation_error_has_a_message():
    from web.messages import FIELD_MESSAGES
    for code in ("geojson_not_json", "geojson_no_features", "geojson_too_many_features", "geojson_too_large",
                 "geojson_feature_without_code", "geojson_feature_without_name", "geojson_unsupported_geometry",
                 "geojson_duplicate_code"):
        assert code in FIELD_MESSAGES


def test_only_administrators_may_replace_the_map(db, personas):
    with pytest.raises(PermissionDenied):
        save_district_map(db, personas["coordinator"].actor, _collection(_feature()), now=utcnow())
    assert save_district_map(db, personas["admin"].actor, _collection(_feature()), now=utcnow())


def test_cli_imports_a_district_file(tmp_path, settings, engine, db, capsys):
    from dataclasses import replace

    from web import cli
    path = tmp_path / "districts.geojson"
    path.write_text(_collection(_feature(), _feature("nord", "Nord")), encoding="utf-8")
    args = cli.build_parser().parse_args(["import-districts", str(path)])
    assert cli.cmd_import_districts(replace(settings), args) == 0
    assert "2 districts" in capsys.readouterr().out
    assert [d.code for d in districts_in_order(db)] == ["mitte", "nord"]
    path.write_text("{", encoding="utf-8")
    assert cli.cmd_import_districts(settings, args) == 2
    assert "JSON" in capsys.readouterr().err
