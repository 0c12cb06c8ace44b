"""Who may do what with reports and cases. Case content stays inside the receiving centre."""

from typing import Any

from core.actors import Actor, Role
from core.permissions import POLICY, rule


def own_centre(actor: Actor, incident: Any) -> bool:
    """The incident was routed to (or recorded by) the actor's own centre."""
    if incident is None:
        return False
    owner = getattr(incident, "centre_id", None) or getattr(incident, "organisation_id", None)
    return owner is not None and owner == actor.organisation_id


def own_or_shared_centre(actor: Actor, obj: Any) -> bool:
    """The actor's centre owns the object, or it was shared with the centre (with the client's consent)."""
    return own_centre(actor, obj) or actor.organisation_id in getattr(obj, "shared_with", ())


RULES = [
    rule("taxonomy.edit", Role.ADMIN, doc="Relabel, hide and add codes of the deployment's code lists."),
    rule("centre.designate", Role.ADMIN,
         doc="Choose which counselling centres receive reports (their key is made by their first member)."),
    rule("report.submit", doc="Anyone may report an incident, without an account.", anonymous=True),
    rule("case.read", Role.COUNSELLOR, Role.CENTRE_LEAD, check=own_or_shared_centre, hide=True,
         doc="Read a report or case of one's own centre, including its decrypted content."),
    rule("case.reply", Role.COUNSELLOR, Role.CENTRE_LEAD, check=own_centre, hide=True,
         doc="Answer the anonymous reporter of a report of one's own centre."),
    rule("case.write", Role.COUNSELLOR, Role.CENTRE_LEAD, check=own_centre, hide=True,
         doc="Triage, code, record and document incidents and cases of one's own centre."),
    rule("case.document", Role.COUNSELLOR, Role.CENTRE_LEAD, check=own_or_shared_centre, hide=True,
         doc="Add requests, interventions, deadlines, consents and notes to a case of one's own or a sharing centre."),
    rule("case.purge", Role.CENTRE_LEAD, check=own_centre, hide=True,
         doc="Delete the content of a case of one's own centre at once (codes stay)."),
    rule("case.inbox", Role.COUNSELLOR, Role.CENTRE_LEAD, hide=True,
         doc="See the inbox of one's own centre; to everyone else the workspace does not exist."),
    rule("centre.export_text", Role.CENTRE_LEAD, hide=True,
         doc="Include the decrypted descriptions in an export of one's own centre (explicit choice)."),
    rule("centre.audit", Role.CENTRE_LEAD, hide=True, doc="Read the audit log of one's own centre."),
    rule("centre.members", Role.CENTRE_LEAD, hide=True, doc="Give members of one's own centre access to its key."),
    # Open data and the annual report carry only public, suppressed aggregates (public k).
    rule("open_data.export", Role.STRATEGY_MEMBER, Role.COORDINATOR,
         doc="Download the year's suppressed public aggregates as an open-data file."),
    rule("open_data.compare", Role.STRATEGY_MEMBER, Role.COORDINATOR,
         doc="See other municipalities' imported open data next to this municipality's public figures."),
    rule("open_data.import", Role.COORDINATOR,
         doc="Import (replace, remove) another municipality's open-data file for comparison."),
    rule("situation_report.view", Role.STRATEGY_MEMBER, Role.COORDINATOR,
         doc="Read and download the annual situation report (Lagebild) before it is published."),
    rule("chronicle.queue", Role.COUNSELLOR, Role.CENTRE_LEAD, hide=True,
         doc="See the chronicle entries of one's own centre waiting for review or published."),
    rule("chronicle.propose", Role.COUNSELLOR, Role.CENTRE_LEAD, check=own_centre, hide=True,
         doc="Propose a freshly written public chronicle entry for a counted incident of one's own centre."),
    rule("chronicle.review", Role.COUNSELLOR, Role.CENTRE_LEAD, check=own_centre, hide=True,
         doc="Approve or return a chronicle entry of one's own centre that someone else proposed."),
    rule("chronicle.withdraw", Role.COUNSELLOR, Role.CENTRE_LEAD, check=own_centre, hide=True,
         doc="Withdraw a chronicle entry of one's own centre from the public chronicle at once."),
    rule("chronicle.read", anonymous=True,
         doc="Read the public chronicle of approved entries, when the deployment offers it."),
]

POLICY.add(RULES)
