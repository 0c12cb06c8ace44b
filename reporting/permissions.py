"""Who may do what with reports and cases. Case content stays inside the receiving centre."""

from typing import Any

from core.actors import Actor, Role
from core.permissions import POLICY, rule


def own_centre(actor: Actor, incident: Any) -> bool:
    """The incident was routed to (or recorded by) the actor's own centre."""
    return incident is not None and getattr(incident, "centre_id", None) == actor.organisation_id


RULES = [
    rule("report.submit", doc="Anyone may report an incident, without an account.", anonymous=True),
    rule("case.read", Role.COUNSELLOR, Role.CENTRE_LEAD, check=own_centre, hide=True,
         doc="Read a report or case of one's own centre, including its decrypted content."),
    rule("case.reply", Role.COUNSELLOR, Role.CENTRE_LEAD, check=own_centre, hide=True,
         doc="Answer the anonymous reporter of a report of one's own centre."),
]

POLICY.add(RULES)
