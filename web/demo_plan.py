"""Demo action plan for Musterstadt: "Integration vor Ort" adopted at a past meeting, measures in every
status with their owner organisations, milestones, updates from both sides, comments, and one open
invitation for Murat's organisation (Verein Brücke)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlmodel import Session, col, select

from core import accounts
from core.actors import Actor, Role
from core.crypto import Crypto
from strategy import comments, decisions, measures, ownership, plans, updates
from strategy.models import Measure

AWO, CARITAS, BUERO, JUGENDAMT, JOBCENTER, BRUECKE, KULTURVEREIN = range(7)
# Members who answer for their organisations in the plan (besides the log-ins of web/demo.py).
PLAN_MEMBERS = [
    ("katrin@awo.example", "Katrin Netzwerk", AWO),
    ("tobias@caritas.example", "Tobias Netzwerk", CARITAS),
    ("jan@jobcenter.example", "Jan Jobcenter", JOBCENTER),
    ("olena@kulturverein.example", "Olena Kulturverein", KULTURVEREIN),
]


@dataclass(frozen=True)
class Step:
    """How far one of the template's measures has come, and who holds it."""

    index: int
    path: tuple[str, ...]
    roles: tuple[tuple[int, str], ...]
    # (first month, number of months), counted from the plan's first month.
    planned: tuple[int, int] | None = None
    health: str = "on_track"
    public: bool = False
    manual: int | None = None
    budget_cents: int | None = None
    funding: str = ""


STEPS = [
    Step(0, ("agreed", "planned", "in_progress"), ((BUERO, "lead"), (BRUECKE, "co_lead")),
         (3, 27), public=True),
    Step(1, ("agreed", "planned", "in_progress", "completed", "evaluated"), ((BUERO, "lead"), (AWO, "contributor")),
         (3, 9)),
    Step(2, ("cancelled",), ()),
    Step(3, ("agreed", "planned", "in_progress", "completed"), ((BUERO, "lead"), (CARITAS, "co_lead")),
         (4, 11), public=True),
    Step(4, ("agreed", "planned", "in_progress", "on_hold"), ((BRUECKE, "lead"),),
         (8, 16), health="at_risk"),
    Step(5, ("agreed",), ((CARITAS, "lead"),), (24, 12)),
    Step(6, ("agreed", "planned", "in_progress"), ((JOBCENTER, "lead"), (AWO, "contributor")),
         (5, 19), health="at_risk", public=True, manual=40, budget_cents=1_800_000,
         funding="Landesprogramm Arbeitsmarktintegration"),
    Step(7, ("agreed", "planned"), ((BUERO, "lead"), (KULTURVEREIN, "co_lead")),
         (24, 10), budget_cents=4_500_000, funding="Kommunaler Haushalt"),
    Step(9, ("agreed", "planned", "in_progress"), ((JUGENDAMT, "lead"),), (9, 12),
         health="off_track"),
    Step(11, ("agreed", "planned"), ((AWO, "lead"), (CARITAS, "co_lead")), (25, 10)),
    Step(12, ("agreed", "planned", "in_progress", "completed"), ((BUERO, "lead"),),
         (3, 7), public=True),
    Step(13, ("agreed", "planned", "in_progress"), ((JUGENDAMT, "lead"), (BRUECKE, "contributor")),
         (12, 18), public=True),
    Step(15, ("agreed", "planned", "in_progress"), ((BRUECKE, "lead"), (KULTURVEREIN, "co_lead"), (BUERO, "funder")),
         (12, 22), public=True, budget_cents=800_000,
         funding="Partnerschaft für Demokratie"),
    Step(16, ("agreed",), ((AWO, "lead"),), (26, 10)),
]


