"""The deployment's district map: a validated GeoJSON whose features are the districts of the statistics."""

import json
from datetime import datetime
from typing import Any

from sqlmodel import Field, Session, SQLModel, col, select

from core.actors import Actor
from core.audit import record
from core.errors import ValidationFailed
from core.permissions import POLICY
from reporting import statistics_permissions  # noqa: F401  (registers the rule checked here)
from reporting.models import District

# A district map of a city is a few hundred kilobytes once simplified; anything far larger is a mistake
# (an unsimplified cadastre export) and would make every dashboard page heavy.
MAX_BYTES = 2_000_000
MAX_FEATURES = 200
GEOMETRIES = frozenset({"Polygon", "MultiPolygon"})
CODE_MAX = 40
NAME_MAX = 120


class DistrictMap(SQLModel, table=True):
    """The one current district map (id 1), as uploaded after validation."""

    __tablename__ = "district_map"

    id: int = Field(default=1, primary_key=True)
    geojson: str
    uploaded_at: datetime
    uploaded_by: int | None = Field(default=None, foreign_key="staff_user.id")


def current_geojson(session: Session) -> dict[str, Any] | None:
    """The stored district map as a GeoJSON FeatureCollection, or None when none was loaded."""
    row = session.get(DistrictMap, 1)
    if row is None:
        return None
    parsed: dict[str, Any] = json.loads(row.geojson)
    return parsed


def _ring_ok(ring: Any) -> bool:
    return (isinstance(ring, list) and len(ring) >= 4 and all(
        isinstance(p, list) and len(p) >= 2 and all(isinstance(c, int | float) and not isinstance(c, bool)
                                                    for c in p[:2])
        and -180 <= p[0] <= 180 and -90 <= p[1] <= 90 for p in ring))


def _geometry_ok(geometry: Any) -> bool:
    if not isinstance(geometry, dict) or geometry.get("type") not in GEOMETRIES:
        return False
    coordinates = geometry.get("coordinates")
    polygons = [coordinates] if geometry["type"] == "Polygon" else coordinates
    return (isinstance(polygons, list) and bool(polygons) and all(
        isinstance(polygon, list) and bool(polygon) and all(_ring_ok(ring) for ring in polygon)
        for polygon in polygons))


def parse_district_map(geojson_text: str) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """The parsed FeatureCollection and its (code, name) pairs in file order; ValidationFailed otherwise."""
    if len(geojson_text.encode()) > MAX_BYTES:
        raise ValidationFailed({"geojson": "geojson_too_large"})
    try:
        data = json.loads(geojson_text)
    except ValueError:
        raise ValidationFailed({"geojson": "geojson_not_json"}) from None
    features = data.get("features") if isinstance(data, dict) and data.get("type") == "FeatureCollection" else None
    if not isinstance(features, list) or not features:
        raise ValidationFailed({"geojson": "geojson_no_features"})
    if len(features) > MAX_FEATURES:
        raise ValidationFailed({"geojson": "geojson_too_many_features"})
    districts: list[tuple[str, str]] = []
    for feature in features:
        properties = feature.get("properties") if isinstance(feature, dict) else None
        code = properties.get("code") if isinstance(properties, dict) else None
        name = properties.get("name") if isinstance(properties, dict) else None
        if not isinstance(code, str) or not code.strip() or len(code.strip()) > CODE_MAX:
            raise ValidationFailed({"geojson": "geojson_feature_without_code"})
        if not isinstance(name, str) or not name.strip() or len(name.strip()) > NAME_MAX:
            raise ValidationFailed({"geojson": "geojson_feature_without_name"})
        if not _geometry_ok(feature.get("geometry")):
            raise ValidationFailed({"geojson": "geojson_unsupported_geometry"})
        if any(code.strip() == known for known, _ in districts):
            raise ValidationFailed({"geojson": "geojson_duplicate_code"})
        districts.append((code.strip(), name.strip()))
    return data, districts


def save_district_map(session: Session, actor: Actor, geojson_text: str, *, now: datetime) -> list[District]:
    """Validate and store the map, and make its features the districts (code, name, position).

    Districts of earlier maps stay (incidents refer to them by code) but move behind the new ones."""
    POLICY.require(actor, "district_map.replace")
    data, pairs = parse_district_map(geojson_text)
    existing = {d.code: d for d in session.exec(select(District)).all()}
    result = []
    for position, (code, name) in enumerate(pairs):
        district = existing.pop(code, None) or District(code=code, name=name)
        district.name, district.position = name, position
        session.add(district)
        result.append(district)
    for offset, leftover in enumerate(sorted(existing.values(), key=lambda d: (d.position, d.code))):
        leftover.position = len(pairs) + offset
        session.add(leftover)
    row = session.get(DistrictMap, 1) or DistrictMap(id=1, geojson="", uploaded_at=now)
    row.geojson, row.uploaded_at, row.uploaded_by = json.dumps(data, ensure_ascii=False), now, actor.user_id
    session.add(row)
    record(session, actor, "district_map.replace", "district_map", 1, now=now)
    session.flush()
    return result


def districts_in_order(session: Session) -> list[District]:
    return list(session.exec(select(District).order_by(col(District.position), col(District.code))).all())
