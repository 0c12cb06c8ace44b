"""The demo's statistics: Musterstadt's district map (through the same validation as an upload) and the
rollup the dashboard reads, computed once over the generated incidents."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlmodel import Session

from core.actors import SYSTEM
from reporting.district_map import save_district_map
from reporting.statistics import rebuild_rollup

MUSTERSTADT_GEOJSON = Path(__file__).parent / "static" / "geo" / "musterstadt.geojson"


def seed_statistics(session: Session, *, now: datetime) -> int:
    """Load the district map, then build the rollup from the seeded incidents (so figures show at once)."""
    save_district_map(session, SYSTEM, MUSTERSTADT_GEOJSON.read_text(encoding="utf-8"), now=now)
    session.flush()
    return rebuild_rollup(session)
