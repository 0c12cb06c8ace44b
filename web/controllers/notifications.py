"""Each person's choice of reminder mails (/konto/benachrichtigungen) and the administrators' view of the
outbox (/admin/post): mails not sent yet, e.g. while no SMTP server is configured."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromQuery
from litestar.response import Redirect, Template

from core.clock import utcnow
from core.errors import ValidationFailed
from core.mail import queued_mails
from core.notifications import Frequency, preference_of, set_preference
from web.deps import Config, CurrentActor, Db, form_text
from web.i18n import LANGUAGE_NAMES
from web.messages import _
from web.templating import FormState, page

Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]

FREQUENCY_LABELS = {
    Frequency.IMMEDIATE: _("Each reminder at once"),
    Frequency.DAILY: _("One mail a day with everything new"),
    Frequency.WEEKLY: _("One mail a week with everything new (Mondays)"),
    Frequency.NONE: _("No mail"),
}


def _form_page(request: Request[Any, Any, Any], settings: Config, form: FormState, *, status: int = 200,
               notice: str | None = None) -> Template:
    return page(request, "account/notifications.html", status=status, form=form, notice=notice,
                frequencies=[(f.value, FREQUENCY_LABELS[f]) for f in Frequency],
                mail_languages=[(code, LANGUAGE_NAMES[code]) for code in settings.languages],
                default_language=LANGUAGE_NAMES[settings.default_language],
                mail_configured=bool(settings.smtp_host))


@get("/konto/benachrichtigungen", include_in_schema=False, sync_to_thread=True, opt={"permission": "account.self"})
def notifications_form(request: Request[Any, Any, Any], db: Db, actor: CurrentActor, settings: Config,
                       notice: FromQuery[str | None] = None) -> Template:
    assert actor.user_id is not None
    pref = preference_of(db, actor.user_id, default_language=settings.default_language)
    values = {"frequency": pref.frequency.value, "language": pref.chosen_language or ""}
    return _form_page(request, settings, FormState(values=values), notice=notice)


@post("/konto/benachrichtigungen", include_in_schema=False, sync_to_thread=True,
      opt={"permission": "account.self"})
def save_notifications(request: Request[Any, Any, Any], db: Db, actor: CurrentActor, settings: Config,
                       data: Form) -> Template | Redirect:
    values = {"frequency": form_text(data, "frequency"), "language": form_text(data, "language")}
    try:
        set_preference(db, actor, frequency=values["frequency"], language=values["language"],
                       languages=settings.languages, now=utcnow())
    except ValidationFailed as exc:
        return _form_page(request, settings, FormState(values=values, errors=exc.errors), status=422)
    db.commit()
    return Redirect("/konto/benachrichtigungen?notice=saved", status_code=303)


@get("/admin/post", include_in_schema=False, sync_to_thread=True, opt={"permission": "mail.outbox"})
def outbox(request: Request[Any, Any, Any], db: Db, actor: CurrentActor, settings: Config) -> Template:
    return page(request, "admin/outbox.html", mails=queued_mails(db, actor), mail_configured=bool(settings.smtp_host))


ROUTES = [notifications_form, save_notifications, outbox]