def _month(first: date, offset: int) -> date:
    """The first day of the month `offset` months after `first`'s month."""
    months = first.year * 12 + first.month - 1 + offset
    return date(months // 12, months % 12 + 1, 1)


def _actor(session: Session, email: str) -> Actor:
    user = session.exec(select(accounts.User).where(accounts.User.email == email)).one()
    return accounts.actor_for(session, user)


def seed_plan(session: Session, crypto: Crypto, organisations: list[int], *, password: str, now: datetime) -> None:
    """Create the demo plan; `organisations` are the ids of web.demo.ORGANISATIONS in their order."""
    for email, name, org in PLAN_MEMBERS:
        accounts.create_user(session, crypto, organisation_id=organisations[org], email=email, display_name=name,
                             password=password, roles=frozenset({Role.STRATEGY_MEMBER}), now=now)
    members = {BUERO: _actor(session, "petra@musterstadt.example"),
               JUGENDAMT: _actor(session, "anna@jugendamt.example"), BRUECKE: _actor(session, "murat@bruecke.example")}
    for email, _name, org in PLAN_MEMBERS:
        members[org] = _actor(session, email)
    petra = members[BUERO]
    start = now - timedelta(days=600)
    plan = plans.create_plan(session, petra, template="integration_vor_ort", title="Aktionsplan Integration vor Ort "
                             "Musterstadt", period_start=date(start.year, 1, 1),
                             period_end=date(start.year + 2, 12, 31), now=start)
    assert plan.id is not None
    held = start + timedelta(days=20)
    meeting = decisions.create_meeting(session, petra, plan.id, title="Steuerungsgruppe Integration, 1. Sitzung",
                                       held_on=held.date(), state="held", now=held)
    adopt = decisions.record_decision(session, petra, plan.id, text="Die Steuerungsgruppe nimmt den Aktionsplan an "
                                      "und legt ihn dem Rat vor.", kind="adopt_plan", measure_id=None,
                                      meeting_id=meeting.id, decided_on=held.date(), now=held)
    agree = decisions.record_decision(session, petra, plan.id, text="Die Maßnahmen mit benannter Federführung werden "
                                      "umgesetzt.", kind="agree", measure_id=None, meeting_id=meeting.id,
                                      decided_on=held.date(), now=held)
    plans.adopt_plan(session, petra, plan.id, decision_id=adopt.id, now=held)
    all_measures = list(session.exec(select(Measure).where(Measure.plan_id == plan.id).order_by(col(Measure.id))).all())
    cancel = decisions.record_decision(session, petra, plan.id, text="Die Verstetigung wird im Rahmen des "
                                       "Integrationskonzepts behandelt; die Einzelmaßnahme entfällt.", kind="cancel",
                                       measure_id=all_measures[2].id, meeting_id=meeting.id, decided_on=held.date(),
                                       now=held)
    for step in STEPS:
        _advance(session, all_measures[step.index], step, members, agree.id or 0, cancel.id or 0, organisations,
                 first=plan.period_start, at=held + timedelta(days=5))
    # Murat's organisation is asked to help with the language courses and has not answered yet.
    ownership.invite_organisation(session, petra, all_measures[7].id or 0, organisation_id=organisations[BRUECKE],
                                  role="contributor", now=now - timedelta(days=3))
    _activity(session, all_measures, members, now=now)
    session.flush()


def _advance(session: Session, measure: Measure, step: Step, members: dict[int, Actor], agree_id: int,
             cancel_id: int, organisations: list[int], *, first: date, at: datetime) -> None:
    petra = members[BUERO]
    measure_id = measure.id or 0
    for org, role in step.roles:
        invitation = ownership.invite_organisation(session, petra, measure_id, organisation_id=organisations[org],
                                                   role=role, now=at)
        ownership.respond_to_role(session, members[org], invitation.id or 0, accept=True, now=at + timedelta(days=2))
    if step.planned:
        offset, months = step.planned
        measure.planned_start = _month(first, offset)
        measure.planned_end = _month(first, offset + months) - timedelta(days=1)
        if "in_progress" in step.path:
            measure.actual_start = measure.planned_start + timedelta(days=14)
        if "completed" in step.path:
            measure.actual_end = measure.planned_end
    measure.health = step.health
    measure.visibility = "public" if step.public else "internal"
    if step.manual is not None:
        measure.progress_mode, measure.progress_manual = "manual", step.manual
    measure.budget_cents, measure.funding_source = step.budget_cents, step.funding
    if step.funding:
        measure.funding_report_due = (measure.planned_end or at.date()) + timedelta(days=90)
    session.add(measure)
    owner = members[step.roles[0][0]] if step.roles else petra
    when = at + timedelta(days=7)
    for target in step.path:
        measures.change_status(
            session, owner if target not in {"agreed", "cancelled"} else petra, measure_id, target=target,
            reason="Förderzusage des Landes steht noch aus." if target == "on_hold" else "",
            decision_id=agree_id if target == "agreed" else cancel_id if target == "cancelled" else None,
            evidence="Abschlussbericht und Protokoll der Auswertung liegen im Integrationsbüro vor."
            if target == "completed" else "", now=when)
        when += timedelta(days=30)


def _activity(session: Session, all_measures: list[Measure], members: dict[int, Actor], *, now: datetime) -> None:
    """Milestones, updates from both sides and a discussion on the round table and the weeks against racism."""
    round_table, weeks = all_measures[0].id or 0, all_measures[15].id or 0
    petra, murat, olena = members[BUERO], members[BRUECKE], members[KULTURVEREIN]
    for measure_id, actor, items in (
            (round_table, petra, (("Auftaktsitzung", -400, True, 1), ("Geschäftsordnung beschlossen", -300, True, 1),
                                  ("Erste Bilanz im Rat", 120, False, 2))),
            (weeks, murat, (("Programm abgestimmt", -60, True, 1), ("Aktionswochen im März", 90, False, 3)))):
        for title, days, done, weight in items:
            milestone = measures.add_milestone(session, actor, measure_id, title=title,
                                               due_on=(now + timedelta(days=days)).date().isoformat(),
                                               weight=str(weight), now=now - timedelta(days=30))
            if done:
                measures.set_milestone_done(session, actor, measure_id, milestone.id or 0, done=True,
                                            now=now - timedelta(days=20))
    period = updates.current_period(now - timedelta(days=92))
    updates.submit_update(session, petra, round_table, period=period, narrative="Der Runde Tisch hat zweimal getagt; "
                          "Wohlfahrtsverbände und Migrantenorganisationen sind vertreten.", obstacles="",
                          support_needed="", evidence="Protokolle der Sitzungen", evidence_link="",
                          assessment="on_track", now=now - timedelta(days=10))
    updates.submit_update(session, murat, round_table, period=period, narrative="Die Sitzungen finden vormittags "
                          "statt; Ehrenamtliche können so kaum teilnehmen.", obstacles="Sitzungszeiten",
                          support_needed="Abendtermine und Dolmetschen ins Arabische", evidence="", evidence_link="",
                          assessment="at_risk", now=now - timedelta(days=8))
    updates.submit_update(session, olena, weeks, period=period, narrative="Zwölf Veranstaltungen sind angemeldet, "
                          "davon drei in ukrainischer Sprache.", obstacles="", support_needed="Räume in der Altstadt",
                          evidence="", evidence_link="", assessment="on_track", now=now - timedelta(days=5))
    comments.add_comment(session, murat, round_table, body="Können wir die nächste Sitzung auf 18 Uhr legen?",
                         visibility="strategy_group", now=now - timedelta(days=7))
    comments.add_comment(session, petra, round_table, body="Ja, ich schlage den Termin in der Einladung vor.",
                         visibility="strategy_group", now=now - timedelta(days=6))
    comments.add_comment(session, murat, round_table, body="Intern: Vorstand fragt, wer uns in der Sitzung vertritt.",
                         visibility="own_organisation", now=now - timedelta(days=5))
