"""The deployment's districts entered by name (a GeoJSON file can bring them too: reporting/district_map.py)."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime

from sqlmodel import Session, select

from core.actors import Actor
from core.audit import record
from core.errors import ValidationFailed
from core.permissions import POLICY
from reporting.models import District

MAX_DISTRICTS = 200
MAX_NAME = 120


def district_code(name: str) -> str:
    """A stable ASCII code for a district name ("Nord-Süd" -> "nord-sued")."""
    text = name.lower().replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:40]


def save_district_names(session: Session, actor: Actor, names: list[str], *, now: datetime) -> None:
    """The districts in the given order; a district records use is never deleted, only moved to the end."""
    POLICY.require(actor, "deployment.configure")
    if not names:
        raise ValidationFailed({"names": "required"})
    if len(names) > MAX_DISTRICTS or any(len(n) > MAX_NAME for n in names):
        raise ValidationFailed({"names": "too_long"})
    codes = [district_code(n) for n in names]
    if any(not c for c in codes) or len(set(codes)) != len(codes):
        raise ValidationFailed({"names": "district_names_unclear"})
    existing = {d.code: d for d in session.exec(select(District)).all()}
    for position, (code, name) in enumerate(zip(codes, names, strict=True)):
        row = existing.pop(code, None) or District(code=code, name=name)
        row.name, row.position = name, position
        session.add(row)
    for offset, row in enumerate(existing.values()):
        row.position = len(codes) + offset
        session.add(row)
    session.flush()
    record(session, actor, "deployment.districts", "district", len(codes), now=now)
