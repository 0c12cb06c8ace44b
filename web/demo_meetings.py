"""Demo round tables and indicators for the demo plan: the past meetings with agenda, attendance, minutes
and decisions, and indicators on measures (one with values entered, two bound to dashboard figures)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from core.accounts import Organisation, User, actor_for
from core.actors import Actor
from reporting.statistics import Granularity, Period, rebuild_rollup
from strategy import decisions, indicators, meetings
from strategy.models import ActionField, Goal, Measure, Meeting, Plan

COORDINATOR_EMAIL = "petra@musterstadt.example"
FIRST_AGENDA = ("Begrüßung und Vorstellungsrunde", "Aktionsplan Integration vor Ort: Beratung und Beschluss",
                "Federführungen der Maßnahmen", "Termine und Verschiedenes")
SECOND_AGENDA = ("Bericht aus den Maßnahmen", "Lagebild: Meldungen aus der Beratung",
                 "Aktionswochen gegen Rassismus", "Verschiedenes")


def _last_quarters(now: datetime, count: int) -> list[Period]:
    quarter = Period(Granularity.QUARTER, now.year, (now.month - 1) // 3 + 1).previous()
    periods = [quarter]
    while len(periods) < count:
        periods.append(periods[-1].previous())
    return list(reversed(periods))


def _attendance(session: Session, petra: Actor, meeting_id: int, *, absent: int, now: datetime) -> None:
    orgs = list(session.exec(select(Organisation).order_by(col(Organisation.id))).all())
    entries = {}
    for index, org in enumerate(orgs[:7]):
        assert org.id is not None
        status = "absent" if index == absent else "excused" if index == 4 else "present"
        entries[org.id] = (status, "2" if index == 2 else "1")
    meetings.record_attendance(session, petra, meeting_id, entries, now=now)


def seed_meetings(session: Session, *, now: datetime) -> None:
    """Complete the demo plan's first meeting and add a recent one; add indicators. Does nothing without a plan."""
    plan = session.exec(select(Plan).order_by(col(Plan.id))).first()
    user = session.exec(select(User).where(User.email == COORDINATOR_EMAIL)).first()
    if plan is None or plan.id is None or user is None:
        return
    petra = actor_for(session, user)
    all_measures = list(session.exec(select(Measure).where(Measure.plan_id == plan.id)
                                     .order_by(col(Measure.id))).all())
    allowed = {m.id for m in all_measures if m.id is not None}
    first = session.exec(select(Meeting).where(Meeting.plan_id == plan.id).order_by(col(Meeting.held_on))).first()
    if first is not None and first.id is not None:
        for title in FIRST_AGENDA:
            meetings.add_agenda_item(session, petra, first.id, title=title, measure_id=None, allowed_measures=allowed,
                                     now=now)
        _attendance(session, petra, first.id, absent=6, now=now)
        meetings.save_minutes(session, petra, first.id, now=now, text=(
            "Die Steuerungsgruppe hat den Entwurf des Aktionsplans beraten. Die Migrantenorganisationen regen an, "
            "die Sitzungen auch abends anzubieten. Der Plan wird angenommen; die Federführungen sind benannt."))
    # A second round table six weeks ago: the briefing counts from its date.
    held = now - timedelta(days=42)
    second = decisions.create_meeting(session, petra, plan.id, title="Steuerungsgruppe Integration, 2. Sitzung",
                                      held_on=held.date(), now=held)
    assert second.id is not None
    for index, title in enumerate(SECOND_AGENDA):
        measure_id = all_measures[0].id if index == 0 and all_measures else None
        meetings.add_agenda_item(session, petra, second.id, title=title, measure_id=measure_id,
                                 allowed_measures=allowed, now=held)
    _attendance(session, petra, second.id, absent=3, now=held)
    meetings.save_minutes(session, petra, second.id, now=held, text=(
        "Die Federführungen berichten aus den Maßnahmen. Die Beratungsstellen stellen das Lagebild vor: "
        "Meldungen aus dem Wohnungsmarkt nehmen zu. Die Steuerungsgruppe bittet das Integrationsbüro, "
        "ein Testing-Verfahren bei Vermietern vorzubereiten."))
    if len(all_measures) > 4 and all_measures[4].id is not None:
        decisions.record_decision(session, petra, plan.id, kind="change", measure_id=all_measures[4].id,
                                  meeting_id=second.id, decided_on=held.date(), now=held,
                                  text="Die Maßnahme ruht, bis die Förderzusage vorliegt; der Zeitplan wird angepasst.")
    decisions.record_decision(session, petra, plan.id, kind="other", measure_id=None, meeting_id=second.id,
                              decided_on=held.date(), now=held,
                              text="Die nächste Sitzung findet um 18 Uhr statt, mit Dolmetschen ins Arabische.")
    meetings.mark_meeting_held(session, petra, second, now=held)
    _indicators(session, petra, plan.id, all_measures, now=now)


def _indicators(session: Session, petra: Actor, plan_id: int, all_measures: list[Measure], *, now: datetime) -> None:
    if not all_measures or all_measures[0].id is None:
        return
    round_table = all_measures[0]
    manual = indicators.create_indicator(
        session, petra, plan_id=plan_id, measure_id=round_table.id, now=now - timedelta(days=400),
        data=indicators.IndicatorInput(title="Organisationen, die am Runden Tisch mitarbeiten", unit="Organisationen",
                                       baseline="4", target="10", direction="up", kind="manual",
                                       granularity="quarter"))
    for offset, (period, value) in enumerate(zip(_last_quarters(now, 4), ("5", "6", "6", "8"), strict=True)):
        indicators.enter_value(session, petra, manual, period_key=period.key, value_text=value,
                               now=now - timedelta(days=(3 - offset) * 91 + 5))
    # The demo incidents are written directly; the figures come from the rollup, so build it first.
    # (Intake leaves the area of life to the counsellor's coding, so the demo binds to the place.)
    rebuild_rollup(session)
    goal = session.get(Goal, round_table.goal_id)
    field = session.get(ActionField, goal.action_field_id) if goal else None
    target = next((m for m in all_measures if "Wohn" in m.title), round_table)
    indicators.create_indicator(
        session, petra, plan_id=plan_id, measure_id=target.id, now=now - timedelta(days=400),
        data=indicators.IndicatorInput(title="Gemeldete Vorfälle auf dem Wohnungsmarkt", unit="Meldungen",
                                       direction="down", kind="figure", granularity="quarter",
                                       filters=(("place_type", "housing_market"),)))
    indicators.create_indicator(
        session, petra, plan_id=plan_id, measure_id=target.id, now=now - timedelta(days=400),
        data=indicators.IndicatorInput(title="Gemeldete Vorfälle auf dem Wohnungsmarkt im Stadtteil Hafen",
                                       unit="Meldungen", direction="down", kind="figure", granularity="year",
                                       filters=(("district", "hafen"), ("place_type", "housing_market"))))
    if goal is not None and goal.id is not None and field is not None:
        indicators.create_indicator(
            session, petra, plan_id=plan_id, goal_id=goal.id, now=now - timedelta(days=400),
            data=indicators.IndicatorInput(title="Gemeldete Vorfälle insgesamt", unit="Meldungen", direction="down",
                                           kind="figure", granularity="year"))
    session.flush()
