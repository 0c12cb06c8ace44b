"""Authorisation matrix of the action plan: every plan route × role × organisation.

To add routes (meetings, reminders, exports...): add rows to PLAN_ROUTES (method, path template → who passes)
and, if they need objects of their own, append a function to SAMPLE_MAKERS that creates them and returns
the path values ({"meeting_id": "3"}). Who passes = the response is neither 401/403/404 nor a redirect to the
log-in; anything ≥ 500 fails the sweep. Outsiders (counsellors without a strategy role, administrators)
get 404 everywhere under /plan; strategy members refused an action on an object get 403.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from core.clock import utcnow
from tests.personas import PersonaFactory
from tests.routes import concrete, http_routes

LEAD = "strategy_member"  # member of the organisation that leads the sample measure
OTHER = "strategy_member_b"  # member of another organisation of the strategy group
COORDINATOR = "coordinator"
COUNSELLOR = "counsellor_a"  # a counsellor without any strategy role
ADMIN = "admin"
ANONYMOUS = "anonymous"
MATRIX_PERSONAS = [LEAD, OTHER, COORDINATOR, COUNSELLOR, ADMIN, ANONYMOUS]
STRATEGY = frozenset({LEAD, OTHER, COORDINATOR})
HOLDERS = frozenset({LEAD, COORDINATOR})  # the measure's active organisation, and coordinators
EVERYONE = frozenset(MATRIX_PERSONAS)

# Swept in this order; routes that end something (archiving, ending a role) come last.
PLAN_ROUTES: dict[tuple[str, str], frozenset[str]] = {
    ("GET", "/plan"): STRATEGY,
    ("POST", "/plan"): frozenset({COORDINATOR}),
    ("GET", "/plan/meine-massnahmen"): STRATEGY,
    ("GET", "/plan/{plan_id}"): STRATEGY,
    ("POST", "/plan/{plan_id}/beschluesse"): frozenset({COORDINATOR}),
    ("POST", "/plan/{plan_id}/annehmen"): frozenset({COORDINATOR}),
    ("POST", "/plan/{plan_id}/handlungsfelder"): frozenset({COORDINATOR}),
    ("POST", "/plan/{plan_id}/ziele"): frozenset({COORDINATOR}),
    ("GET", "/plan/{plan_id}/zeitplan"): STRATEGY,
    ("GET", "/plan/{plan_id}/tafel"): STRATEGY,
    ("GET", "/plan/{plan_id}/massnahmen/neu"): STRATEGY,
    ("POST", "/plan/{plan_id}/massnahmen/neu"): STRATEGY,
    ("GET", "/plan/massnahmen/{measure_id}"): STRATEGY,
    ("GET", "/plan/massnahmen/{measure_id}/bearbeiten"): HOLDERS,
    ("POST", "/plan/massnahmen/{measure_id}/bearbeiten"): HOLDERS,
    ("POST", "/plan/massnahmen/{measure_id}/einladung"): HOLDERS,
    ("POST", "/plan/massnahmen/{measure_id}/status"): HOLDERS,
    ("POST", "/plan/massnahmen/{measure_id}/meilensteine"): HOLDERS,
    ("POST", "/plan/massnahmen/{measure_id}/meilensteine/{milestone_id}"): HOLDERS,
    ("POST", "/plan/massnahmen/{measure_id}/fortschritt"): HOLDERS,
    ("POST", "/plan/massnahmen/{measure_id}/kommentare"): STRATEGY,
    ("POST", "/plan/rollen/{role_id}/antwort"): frozenset({LEAD}),  # the invited organisation only
    ("POST", "/plan/rollen/{role_id}/beenden"): HOLDERS,
    ("POST", "/plan/{plan_id}/archivieren"): frozenset({COORDINATOR}),
    ("GET", "/fortschritt"): EVERYONE,
}
# Path prefixes this matrix owns; tests/test_routes.py leaves them to it.
PREFIXES = ("/plan", "/fortschritt")


def plan_samples(db, personas: PersonaFactory, samples: dict[str, str]) -> dict[str, str]:
    """A draft plan with a measure led by LEAD's organisation, a milestone, and an open invitation of
    LEAD's organisation to a second role on it."""
    from strategy.measures import add_milestone
    from strategy.models import Measure
    from strategy.ownership import invite_organisation, respond_to_role
    from strategy.plans import create_plan
    coordinator, lead = personas[COORDINATOR].actor, personas[LEAD].actor
    now = utcnow()
    plan = create_plan(db, coordinator, template="integration_vor_ort", title="", period_start=date(2026, 1, 1),
                       period_end=date(2027, 12, 31), now=now)
    from sqlmodel import select
    measure = db.exec(select(Measure).where(Measure.plan_id == plan.id).order_by(Measure.id)).first()
    led = invite_organisation(db, coordinator, measure.id, organisation_id=lead.organisation_id, role="lead",
                              now=now)
    respond_to_role(db, lead, led.id, accept=True, now=now)
    invited = invite_organisation(db, coordinator, measure.id, organisation_id=lead.organisation_id,
                                  role="contributor", now=now)
    milestone = add_milestone(db, lead, measure.id, title="Auftakt", due_on="", weight="1", now=now)
    db.commit()
    return {"plan_id": str(plan.id), "measure_id": str(measure.id), "role_id": str(invited.id),
            "milestone_id": str(milestone.id)}


