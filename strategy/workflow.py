"""The status workflow of a measure as pure rules: which transitions exist and what each one requires.

proposed → agreed (a decision) → planned → in progress ⇄ on hold → completed (evidence) → evaluated;
any open status → cancelled (a decision). Starting needs an accepted lead organisation.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.errors import Conflict, ValidationFailed

TRANSITIONS: dict[str, tuple[str, ...]] = {
    "proposed": ("agreed", "cancelled"),
    "agreed": ("planned", "cancelled"),
    "planned": ("in_progress", "cancelled"),
    "in_progress": ("on_hold", "completed", "cancelled"),
    "on_hold": ("in_progress", "cancelled"),
    "completed": ("evaluated",),
    "evaluated": (),
    "cancelled": (),
}
# Which kinds of decision can ground a transition that needs one.
DECISION_KINDS_FOR = {
    "agreed": frozenset({"agree", "adopt_plan"}),
    "cancelled": frozenset({"cancel", "close"}),
}
# Transitions into these statuses need an accepted lead organisation (someone answers for the work).
NEEDS_LEAD = frozenset({"in_progress"})
NEEDS_EVIDENCE = frozenset({"completed"})
NEEDS_REASON = frozenset({"on_hold"})
# Statuses whose measures are being delivered: their health counts in roll-ups.
RUNNING = frozenset({"planned", "in_progress", "on_hold"})
DONE = frozenset({"completed", "evaluated"})
CLOSED = frozenset({"completed", "evaluated", "cancelled"})


class TransitionNotAllowed(Conflict):
    """The measure's current status has no transition to the requested one."""

    def __init__(self, current: str, target: str) -> None:
        super().__init__(f"{current} → {target}")
        self.current = current
        self.target = target


@dataclass(frozen=True)
class DecisionFacts:
    id: int
    plan_id: int
    kind: str
    measure_id: int | None


@dataclass(frozen=True)
class TransitionRequest:
    """Everything the rules look at; built by strategy.measures from the database."""

    plan_id: int
    measure_id: int
    current: str
    target: str
    has_active_lead: bool
    decision: DecisionFacts | None = None
    evidence: str = ""
    reason: str = ""


def allowed_targets(current: str) -> tuple[str, ...]:
    return TRANSITIONS.get(current, ())


def needs_decision(target: str) -> bool:
    return target in DECISION_KINDS_FOR


def check_transition(request: TransitionRequest) -> None:
    """Raise `TransitionNotAllowed` or `ValidationFailed` (field → message id) unless the transition may happen."""
    if request.target not in allowed_targets(request.current):
        raise TransitionNotAllowed(request.current, request.target)
    errors: dict[str, str] = {}
    kinds = DECISION_KINDS_FOR.get(request.target)
    if kinds is not None:
        decision = request.decision
        if decision is None:
            errors["decision_id"] = "This step needs a decision of the strategy group."
        elif decision.plan_id != request.plan_id:
            errors["decision_id"] = "The decision belongs to another plan."
        elif decision.measure_id is not None and decision.measure_id != request.measure_id:
            errors["decision_id"] = "The decision concerns another measure."
        elif decision.kind not in kinds:
            errors["decision_id"] = "The decision is of another kind."
    if request.target in NEEDS_LEAD and not request.has_active_lead:
        errors["status"] = "A measure can start only once an organisation has accepted the lead."
    if request.target in NEEDS_EVIDENCE and not request.evidence.strip():
        errors["evidence"] = "Say what shows that the measure is completed."
    if request.target in NEEDS_REASON and not request.reason.strip():
        errors["reason"] = "Say why the measure is put on hold."
    if errors:
        raise ValidationFailed(errors)
