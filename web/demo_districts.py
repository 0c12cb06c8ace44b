"""The demo city's district map, loaded through the same validation a deployment's upload goes through."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlmodel import Session

from core.actors import SYSTEM
from reporting.district_map import save_district_map

MUSTERSTADT_GEOJSON = Path(__file__).parent / "static" / "geo" / "musterstadt.geojson"


def seed_district_map(session: Session, *, now: datetime) -> None:
    save_district_map(session, SYSTEM, MUSTERSTADT_GEOJSON.read_text(encoding="utf-8"), now=now)
