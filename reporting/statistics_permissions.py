"""Who may see the aggregated figures and replace the district map (no case content is involved)."""

from core.actors import Role
from core.permissions import POLICY, rule

RULES = [
    rule("statistics.view", Role.STRATEGY_MEMBER, Role.COORDINATOR, Role.COUNSELLOR, Role.CENTRE_LEAD,
         doc="See the statistics dashboard: aggregated, suppressed figures of all centres, never a single report."),
    rule("district_map.replace", Role.ADMIN,
         doc="Replace the deployment's district map (GeoJSON) and with it the list of districts."),
]

POLICY.add(RULES)
