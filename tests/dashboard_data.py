"""A year of known figures for the dashboard tests: the demo's districts, a few common and one rare kind."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from core.actors import SYSTEM
from core.clock import utcnow
from reporting.district_map import save_district_map
from reporting.statistics import rebuild_rollup
from tests.statistics_data import add_incident
from web.demo_statistics import MUSTERSTADT_GEOJSON


@dataclass(frozen=True)
class KnownFigures:
    year: int
    # (district, type) -> how many counted reports there really are
    truth: dict[tuple[str, str], int]
    rare: tuple[str, str]  # a combination with fewer than k reports, which must never show


def published_year(today: date) -> int:
    """The last year that has ended and passed the default publication delay (14 days)."""
    return today.year - 1 if (today - date(today.year, 1, 1)).days > 20 else today.year - 2


def add_known_figures(db: Session, centre_id: int) -> KnownFigures:
    save_district_map(db, SYSTEM, MUSTERSTADT_GEOJSON.read_text(encoding="utf-8"), now=utcnow())
    year = published_year(utcnow().date())
    truth: dict[tuple[str, str], int] = {}

    def add(district: str, kind: str, motive: str, months: range, per_month: int, **fields: object) -> None:
        for month in months:
            for day in range(per_month):
                add_incident(db, centre_id, on=date(year, month, 1 + day), types=(kind,), motives=(motive,),
                             district=district, life_area="public_space", **fields)
                truth[(district, kind)] = truth.get((district, kind), 0) + 1

    add("altstadt", "insult_verbal_abuse", "racism", range(1, 13), 3)
    add("nordviertel", "discrimination", "racism", range(1, 13), 2)
    add("ostend", "discrimination", "antisemitism", range(2, 12), 1)
    add("hafen", "physical_attack", "racism", range(3, 5), 1)       # 2 reports: suppressed
    # Not counted: unverified and spam never change a figure.
    add_incident(db, centre_id, on=date(year, 5, 5), verification="unverified", types=("propaganda",),
                 district="hafen")
    add_incident(db, centre_id, on=date(year, 5, 6), verification="spam", types=("propaganda",), district="hafen")
    rebuild_rollup(db)
    db.commit()
    return KnownFigures(year=year, truth=truth, rare=("hafen", "physical_attack"))
