"""Synthetic incidents for the Musterstadt demo: two years with seasons, a few rare motives."""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlmodel import Session

from core.crypto import Argon2Params
from reporting.intake import ReportInput, submit_report
from reporting.models import Incident

DISTRICTS = [
    ("altstadt", "Altstadt"), ("nordviertel", "Nordviertel"), ("hafen", "Hafen"), ("suedstadt", "Südstadt"),
    ("am-bahnhof", "Am Bahnhof"), ("weststadt", "Weststadt"), ("lindenhof", "Lindenhof"), ("ostend", "Ostend"),
]
# (code, weight): common ones often, rare ones rarely, so suppression of small cells shows.
TYPES = [("insult_verbal_abuse", 40), ("discrimination", 30), ("threat_coercion", 10), ("propaganda", 8),
         ("physical_attack", 6), ("property_damage", 4), ("mass_mailing", 1), ("extreme_violence", 1)]
MOTIVES = [("racism", 60), ("antisemitism", 10), ("nationality_language_residence", 10), ("appearance", 6),
           ("lgbtiq_hostility", 4), ("religion_other", 3), ("ableism", 2), ("unknown", 5)]
PLACES = ["street_square", "public_transport", "shop_gastro_service", "housing_market", "workplace",
          "school_kita_university", "authority_office", "online_social_media", "home_neighbourhood"]
ROLES = [("affected", 60), ("witness", 25), ("professional", 10), ("relative", 5)]
DESCRIPTIONS = [
    "In der Straßenbahn wurde eine Frau mit Kopftuch beschimpft; niemand griff ein.",
    "Bei der Wohnungsbesichtigung hieß es, an 'Ausländer' werde nicht vermietet.",
    "An der Bushaltestelle klebten rassistische Aufkleber.",
    "Ein Kollege macht seit Wochen abwertende Bemerkungen über meine Herkunft.",
    "Am Eingang der Diskothek wurden nur wir abgewiesen.",
    "Im Amt wurde ich angeschrien, ich solle 'richtig Deutsch' lernen.",
]
DEMO_RECEIPT_TEXT = "Demo: Im Supermarkt an der Kasse wurde ich beleidigt und weggeschubst."


def _pick(rng: random.Random, weighted: list[tuple[str, int]]) -> str:
    return rng.choices([c for c, _ in weighted], weights=[w for _, w in weighted])[0]


def seed_incidents(session: Session, centre_ids: list[int], *, tag_key: bytes, params: Argon2Params,
                   today: date, count: int = 900) -> str:
    """Create `count` incidents over the last two years; returns one receipt code to try /status with."""
    # Reproducible synthetic data, not security.
    rng = random.Random(2026)  # nosec B311
    start = today - timedelta(days=730)
    for n in range(count):
        # More reports in spring and late summer, as registers observe around events and elections.
        while True:
            day = start + timedelta(days=rng.randrange(730))
            season = 1.0 + 0.5 * (day.month in (3, 4, 5, 8, 9))
            if rng.random() < season / 1.5:
                break
        types = [_pick(rng, TYPES)]
        if rng.random() < 0.2:
            types.append("insult_verbal_abuse")
        report = ReportInput(
            incident_types=types, motives=[_pick(rng, MOTIVES)], racism_subcodes=[], antisemitism_forms=[],
            district=rng.choice(DISTRICTS)[0] if rng.random() < 0.9 else None, place_type=rng.choice(PLACES),
            online=rng.random() < 0.1, incident_date=day - timedelta(days=rng.randrange(10)),
            date_precision="day", recurrence="single", reporter_role=_pick(rng, ROLES), target_type="individual",
            affected_count=1, affected_age_band="adult", consequences=["psychological"], police_report="no",
            description=rng.choice(DESCRIPTIONS), centre_id=centre_ids[n % len(centre_ids)], wants_contact=False,
            contact=None, channel="web_form" if rng.random() < 0.7 else rng.choice(["phone", "email", "in_person"]))
        submitted = submit_report(session, report, [], tag_key=tag_key, params=params, today=day,
                                  with_receipt=False)
        incident = session.get(Incident, submitted.incident_id)
        assert incident is not None
        # Most older reports have been triaged by a counsellor; recent ones still wait.
        age = (today - day).days
        roll = rng.random()
        incident.verification = ("unverified" if age < 20 and roll < 0.7 else
                                 "verified" if roll < 0.55 else "plausible" if roll < 0.85 else
                                 "not_verifiable" if roll < 0.95 else "spam")
        incident.state = "received" if incident.verification == "unverified" else "accepted"
        session.add(incident)
    demo = ReportInput(
        incident_types=["insult_verbal_abuse", "physical_attack"], motives=["racism"], racism_subcodes=["anti_muslim"],
        antisemitism_forms=[], district="suedstadt", place_type="shop_gastro_service", online=False,
        incident_date=today - timedelta(days=3), date_precision="day", recurrence="single", reporter_role="affected",
        target_type="individual", affected_count=1, affected_age_band="adult", consequences=["psychological"],
        police_report="no", description=DEMO_RECEIPT_TEXT, centre_id=centre_ids[0], wants_contact=False, contact=None)
    return submit_report(session, demo, [], tag_key=tag_key, params=params, today=today).receipt
