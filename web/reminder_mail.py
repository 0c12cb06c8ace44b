"""Reminder and digest mails: claims what `strategy.reminders` selects, renders it in each person's language
(Jinja templates under templates/mail/, .txt and .html) and queues it in the outbox of `core.mail`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from babel.dates import format_date
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from sqlmodel import Session, col, select

from core.accounts import User, UserRole
from core.actors import Role
from core.claims import existing_keys
from core.mail import MailOutbox, SmtpSettings, enqueue
from core.notifications import (
    Frequency,
    Notice,
    Preference,
    claim_notice,
    mark_digested,
    preferences_for,
    waiting_notices,
)
from strategy.reminders import Reminder, due_reminders, recent_updates_for
from web.i18n import babel_locale, html_lang, is_rtl, jinja_gettext, jinja_ngettext, translations
from web.messages import _
from web.settings import Settings
from web.templating import TEMPLATE_DIR

SUBJECTS = {
    "milestone_due": _("Milestone due: %(item)s"),
    "milestone_overdue": _("Milestone overdue: %(item)s"),
    "measure_due": _("Measure ending: %(measure)s"),
    "measure_overdue": _("Measure overdue: %(measure)s"),
    "measure_stale": _("No progress update for a while: %(measure)s"),
    "funding_due": _("Funding deadline: %(measure)s"),
    "indicator_due": _("Indicator value due: %(item)s"),
}
SENTENCES = {
    "milestone_due": _("The milestone “%(item)s” of the measure “%(measure)s” is due on %(date)s."),
    "milestone_overdue": _("The milestone “%(item)s” of the measure “%(measure)s” was due on %(date)s and is "
                           "not done yet."),
    "measure_due": _("The measure “%(measure)s” is planned to end on %(date)s."),
    "measure_overdue": _("The measure “%(measure)s” was planned to end on %(date)s and is still open."),
    "measure_stale": _("The measure “%(measure)s” has had no progress update since %(date)s."),
    "funding_due": _("%(item)s for the measure “%(measure)s”: %(date)s."),
    "indicator_due": _("The value of the indicator “%(item)s” for “%(measure)s” is due on %(date)s."),
}
FUNDING_LABELS = {
    "funding_application_due": _("Deadline of the funding application"),
    "funding_ends_on": _("End of the funding period"),
    "funding_report_due": _("Report on the use of funds"),
}
DIGEST_SUBJECTS = {
    Frequency.DAILY: _("Your daily overview of the action plan"),
    Frequency.WEEKLY: _("Your weekly overview of the action plan"),
}
MAX_DIGEST_LINES = 100
UPDATE_SENTENCE = _("%(organisation)s reported on “%(measure)s” (%(period)s): %(assessment)s.")
ASSESSMENT_LABELS = {"on_track": _("on track"), "at_risk": _("at risk"), "off_track": _("off track")}


def smtp_settings(settings: Settings) -> SmtpSettings:
    return SmtpSettings(host=settings.smtp_host, port=settings.smtp_port, user=settings.smtp_user,
                        password=settings.smtp_password, starttls=settings.smtp_starttls, sender=settings.mail_from)


def mail_environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATE_DIR / "mail"),
                      autoescape=select_autoescape(enabled_extensions=("html",), default=False),
                      undefined=StrictUndefined, extensions=["jinja2.ext.i18n"], trim_blocks=True,
                      lstrip_blocks=True, keep_trailing_newline=True)
    env.install_gettext_callables(jinja_gettext, jinja_ngettext, newstyle=True)  # type: ignore[attr-defined]
    return env


ENVIRONMENT = mail_environment()


def measure_url(settings: Settings, measure_id: int) -> str:
    return f"{settings.base_url.rstrip('/')}/plan/massnahmen/{measure_id}"


@dataclass(frozen=True)
class MailLine:
    """One thing to tell, already in the person's language."""

    text: str
    link: str


def describe(payload: dict[str, Any], lang: str, settings: Settings) -> tuple[str, MailLine]:
    """Subject and sentence of one reminder in `lang`."""
    tr = translations(lang)
    kind = payload["kind"]
    item = payload.get("item_title", "")
    if kind == "funding_due":
        item = tr.gettext(FUNDING_LABELS.get(item, item))
    values = {"item": item, "measure": payload["measure_title"],
              "date": format_date(date.fromisoformat(payload["on"]), format="long", locale=babel_locale(lang))}
    subject = tr.gettext(SUBJECTS[kind]) % values
    path = str(payload.get("path") or f"/plan/massnahmen/{payload['measure_id']}")
    line = MailLine(tr.gettext(SENTENCES[kind]) % values, settings.base_url.rstrip("/") + path)
    return subject, line


def render(template: str, lang: str, **context: Any) -> tuple[str, str]:
    """The text and the HTML part of `template` (mail/<template>.txt and .html) in `lang`."""
    base = {"lang": lang, "html_lang": html_lang(lang), "dir": "rtl" if is_rtl(lang) else "ltr", **context}
    return (ENVIRONMENT.get_template(f"{template}.txt").render(base),
            ENVIRONMENT.get_template(f"{template}.html").render(base))


@dataclass(frozen=True)
class QueueResult:
    immediate: int = 0
    kept_for_digest: int = 0
    skipped: int = 0  # already claimed, or the person wants no mail


