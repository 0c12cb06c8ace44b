"""Reminders and digests with a fixed clock and a real SMTP server on 127.0.0.1: the right mails on the
right days, in each person's language, once, even when the job runs twice or two schedulers run at once."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from email.message import EmailMessage

import pytest
from sqlmodel import Session, select

from core.mail import MailOutbox
from core.notifications import Notice, NotificationPreference
from strategy.models import ActionField, Goal, Measure, MeasureRole, Milestone, Plan, ProgressUpdate
from strategy.reminders import ahead_stage, overdue_stage, stale_stage
from tests.smtp_server import Collector, free_port, smtp_server
from web.settings import Settings

# These tests read the English wording (German is the default language).
pytestmark = pytest.mark.usefixtures("english_pages")

DUE = date(2026, 3, 16)  # a Monday
START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


@dataclasses.dataclass
class World:
    plan: Plan
    measure: Measure
    milestone: Milestone


@pytest.fixture
def smtp() -> Iterator[tuple[Collector, int]]:
    with smtp_server() as server:
        yield server


@pytest.fixture
def mail_settings(settings: Settings, smtp: tuple[Collector, int]) -> Settings:
    return dataclasses.replace(settings, smtp_host="127.0.0.1", smtp_port=smtp[1],
                               mail_from="plan@musterstadt.example", base_url="https://vorort.musterstadt.example")


def at(day: date, hour: int = 5, minute: int = 30) -> datetime:
    return datetime.combine(day, time(hour, minute), UTC)


def make_world(db: Session, personas, *, due: date = DUE, status: str = "in_progress", planned_end: date | None = None,
               role_state: str = "active") -> World:
    member = personas["strategy_member"]
    personas["coordinator"]
    personas["counsellor_a"]
    plan = Plan(title="Aktionsplan 2026", template="empty", period_start=date(2026, 1, 1),
                period_end=date(2027, 12, 31), state="adopted", created_at=START)
    db.add(plan)
    db.flush()
    field = ActionField(plan_id=plan.id, title="Bildung")
    db.add(field)
    db.flush()
    goal = Goal(action_field_id=field.id, title="Schulen stärken")
    db.add(goal)
    db.flush()
    measure = Measure(plan_id=plan.id, goal_id=goal.id, title="Workshops an Schulen", status=status,
                      planned_end=planned_end, created_at=START, updated_at=START)
    db.add(measure)
    db.flush()
    db.add(MeasureRole(measure_id=measure.id, organisation_id=member.organisation_id, role="lead", state=role_state,
                       invited_at=START))
    milestone = Milestone(measure_id=measure.id, title="Konzept fertig", due_on=due)
    db.add(milestone)
    # A recent update, so the measure is not stale within these tests.
    db.add(ProgressUpdate(measure_id=measure.id, period="2026-Q1", organisation_id=member.organisation_id,
                          side="civil_society", at=START))
    db.commit()
    return World(plan, measure, milestone)


def prefer(db: Session, persona, frequency: str, language: str | None = None) -> None:
    db.merge(NotificationPreference(user_id=persona.user_id, frequency=frequency, language=language, updated_at=START))
    db.commit()


def run_reminders(engine, settings: Settings, day: date) -> str:
    from web.scheduler import reminders_job
    return reminders_job(engine, settings, now=at(day))


def mails_to(server: Collector, persona) -> list[EmailMessage]:
    return server.to(persona.email)


def text_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def html_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("html",))
    assert part is not None
    return str(part.get_content())


def test_stages_of_a_deadline():
    assert [ahead_stage(d) for d in (8, 7, 2, 1, 0, -1)] == [None, "7", "7", "1", "1", None]
    assert [overdue_stage(d) for d in (0, 1, 6, 7, 36, 37, 66, 67)] == [
        None, "overdue-1", "overdue-1", "overdue-7", "overdue-7", "overdue-37", "overdue-37", "overdue-67"]
    assert [stale_stage(d, 90) for d in (89, 90, 179, 180)] == [None, "stale-90", "stale-90", "stale-180"]


def test_milestone_reminders_come_7_and_1_days_before_then_1_and_7_days_after_then_every_30(
        db, engine, personas, smtp, mail_settings):
    server, _port = smtp
    make_world(db, personas)
    member = personas["strategy_member"]
    prefer(db, member, "immediate", "en")
    days = [DUE + timedelta(days=offset) for offset in range(-10, 71)]
    received: list[int] = []

    def milestone_mails() -> int:
        return sum("Konzept fertig" in m["Subject"] for m in mails_to(server, member))

    for day in days:
        before = milestone_mails()
        run_reminders(engine, mail_settings, day)
        if milestone_mails() > before:
            received.append((day - DUE).days)
    assert received == [-7, -1, 1, 7, 37, 67]
    subjects = [m["Subject"] for m in mails_to(server, member) if "Konzept" in m["Subject"]]
    assert subjects[0] == "[Vor Ort] Milestone due: Konzept fertig"
    assert subjects[2] == "[Vor Ort] Milestone overdue: Konzept fertig"


def test_a_done_milestone_and_outsiders_get_no_reminder(db, engine, personas, smtp, mail_settings):
    server, _port = smtp
    world = make_world(db, personas)
    for key in ("strategy_member", "coordinator", "counsellor_a"):
        prefer(db, personas[key], "immediate")
    run_reminders(engine, mail_settings, DUE - timedelta(days=7))
    assert {m["To"] for m in server.messages} == {personas["strategy_member"].email, personas["coordinator"].email}
    world.milestone.done_on = DUE - timedelta(days=3)
    db.add(world.milestone)
    db.commit()
    count = len(server.messages)
    for offset in (-1, 1, 7):
        run_reminders(engine, mail_settings, DUE + timedelta(days=offset))
    assert len(server.messages) == count


def test_an_organisation_that_has_not_accepted_its_role_gets_no_reminder(db, engine, personas, smtp, mail_settings):
    server, _port = smtp
    make_world(db, personas, role_state="invited")
    prefer(db, personas["strategy_member"], "immediate")
    run_reminders(engine, mail_settings, DUE - timedelta(days=7))
    assert mails_to(server, personas["strategy_member"]) == []


def test_a_mail_has_text_and_html_in_the_persons_language(db, engine, personas, smtp, mail_settings):
    server, _port = smtp
    world = make_world(db, personas)
    prefer(db, personas["strategy_member"], "immediate", "en")
    prefer(db, personas["coordinator"], "immediate")  # no language chosen: the deployment's default, German
    run_reminders(engine, mail_settings, DUE - timedelta(days=7))
    [english] = mails_to(server, personas["strategy_member"])
    [german] = mails_to(server, personas["coordinator"])
    assert english["Content-Language"] == "en" and german["Content-Language"] == "de"
    assert "March 16, 2026" in text_of(english) and "16. März 2026" in text_of(german)
    assert '<html lang="en"' in html_of(english) and '<html lang="de"' in html_of(german)
    link = f"https://vorort.musterstadt.example/plan/massnahmen/{world.measure.id}"
    assert link in text_of(english) and f'href="{link}"' in html_of(english)
    assert "https://vorort.musterstadt.example/konto/benachrichtigungen" in text_of(german)


def test_mail_html_escapes_titles(db, engine, personas, smtp, mail_settings):
    server, _port = smtp
    world = make_world(db, personas)
    world.milestone.title = "<script>x</script>"
    db.add(world.milestone)
    db.commit()
    prefer(db, personas["strategy_member"], "immediate", "en")
    run_reminders(engine, mail_settings, DUE - timedelta(days=1))
    [mail] = mails_to(server, personas["strategy_member"])
    assert "<script>" not in html_of(mail) and "&lt;script&gt;" in html_of(mail)
    assert "<script>x</script>" in text_of(mail)


def test_measure_end_funding_deadlines_and_stale_measures_remind(db, engine, personas, smtp, mail_settings):
    server, _port = smtp
    world = make_world(db, personas, due=date(2027, 1, 1), planned_end=DUE)
    world.measure.funding_application_due = DUE
    db.add(world.measure)
    db.commit()
    member = personas["strategy_member"]
    prefer(db, member, "immediate", "en")
    run_reminders(engine, mail_settings, DUE - timedelta(days=7))
    assert sorted(m["Subject"] for m in mails_to(server, member)) == [
        "[Vor Ort] Funding deadline: Workshops an Schulen", "[Vor Ort] Measure ending: Workshops an Schulen"]
    assert "Deadline of the funding application" in text_of(
        next(m for m in mails_to(server, member) if "Funding" in m["Subject"]))
    stale_day = START.date() + timedelta(days=mail_settings.reminder_stale_days)
    run_reminders(engine, mail_settings, stale_day)
    assert mails_to(server, member)[-1]["Subject"] == "[Vor Ort] No progress update for a while: Workshops an Schulen"


def test_running_the_job_twice_or_the_queueing_twice_sends_nothing_twice(db, engine, personas, smtp, mail_settings):
    from web.reminder_mail import queue_reminders
    server, _port = smtp
    make_world(db, personas)
    prefer(db, personas["strategy_member"], "immediate")
    prefer(db, personas["coordinator"], "daily")
    day = DUE - timedelta(days=7)
    assert "1 mails, 1 kept for digests" in run_reminders(engine, mail_settings, day)
    assert run_reminders(engine, mail_settings, day) == "already ran"
    # Even past the job ledger (a second scheduler on another day's period, a manual run): the keys hold.
    with Session(engine) as session:
        again = queue_reminders(session, mail_settings, today=day + timedelta(days=1), now=at(day))
        session.commit()
    assert (again.immediate, again.kept_for_digest) == (0, 0)
    assert len(mails_to(server, personas["strategy_member"])) == 1
    assert len(db.exec(select(Notice)).all()) == 1


def test_two_schedulers_running_the_reminders_at_once_send_each_mail_once(db, engine, personas, smtp, mail_settings):
    from web.reminder_mail import queue_reminders
    from web.scheduler import mail_job
    server, _port = smtp
    make_world(db, personas)
    prefer(db, personas["strategy_member"], "immediate")
    prefer(db, personas["coordinator"], "immediate")
    day = DUE - timedelta(days=1)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def scheduler() -> None:
        # The queueing itself, without the job ledger's claim: only the outbox keys keep the two apart.
        try:
            with Session(engine) as session:
                barrier.wait()
                queue_reminders(session, mail_settings, today=day, now=at(day))
                session.commit()
            mail_job(engine, mail_settings, now=at(day))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    from web.scheduler import _deliver
    _deliver(engine, mail_settings, at(day))
    assert sorted(m["To"] for m in server.messages) == sorted([personas["strategy_member"].email,
                                                              personas["coordinator"].email])


def test_smtp_down_keeps_mail_queued_and_the_next_run_sends_it(db, engine, personas, settings, smtp):
    from web.scheduler import mail_job
    server, port = smtp
    make_world(db, personas)
    prefer(db, personas["strategy_member"], "immediate")
    down = dataclasses.replace(settings, smtp_host="127.0.0.1", smtp_port=free_port())
    assert "failed 1" in run_reminders(engine, down, DUE - timedelta(days=7))
    assert db.exec(select(MailOutbox)).one().sent_at is None
    up = dataclasses.replace(settings, smtp_host="127.0.0.1", smtp_port=port)
    assert "sent 1" in mail_job(engine, up, now=at(DUE - timedelta(days=7), 5, 35))
    assert len(server.messages) == 1


def test_daily_and_weekly_subscribers_get_digests_and_none_gets_nothing(db, engine, personas, smtp, mail_settings):
    from web.scheduler import daily_digest_job, weekly_digest_job
    server, _port = smtp
    world = make_world(db, personas)
    member, coordinator = personas["strategy_member"], personas["coordinator"]
    prefer(db, member, "daily", "en")
    # The coordinator keeps the default: weekly, German.
    monday = DUE - timedelta(days=7)
    run_reminders(engine, mail_settings, monday)
    assert server.messages == []  # nobody wants each reminder at once
    daily_digest_job(engine, mail_settings, now=at(monday, 6, 0))
    [digest] = mails_to(server, member)
    assert digest["Subject"] == "[Vor Ort] Your daily overview of the action plan"
    assert "The milestone “Konzept fertig” of the measure “Workshops an Schulen” is due on March 16, 2026." in text_of(
        digest)
    assert "Konzept fertig" in html_of(digest)
    # Nothing new the next day: no daily digest.
    run_reminders(engine, mail_settings, monday + timedelta(days=1))
    daily_digest_job(engine, mail_settings, now=at(monday + timedelta(days=1), 6, 0))
    assert len(mails_to(server, member)) == 1
    # The member reports progress during the week; the coordinator's weekly digest on Monday lists both.
    db.add(ProgressUpdate(measure_id=world.measure.id, period="2026-Q1-b", organisation_id=member.organisation_id,
                          author_user_id=member.user_id, side="civil_society", assessment="at_risk",
                          at=at(monday + timedelta(days=3), 10)))
    db.commit()
    next_monday = monday + timedelta(days=7)
    weekly_digest_job(engine, mail_settings, now=at(next_monday, 6, 15))
    [weekly] = mails_to(server, coordinator)
    body = text_of(weekly)
    assert "Konzept fertig" in body and "16. März 2026" in body and "Migrantenverein" in body
    assert weekly_digest_job(engine, mail_settings, now=at(next_monday, 7, 0)) == "already ran"
    assert len(mails_to(server, coordinator)) == 1
    prefer(db, member, "none")
    for offset in (8, 9):
        run_reminders(engine, mail_settings, monday + timedelta(days=offset))
        daily_digest_job(engine, mail_settings, now=at(monday + timedelta(days=offset), 6, 0))
    assert len(mails_to(server, member)) == 1


def test_without_smtp_mails_wait_and_the_admin_sees_them(db, engine, personas, settings, client):
    make_world(db, personas)
    prefer(db, personas["strategy_member"], "immediate")
    assert "sent 0, failed 0, waiting 1" in run_reminders(engine, settings, DUE - timedelta(days=1))
    rows = db.exec(select(MailOutbox)).all()
    assert rows and all(row.sent_at is None for row in rows)
    client.login(personas["admin"])
    overview = client.get("/admin/post", headers={"accept-language": "en"})
    assert overview.status_code == 200
    # The subject is in the recipient's language (German by default).
    assert "Konzept fertig" in overview.text and "Strategy Member" in overview.text
    assert "Hello" not in overview.text  # subject and recipient, never the body


def test_a_person_chooses_frequency_and_language_without_javascript(client, db, personas):
    member = personas["strategy_member"]
    client.login(member)
    form = client.get("/konto/benachrichtigungen", headers={"accept-language": "en"})
    assert form.status_code == 200
    assert 'value="weekly" checked' in form.text  # the default
    refused = client.submit("/konto/benachrichtigungen", {"frequency": "hourly", "language": "en"},
                            headers={"accept-language": "en"})
    assert refused.status_code == 422
    assert "Please choose one of the options." in refused.text and '<option value="en" selected>' in refused.text
    saved = client.submit("/konto/benachrichtigungen", {"frequency": "daily", "language": "en"},
                          follow_redirects=False)
    assert saved.status_code == 303
    row = db.get(NotificationPreference, member.user_id)
    db.refresh(row)
    assert (row.frequency, row.language) == ("daily", "en")
    again = client.get("/konto/benachrichtigungen")
    assert 'value="daily" checked' in again.text


def test_a_missing_indicator_value_reminds_before_and_after_it_is_due(db, engine, personas, smtp, mail_settings):
    from strategy.indicators import Indicator, IndicatorValue
    server, _port = smtp
    world = make_world(db, personas, due=date(2027, 1, 1))
    indicator = Indicator(plan_id=world.plan.id, measure_id=world.measure.id, title="Teilnehmende", direction="up",
                          kind="manual", granularity="quarter", created_at=START)
    db.add(indicator)
    db.commit()
    member = personas["strategy_member"]
    prefer(db, member, "immediate", "en")
    # The value of 2026-Q1 is due 30 days after 31 March: on 30 April.
    due = date(2026, 4, 30)
    received = []

    def indicator_mails() -> list[EmailMessage]:
        return [m for m in mails_to(server, member) if "Indicator" in m["Subject"]]

    for offset in range(-10, 12):
        day = due + timedelta(days=offset)
        before = len(indicator_mails())
        run_reminders(engine, mail_settings, day)
        if len(indicator_mails()) > before:
            received.append(offset)
    assert received == [-7, -1, 1, 7]
    last = indicator_mails()[-1]
    assert last["Subject"] == "[Vor Ort] Indicator value due: Teilnehmende (2026-Q1)"
    # Entered: the next period's reminders are about 2026-Q2 only.
    db.add(IndicatorValue(indicator_id=indicator.id, period_key="2026-Q2", value=12, entered_at=START))
    db.commit()
    run_reminders(engine, mail_settings, date(2026, 7, 30 - 7))
    assert len(indicator_mails()) == len(received)
