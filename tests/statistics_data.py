"""Counted and uncounted incidents written straight to the database, for the statistics tests."""

from __future__ import annotations

from datetime import date
from itertools import count
from typing import Any

from sqlmodel import Session

from reporting.models import Incident, IncidentCode
from reporting.taxonomy import TAXONOMY_VERSION

_numbers = count(1)


def add_incident(db: Session, centre_id: int, *, on: date, verification: str = "verified",
                 types: tuple[str, ...] = (), motives: tuple[str, ...] = (), **fields: Any) -> Incident:
    number = next(_numbers)
    values: dict[str, Any] = {"channel": "web_form", "reporter_role": "affected", "date_precision": "day",
                              "online": False, **fields}
    incident = Incident(id=f"s{number:08d}", taxonomy_version=TAXONOMY_VERSION, received_on=on, incident_date=on,
                        centre_id=centre_id, verification=verification, key_for_centre=b"k",
                        primary_type=types[0] if types else None, primary_motive=motives[0] if motives else None,
                        **values)
    db.add(incident)
    db.flush()
    for field, codes in (("incident_types", types), ("motives", motives)):
        for code in codes:
            db.add(IncidentCode(incident_id=incident.id, field=field, code=code))
    db.flush()
    return incident
