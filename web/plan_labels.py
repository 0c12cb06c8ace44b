"""Labels of the action plan's codes and the message ids its domain raises (English msgids, translated when shown)."""

from __future__ import annotations


def _(message: str) -> str:
    return message


STATUS_LABELS = {
    "proposed": _("Proposed"),
    "agreed": _("Agreed"),
    "planned": _("Planned"),
    "in_progress": _("In progress"),
    "on_hold": _("On hold"),
    "completed": _("Completed"),
    "evaluated": _("Evaluated"),
    "cancelled": _("Cancelled"),
}
# The button text that moves a measure into a status.
TRANSITION_LABELS = {
    "agreed": _("Agree (by decision)"),
    "planned": _("Mark as planned"),
    "in_progress": _("Start"),
    "on_hold": _("Put on hold"),
    "completed": _("Complete (with evidence)"),
    "evaluated": _("Mark as evaluated"),
    "cancelled": _("Cancel (by decision)"),
}
HEALTH_LABELS = {"on_track": _("On track"), "at_risk": _("At risk"), "off_track": _("Off track")}
PLAN_STATE_LABELS = {"draft": _("Draft"), "adopted": _("Adopted"), "archived": _("Archived")}
ROLE_KIND_LABELS = {"lead": _("Lead"), "co_lead": _("Co-lead"), "contributor": _("Contributor"),
                    "funder": _("Funder")}
ROLE_STATE_LABELS = {"invited": _("Invited"), "active": _("Accepted"), "declined": _("Declined"),
                     "withdrawn": _("Withdrawn")}
VISIBILITY_LABELS = {"internal": _("Internal (strategy group only)"),
                     "public": _("Public (shown on the progress page)")}
COMMENT_VISIBILITY_LABELS = {"own_organisation": _("Only my organisation"),
                             "strategy_group": _("The whole strategy group")}
PROGRESS_MODE_LABELS = {"milestones": _("From milestones"), "manual": _("Set by hand")}
SIDE_LABELS = {"municipal": _("Municipal side"), "civil_society": _("Civil society")}
DECISION_KIND_LABELS = {"adopt_plan": _("Adopt the plan"), "agree": _("Agree a measure"),
                        "change": _("Change a measure"), "reassign": _("Reassign a measure"),
                        "close": _("Close a measure"), "cancel": _("Cancel a measure"), "other": _("Other")}
TEMPLATE_LABELS = {"integration_vor_ort": _("Integration vor Ort: six action fields"),
                   "eccar": _("ECCAR ten-point plan of action"), "empty": _("Empty plan")}
# What a revision of a measure recorded.
REVISION_ACTION_LABELS = {
    "created": _("Created"), "edited": _("Edited"), "role_invited": _("Organisation invited"),
    "role_accepted": _("Role accepted"), "role_declined": _("Role declined"), "role_withdrawn": _("Role ended"),
    "milestone_added": _("Milestone added"), "milestone_done": _("Milestone done"),
    "milestone_reopened": _("Milestone reopened"), "progress_update": _("Progress update"),
    **{f"status_{code}": _("Status changed") for code in STATUS_LABELS},
}
MEASURE_FIELD_LABELS = {
    "title": _("Title"), "description": _("Description"), "goal_id": _("Goal"), "status": _("Status"),
    "health": _("Health"), "progress_mode": _("Progress"), "progress_manual": _("Progress set by hand, in percent"),
    "weight": _("Weight"), "planned_start": _("Planned start"), "planned_end": _("Planned end"),
    "actual_start": _("Actual start"), "actual_end": _("Actual end"), "budget_cents": _("Budget"),
    "funding_source": _("Funding source"), "funding_application_due": _("Funding application due"),
    "funding_ends_on": _("Funding ends"), "funding_report_due": _("Report on the use of funds due"),
    "visibility": _("Visibility"), "life_area": _("Life areas"), "ground": _("Grounds"),
    "district": _("Districts"), "roles": _("Organisations"), "milestones": _("Milestones"),
}
PLAN_NOTICES = {
    "plan_created": _("The plan was created. Its suggested measures are proposals until the group agrees them."),
    "saved": _("Saved."),
    "decision_recorded": _("The decision is recorded."),
    "plan_adopted": _("The plan is adopted."),
    "plan_archived": _("The plan is archived."),
    "measure_proposed": _("The measure is proposed."),
    "invited": _("The organisation is invited. The role counts once one of its members accepts."),
    "accepted": _("You accepted the role for your organisation."),
    "declined": _("You declined the role for your organisation."),
    "withdrawn": _("The role has ended."),
    "status_changed": _("The status is changed."),
    "update_saved": _("The progress update is saved."),
    "commented": _("Your comment is saved."),
    "stale": _("Someone changed the measure while you were editing. Please check the current values."),
    "already_answered": _("This invitation was already answered."),
}
# Every message id the plan domain raises, so that the catalogues extract them (tests keep this complete).
PLAN_MESSAGES = [
    _("A decision cannot be dated in the future."),
    _("A measure can start only once an organisation has accepted the lead."),
    _("A plan runs for ten years at most."),
    _("Choose a goal of this plan."),
    _("Choose a kind of decision."),
    _("Choose a measure of this plan."),
    _("Choose a meeting of this plan."),
    _("Choose a role."),
    _("Choose a state."),
    _("Choose a template."),
    _("Choose an organisation."),
    _("Choose from the list."),
    _("Choose one of the options."),
    _("Choose the decision that adopted the plan."),
    _("Choose who may read the comment."),
    _("Enter a date."),
    _("Enter a period like 2026-Q3."),
    _("Enter a web address starting with https://."),
    _("Enter a whole number from 0 to 100."),
    _("Enter a whole number from 1 to 100."),
    _("Enter an amount in euros, e.g. 12500 or 12.500,00."),
    _("Enter the first day of the plan's period."),
    _("Enter the last day of the plan's period."),
    _("Give the action field a title (at most 200 characters)."),
    _("Give the goal a title (at most 300 characters)."),
    _("Give the measure a title."),
    _("Give the meeting a title."),
    _("Give the milestone a title (at most 300 characters)."),
    _("Give the plan a title (at most 200 characters)."),
    _("Only members of an organisation can comment."),
    _("Say what happened in this period."),
    _("Say what shows that the measure is completed."),
    _("Say why the measure is put on hold."),
    _("The decision belongs to another plan."),
    _("The decision concerns another measure."),
    _("The decision is of another kind."),
    _("The end cannot be before the start."),
    _("The period must end after it starts."),
    _("The text is too long."),
    _("The title is too long."),
    _("The weight is a whole number from 1 to 100."),
    _("This number is already taken in this plan."),
    _("This organisation already holds or has been offered this role."),
    _("This step needs a decision of the strategy group."),
    _("Write a comment."),
    _("Write down what was decided."),
]
