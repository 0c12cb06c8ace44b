"""Who may do what with the joint action plan. Deny by default.

Routes of the plan declare `plan.read`: anyone outside the strategy group (counsellors without a strategy
role, administrators) gets 404, as if the plan did not exist. The domain functions then check the finer
rule on their first line; a strategy member refused there gets 403 (they know the plan exists).
Checks accept `obj=None` so that the route guard can ask about the role alone; domain functions always
pass the object.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.actors import Actor, Role
from core.permissions import POLICY, rule

STRATEGY_ROLES = (Role.STRATEGY_MEMBER, Role.COORDINATOR)


@dataclass(frozen=True)
class MeasureAccess:
    """What the rules need to know about a measure: which organisations hold an accepted role on it."""

    measure_id: int
    active_organisation_ids: frozenset[int]
    # Organisations holding an accepted lead or co-lead role: they may invite further partners.
    leading_organisation_ids: frozenset[int]


def holds_measure(actor: Actor, access: Any) -> bool:
    """Coordinators hold every measure; members hold the measures their organisation has accepted a role on."""
    if access is None or actor.has(Role.COORDINATOR):
        return True
    return actor.organisation_id in getattr(access, "active_organisation_ids", frozenset())


def leads_measure(actor: Actor, access: Any) -> bool:
    if access is None or actor.has(Role.COORDINATOR):
        return True
    return actor.organisation_id in getattr(access, "leading_organisation_ids", frozenset())


def invited_organisation(actor: Actor, measure_role: Any) -> bool:
    """The role was offered to the actor's own organisation."""
    if measure_role is None:
        return True
    return getattr(measure_role, "organisation_id", None) == actor.organisation_id


RULES = [
    rule("plan.read", *STRATEGY_ROLES, hide=True,
         doc="Read plans, measures, meetings and decisions of the strategy group; outsiders get 404."),
    rule("plan.manage", Role.COORDINATOR,
         doc="Create plans from templates, edit plans, fields and goals, adopt and archive plans."),
    rule("decision.record", Role.COORDINATOR, doc="Record a numbered decision of the strategy group."),
    rule("measure.propose", *STRATEGY_ROLES,
         doc="Propose a measure under a goal; a member's own organisation becomes its lead."),
    rule("measure.edit", *STRATEGY_ROLES, check=holds_measure,
         doc="Edit a measure, change its status, milestones and progress: its active organisations, coordinators."),
    rule("measure.invite", *STRATEGY_ROLES, check=leads_measure,
         doc="Invite an organisation to a role on a measure: its lead and co-lead organisations, coordinators."),
    rule("measure.role.respond", *STRATEGY_ROLES, check=invited_organisation,
         doc="Accept or decline a role offered to one's own organisation."),
    rule("measure.comment", *STRATEGY_ROLES, doc="Comment on a measure of the strategy group."),
    rule("plan.public", anonymous=True,
         doc="Anyone may read the public progress page: public measures of adopted plans only."),
]

POLICY.add(RULES)
