"""Labels of the codes the meeting, briefing and indicator pages show (English msgids; catalogues translate)."""

from __future__ import annotations


def _(message: str) -> str:
    return message


MEETING_STATES = {"planned": _("planned"), "held": _("held")}
ATTENDANCE = {"present": _("present"), "excused": _("excused"), "absent": _("absent")}
DECISION_KINDS = {
    "adopt_plan": _("adopt the plan"),
    "agree": _("agree a measure"),
    "change": _("change a measure"),
    "reassign": _("reassign a measure"),
    "close": _("close a measure"),
    "cancel": _("cancel a measure"),
    "other": _("other decision"),
}
MEASURE_STATUSES = {
    "proposed": _("proposed"), "agreed": _("agreed"), "planned": _("planned"), "in_progress": _("in progress"),
    "on_hold": _("on hold"), "completed": _("completed"), "evaluated": _("evaluated"), "cancelled": _("cancelled"),
}
HEALTHS = {"on_track": _("on track"), "at_risk": _("at risk"), "off_track": _("off track")}
# Dimensions an indicator can be bound to, with the label of the dimension.
FIGURE_DIMENSIONS = {
    "life_area": _("Area of life"),
    "district": _("District"),
    "motive": _("Motive"),
    "incident_type": _("Kind of incident"),
    "place_type": _("Place"),
}
