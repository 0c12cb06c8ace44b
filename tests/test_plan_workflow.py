"""The status workflow of a measure: pure rules, no database."""

from __future__ import annotations

import itertools

import pytest

from core.errors import ValidationFailed
from strategy.workflow import (
    TRANSITIONS,
    DecisionFacts,
    TransitionNotAllowed,
    TransitionRequest,
    allowed_targets,
    check_transition,
)

AGREE = DecisionFacts(id=7, plan_id=1, kind="agree", measure_id=None)
CANCEL = DecisionFacts(id=8, plan_id=1, kind="cancel", measure_id=3)


def request(current: str, target: str, **kwargs) -> TransitionRequest:
    values = {"plan_id": 1, "measure_id": 3, "has_active_lead": True, **kwargs}
    return TransitionRequest(current=current, target=target, **values)


def errors_of(req: TransitionRequest) -> dict[str, str]:
    with pytest.raises(ValidationFailed) as caught:
        check_transition(req)
    return caught.value.errors


def test_a_measure_cannot_start_without_an_accepted_lead():
    assert set(errors_of(request("planned", "in_progress", has_active_lead=False))) == {"status"}
    assert set(errors_of(request("on_hold", "in_progress", has_active_lead=False))) == {"status"}
    check_transition(request("planned", "in_progress"))


def test_agreeing_needs_a_decision_of_the_same_plan_and_a_fitting_kind():
    assert set(errors_of(request("proposed", "agreed"))) == {"decision_id"}
    assert errors_of(request("proposed", "agreed", decision=DecisionFacts(7, 2, "agree", None)))["decision_id"] \
        == "The decision belongs to another plan."
    assert errors_of(request("proposed", "agreed", decision=DecisionFacts(7, 1, "agree", 99)))["decision_id"] \
        == "The decision concerns another measure."
    assert errors_of(request("proposed", "agreed", decision=CANCEL))["decision_id"] == \
        "The decision is of another kind."
    check_transition(request("proposed", "agreed", decision=AGREE))
    check_transition(request("proposed", "agreed", decision=DecisionFacts(7, 1, "adopt_plan", None)))


@pytest.mark.parametrize("current", ["proposed", "agreed", "planned", "in_progress", "on_hold"])
def test_cancelling_needs_a_decision_from_every_open_status(current):
    assert set(errors_of(request(current, "cancelled"))) == {"decision_id"}
    check_transition(request(current, "cancelled", decision=CANCEL))


def test_completing_needs_evidence():
    assert set(errors_of(request("in_progress", "completed", evidence="   "))) == {"evidence"}
    check_transition(request("in_progress", "completed", evidence="Abschlussbericht vom 3. März"))


def test_putting_on_hold_needs_a_reason():
    assert set(errors_of(request("in_progress", "on_hold"))) == {"reason"}
    check_transition(request("in_progress", "on_hold", reason="Förderung verzögert"))


def test_several_missing_requirements_are_reported_together():
    errors = errors_of(request("in_progress", "cancelled", has_active_lead=False))
    assert set(errors) == {"decision_id"}  # cancelling needs no lead
    with pytest.raises(ValidationFailed) as caught:
        check_transition(request("on_hold", "in_progress", has_active_lead=False))
    assert "status" in caught.value.errors


@pytest.mark.parametrize(("current", "target"), [
    ("proposed", "planned"), ("proposed", "in_progress"), ("agreed", "in_progress"), ("planned", "completed"),
    ("on_hold", "completed"), ("completed", "in_progress"), ("evaluated", "cancelled"), ("cancelled", "proposed"),
    ("completed", "cancelled"), ("in_progress", "in_progress"), ("in_progress", "nonsense"),
])
def test_transitions_outside_the_workflow_are_refused(current, target):
    with pytest.raises(TransitionNotAllowed):
        check_transition(request(current, target, decision=AGREE, evidence="x", reason="x"))


def test_the_workflow_reaches_evaluated_and_ends_there():
    path = ["proposed", "agreed", "planned", "in_progress", "on_hold", "in_progress", "completed", "evaluated"]
    for current, target in itertools.pairwise(path):
        assert target in allowed_targets(current)
    assert allowed_targets("evaluated") == () and allowed_targets("cancelled") == ()
    assert set(TRANSITIONS) == {"proposed", "agreed", "planned", "in_progress", "on_hold", "completed",
                                "evaluated", "cancelled"}
