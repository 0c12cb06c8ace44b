"""Demo open data of a fictional neighbour, Beispielstadt (AGS 09999998), imported for the comparison page.

Its files are made the way a real Beispielstadt instance would make them: synthetic incidents in a scratch
in-memory database, counted by the statistics engine and written by the same export code."""

from __future__ import annotations

import json
import random
from datetime import date, datetime

from sqlalchemy.pool import StaticPool
from sqlmodel import Session, SQLModel, create_engine

import core.models  # noqa: F401  (the scratch database needs every table the engine touches)
import reporting.models
import reporting.rollup
import reporting.snapshot
from core import accounts
from core.actors import SYSTEM, OrganisationKind
from reporting import open_data
from reporting.statistics import Disclosure, rebuild_rollup
from reporting.taxonomy import TAXONOMY_VERSION

NEIGHBOUR = ("Beispielstadt", "09999998")
DEMO_AGS = "09999999"  # Musterstadt, the demo's own municipality
DISTRICTS = [("mitte", "Mitte"), ("nord", "Nord"), ("sued", "Süd"), ("am-see", "Am See")]
TYPES = [("insult_verbal_abuse", 45), ("discrimination", 35), ("threat_coercion", 8), ("propaganda", 8),
         ("physical_attack", 4)]
MOTIVES = [("racism", 55), ("antisemitism", 12), ("nationality_language_residence", 14), ("appearance", 9),
           ("lgbtiq_hostility", 6), ("ableism", 4)]
# Beispielstadt runs with the default thresholds (k 5, public k 10, published 14 days after a period closes).
NEIGHBOUR_DISCLOSURE = Disclosure(k=5, public_k=10, delay_days=14)
LIFE_AREAS = ["housing", "employment", "education", "goods_services", "public_space", None]


def _pick(rng: random.Random, weighted: list[tuple[str, int]]) -> str:
    return rng.choices([c for c, _ in weighted], weights=[w for _, w in weighted])[0]


def neighbour_documents(years: list[int], *, disclosure: Disclosure, today: date) -> list[dict[str, object]]:
    """Beispielstadt's open-data files of these years, from synthetic incidents."""
    engine = create_engine("sqlite://", poolclass=StaticPool)
    SQLModel.metadata.create_all(engine)
    rng = random.Random(9999998)  # nosec B311  (reproducible synthetic figures, not security)
    documents = []
    with Session(engine) as session:
        centre = accounts.create_organisation(session, SYSTEM, name="Beratung Beispielstadt",
                                              kind=OrganisationKind.COUNSELLING_CENTRE, now=datetime.now().astimezone())
        for position, (code, name) in enumerate(DISTRICTS):
            session.add(reporting.models.District(code=code, name=name, position=position))
        session.flush()
        assert centre.id is not None
        for year in years:
            for n in range(rng.randrange(260, 340)):
                day = date(year, rng.randrange(1, 13), rng.randrange(1, 29))
                kind, motive = _pick(rng, TYPES), _pick(rng, MOTIVES)
                incident = reporting.models.Incident(
                    id=f"b{year}{n:05d}", taxonomy_version=TAXONOMY_VERSION, received_on=day, incident_date=day,
                    channel="web_form", reporter_role="affected", date_precision="day", centre_id=centre.id,
                    verification="verified" if rng.random() < 0.7 else "plausible", key_for_centre=b"-",
                    district=rng.choice(DISTRICTS)[0] if rng.random() < 0.9 else None,
                    life_area=rng.choice(LIFE_AREAS), affected_count=1, primary_type=kind, primary_motive=motive)
                session.add(incident)
                session.flush()
                session.add(reporting.models.IncidentCode(incident_id=incident.id, field="incident_types", code=kind))
                session.add(reporting.models.IncidentCode(incident_id=incident.id, field="motives", code=motive))
        session.flush()
        rebuild_rollup(session)
        for year in years:
            documents.append(open_data.export_document(session, SYSTEM, disclosure, year,
                                                       municipality=NEIGHBOUR[0], ags=NEIGHBOUR[1], today=today))
    engine.dispose()
    return documents


def seed_open_data(session: Session, *, now: datetime, disclosure: Disclosure = NEIGHBOUR_DISCLOSURE) -> int:
    """Import Beispielstadt's files for every year Musterstadt has published; returns the number imported."""
    years = open_data.published_years(session, disclosure, today=now.date())
    if not years:
        return 0
    for document in neighbour_documents(years, disclosure=disclosure, today=now.date()):
        open_data.import_document(session, SYSTEM, json.dumps(document).encode(), own_ags=DEMO_AGS, now=now)
    return len(years)
