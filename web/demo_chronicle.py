"""Demo chronicle of the AWO centre: a few approved entries, one waiting for review, one withdrawn.

The public chronicle is off by default; start the demo with VORORT_PUBLIC_CHRONICLE=true to see /chronik."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlmodel import Session, col, select

from core import accounts
from core.actors import Actor
from reporting import chronicle
from reporting import taxonomy as tx
from reporting.models import Incident

# (primary type, primary motive, state, summary): each summary written for the chronicle, not taken
# from a report, and vague enough that nobody can be recognised.
ENTRIES = [
    ("insult_verbal_abuse", "racism", "approved",
     "In einer Straßenbahn wurde ein Mann von einem anderen Fahrgast rassistisch beschimpft. Zwei Mitfahrende "
     "stellten sich an seine Seite; der Täter stieg an der nächsten Haltestelle aus."),
    ("discrimination", "racism", "approved",
     "Einer Familie wurde eine Wohnungsbesichtigung mit Verweis auf ihre vermutete Herkunft verweigert. "
     "Die Beratungsstelle hat die Hausverwaltung angeschrieben und um eine Stellungnahme gebeten."),
    ("threat_coercion", "racism", "approved",
     "Vor einem Supermarkt wurde eine Jugendliche von einem unbekannten Mann bedroht und rassistisch beleidigt. "
     "Sie konnte in das Geschäft flüchten; die Polizei wurde verständigt."),
    ("propaganda", "racism", "approved",
     "An mehreren Laternen und einer Bushaltestelle klebten Aufkleber mit rassistischen Parolen. "
     "Anwohnende meldeten sie, die Stadt hat sie entfernen lassen."),
    ("physical_attack", "racism", "approved",
     "Auf dem Heimweg wurde ein Mann aus einer Gruppe heraus rassistisch beleidigt und gestoßen. "
     "Er wurde leicht verletzt und hat Anzeige erstattet."),
    ("discrimination", "racism", "pending_review",
     "Bei einer Behörde wurde eine Frau am Schalter herablassend behandelt und aufgefordert, erst "
     "\u201erichtig Deutsch\u201c zu lernen. Sie hat sich an die Beratungsstelle gewandt."),
    ("insult_verbal_abuse", "racism", "withdrawn",
     "In einem Sportverein fielen bei einem Spiel wiederholt rassistische Rufe gegen einen Spieler. "
     "Der Verein hat mit den Beteiligten gesprochen."),
]


def _actor(session: Session, email: str) -> Actor:
    user = session.exec(select(accounts.User).where(accounts.User.email == email)).one()
    return accounts.actor_for(session, user)


def seed_chronicle(session: Session, centre_id: int, *, counsellor: str, lead: str, now: datetime) -> int:
    """Propose the demo entries as the counsellor and review them as the lead; returns how many were made."""
    jonas, leila = _actor(session, counsellor), _actor(session, lead)
    used: set[str] = set()
    made = 0
    for incident_type, motive, state, summary in ENTRIES:
        incident = session.exec(select(Incident).where(
            Incident.centre_id == centre_id, Incident.primary_type == incident_type, Incident.primary_motive == motive,
            col(Incident.verification).in_(sorted(tx.COUNTED_VERIFICATIONS)), Incident.date_precision == "day",
            col(Incident.district).is_not(None), col(Incident.receipt_tag).is_(None), col(Incident.id).not_in(used))
            .order_by(col(Incident.incident_date).desc(), col(Incident.id))).first()
        if incident is None or incident.incident_date is None:
            continue
        used.add(incident.id)
        # Proposed a week after the incident, reviewed two days later (never in the future).
        proposed = min(now, datetime.combine(incident.incident_date + timedelta(days=7), time(10), tzinfo=UTC))
        reviewed = min(now, proposed + timedelta(days=2))
        entry = chronicle.propose_entry(session, jonas, incident.id, summary=summary,
                                        date_shown="day" if made % 3 else "month",
                                        place_shown="withheld" if made == 3 else "district", now=proposed)
        if state in {"approved", "withdrawn"}:
            chronicle.approve_entry(session, leila, entry.id, checks=chronicle.CHECKLIST, now=reviewed)
        if state == "withdrawn":
            chronicle.withdraw_entry(session, leila, entry.id, reason="consent_withdrawn",
                                     now=min(now, reviewed + timedelta(days=5)))
        made += 1
    return made
