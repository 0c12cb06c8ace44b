"""Demo: the first-run setup done for Musterstadt, with the public statistics page and the chronicle on."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from core.actors import SYSTEM
from core.crypto import Crypto
from core.deployment import complete_setup, save_settings, stored_settings

DEMO_SETTINGS: dict[str, object] = {"municipality_name": "Musterstadt", "ags": "09999999",
                                    "public_statistics": True, "public_chronicle": True}


def seed_setup(session: Session, crypto: Crypto, *, now: datetime) -> None:
    """The demo's centres, districts and organisations come from the demo itself; this stores the settings."""
    save_settings(session, SYSTEM, crypto, DEMO_SETTINGS, stored_settings(session, crypto), now=now)
    complete_setup(session, SYSTEM, now=now)
