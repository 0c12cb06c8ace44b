"""Labels of the codes the meeting, briefing and indicator pages show (English msgids; catalogues translate)."""

from __future__ import annotations

from web.plan_labels import DECISION_KIND_LABELS, HEALTH_LABELS, STATUS_LABELS


def _(message: str) -> str:
    return message


MEETING_STATES = {"planned": _("planned"), "held": _("held")}
ATTENDANCE = {"present": _("present"), "excused": _("excused"), "absent": _("absent")}
# Measure statuses, health and decision kinds: the plan's own labels, so every page says the same.
DECISION_KINDS = DECISION_KIND_LABELS
MEASURE_STATUSES = STATUS_LABELS
HEALTHS = HEALTH_LABELS
# Dimensions an indicator can be bound to, with the label of the dimension.
FIGURE_DIMENSIONS = {
    "life_area": _("Area of life"),
    "district": _("District"),
    "motive": _("Motive"),
    "incident_type": _("Kind of incident"),
    "place_type": _("Place"),
}