SAMPLE_MAKERS: list[Callable[..., dict[str, str]]] = [plan_samples]


@pytest.fixture
def samples(db, personas) -> dict[str, str]:
    for key in MATRIX_PERSONAS:
        if key != ANONYMOUS:
            personas[key]
    values: dict[str, str] = {}
    for make in SAMPLE_MAKERS:
        values.update(make(db, personas, values))
    return values


def _owned(path: str) -> bool:
    return path.startswith(PREFIXES)


def test_the_matrix_lists_every_plan_route(app):
    routes = {(m, p) for m, p, _h in http_routes(app) if _owned(p)}
    assert routes == set(PLAN_ROUTES)


def test_every_plan_route_declares_a_permission_or_is_public(app):
    from core.permissions import POLICY
    from web.guards import PUBLIC_PATHS
    for method, path, handler in http_routes(app):
        if _owned(path) and path not in PUBLIC_PATHS:
            assert handler.opt.get("permission") in POLICY.rules, f"{method} {path}"


@pytest.mark.parametrize("persona_key", MATRIX_PERSONAS)
def test_plan_authorisation_matrix(persona_key, client, personas, samples):
    if persona_key != ANONYMOUS:
        client.login(personas[persona_key])
    wrong = []
    for (method, path), allowed_for in PLAN_ROUTES.items():
        url = concrete(path, samples)
        response = client.get(url) if method == "GET" else client.submit(url, {})
        if response.status_code >= 500:
            wrong.append(f"{method} {path}: {response.status_code}")
            continue
        to_login = response.status_code == 303 and "/anmelden" in response.headers.get("location", "")
        passed = not to_login and response.status_code not in {401, 403, 404}
        if passed != (persona_key in allowed_for):
            wrong.append(f"{method} {path}: {response.status_code} (allowed={persona_key in allowed_for})")
    assert wrong == []


@pytest.mark.parametrize("persona_key", [COUNSELLOR, ADMIN])
def test_outsiders_get_404_like_a_missing_plan(persona_key, client, personas, samples):
    client.login(personas[persona_key])
    for path in ("/plan", f"/plan/{samples['plan_id']}", f"/plan/massnahmen/{samples['measure_id']}",
                 "/plan/999999"):
        assert client.get(path).status_code == 404
    assert 'href="/plan"' not in client.get("/start").text


def test_strategy_members_refused_an_action_get_403(client, personas, samples):
    client.login(personas[OTHER])
    assert client.get(f"/plan/massnahmen/{samples['measure_id']}/bearbeiten").status_code == 403
    assert client.submit(f"/plan/rollen/{samples['role_id']}/antwort", {"answer": "accept"}).status_code == 403
    assert 'href="/plan"' in client.get("/start").text