def queue_reminders(session: Session, settings: Settings, *, today: date, now: datetime) -> QueueResult:
    """Claim every due reminder per person: a mail now (immediate) or a notice for the digest."""
    reminders = due_reminders(session, today=today, stale_days=settings.reminder_stale_days)
    people = sorted({user_id for r in reminders for user_id in r.recipients})
    prefs = preferences_for(session, people, default_language=settings.default_language)
    users = {u.id: u for u in session.exec(select(User).where(col(User.id).in_(people))).all()} if people else {}
    keys = [r.key_for(user_id) for r in reminders for user_id in r.recipients]
    # Told already (a stage holds for days): skip those before rendering; the unique keys still decide.
    told = (existing_keys(session, col(MailOutbox.dedup_key), keys)
            | existing_keys(session, col(Notice.dedup_key), keys))
    immediate = kept = skipped = 0
    for reminder in reminders:
        for user_id in sorted(reminder.recipients):
            pref = prefs[user_id]
            if pref.frequency == Frequency.NONE or user_id not in users or reminder.key_for(user_id) in told:
                skipped += 1
            elif pref.frequency == Frequency.IMMEDIATE:
                queued = _queue_one(session, settings, reminder, users[user_id], pref, now=now)
                immediate += queued
                skipped += 1 - queued
            elif claim_notice(session, user_id=user_id, dedup_key=reminder.key_for(user_id), kind=reminder.kind,
                              payload=reminder.payload(), now=now):
                kept += 1
            else:
                skipped += 1
    session.flush()
    return QueueResult(immediate, kept, skipped)


def _queue_one(session: Session, settings: Settings, reminder: Reminder, user: User, pref: Preference, *,
               now: datetime) -> int:
    assert user.id is not None
    subject, line = describe(reminder.payload(), pref.language, settings)
    text, html = render("reminder", pref.language, name=user.display_name, line=line, subject=subject,
                        site_name=settings.site_name, settings_url=_settings_url(settings))
    return int(enqueue(session, recipient_user_id=user.id, kind=reminder.kind, dedup_key=reminder.key_for(user.id),
                       subject=f"[{settings.site_name}] {subject}", text=text, html=html, language=pref.language,
                       now=now))


def _settings_url(settings: Settings) -> str:
    return f"{settings.base_url.rstrip('/')}/konto/benachrichtigungen"


def digest_period(frequency: Frequency, today: date) -> tuple[str, date]:
    """The period key and its first day: the day itself, or the ISO week ending before `today`."""
    if frequency == Frequency.DAILY:
        return today.isoformat(), today - timedelta(days=1)
    year, week, _weekday = today.isocalendar()
    return f"{year}-W{week:02d}", today - timedelta(days=7)


def _strategy_people(session: Session) -> list[int]:
    """Everyone who may receive digests: active members of the strategy group."""
    rows = session.exec(select(User.id).join(UserRole, col(UserRole.user_id) == User.id)
                        .where(col(UserRole.role).in_([Role.STRATEGY_MEMBER.value, Role.COORDINATOR.value]),
                               col(User.is_active).is_(True))).all()
    return sorted({r for r in rows if r is not None})


def queue_digests(session: Session, settings: Settings, frequency: Frequency, *, today: date,
                  now: datetime) -> int:
    """One digest per person with this frequency and something to tell: waiting notices and others' progress
    updates since the period began. The digest's key (frequency, period, person) makes it once per period."""
    period, since = digest_period(frequency, today)
    people = _strategy_people(session)
    prefs = preferences_for(session, people, default_language=settings.default_language)
    queued = 0
    for user_id in people:
        pref = prefs[user_id]
        if pref.frequency != frequency:
            continue
        user = session.get(User, user_id)
        assert user is not None
        notices = waiting_notices(session, user_id)
        updates = recent_updates_for(session, user_id, since=since, until=today)
        if not notices and not updates:
            continue
        tr = translations(pref.language)
        # A mail of thousands of lines helps nobody: the first ones, and how many more the plan shows.
        lines = [describe(n.payload, pref.language, settings)[1] for n in notices[:MAX_DIGEST_LINES]]
        more = max(0, len(notices) - MAX_DIGEST_LINES)
        update_lines = [
            MailLine(tr.gettext(UPDATE_SENTENCE) % {
                "organisation": u.organisation_name, "measure": u.measure_title, "period": u.period,
                "assessment": tr.gettext(ASSESSMENT_LABELS.get(u.assessment, u.assessment))},
                measure_url(settings, u.measure_id))
            for u in updates[:MAX_DIGEST_LINES]]
        subject = tr.gettext(DIGEST_SUBJECTS[frequency])
        text, html = render("digest", pref.language, name=user.display_name, lines=lines, more=more,
                            plan_url=f"{settings.base_url.rstrip('/')}/plan/meine-massnahmen", updates=update_lines,
                            subject=subject, site_name=settings.site_name, settings_url=_settings_url(settings))
        if enqueue(session, recipient_user_id=user_id, kind=f"digest_{frequency.value}",
                   dedup_key=f"digest-{frequency.value}:{period}:{user_id}",
                   subject=f"[{settings.site_name}] {subject}", text=text, html=html, language=pref.language, now=now):
            mark_digested(session, [n.id for n in notices], now=now)
            queued += 1
    session.flush()
    return queued
