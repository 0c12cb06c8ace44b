"""First-run setup (/einrichtung) and the same settings later (/admin/einstellungen), for administrators.

Every step is a plain form: a valid post stores its values at once (so going back and forth loses
nothing), a bad one answers 422 with the message next to the field and every value kept."""

from __future__ import annotations

import dataclasses
import smtplib
from dataclasses import dataclass
from functools import partial
from html import escape
from typing import Annotated, Any

import anyio
from litestar import Request, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Redirect, Template
from sqlmodel import Session, col, select

from core import accounts
from core.actors import Actor, OrganisationKind
from core.clock import utcnow
from core.deployment import change_log, complete_setup, save_settings, setup_completed
from core.errors import ValidationFailed
from reporting.centre_designation import designate_centres, designations
from reporting.models import District
from web.deps import Config, CurrentActor, Db, Keys, as_int, form_list, form_text
from web.effective_settings import setting_of, source_of
from web.i18n import LANGUAGE_NAMES, gettext_for, language_of
from web.identity import identity_of
from web.messages import _
from web.settings import SUPPORTED_LANGUAGES, Settings, SettingsError, validate
from web.templating import FormState, page

Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
WIZARD, ADMIN = "/einrichtung", "/admin/einstellungen"
MAX_DISTRICTS = 200


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    # Settings this step edits, with their kind: text, int, bool, languages.
    fields: tuple[tuple[str, str], ...] = ()


STEPS = (
    Step("gemeinde", _("Municipality"), (("municipality_name", "text"), ("ags", "text"))),
    Step("stadtteile", _("Districts")),
    Step("organisationen", _("Organisations")),
    Step("beratungsstellen", _("Receiving centres")),
    Step("sprachen", _("Languages"), (("languages", "languages"), ("default_language", "text"))),
    Step("schwellen", _("Thresholds and retention"), (
        ("suppression_k", "int"), ("public_suppression_k", "int"), ("publication_delay_days", "int"),
        ("retention_unverified_days", "int"), ("retention_closed_case_days", "int"))),
    Step("e-mail", _("E-mail"), (("smtp_host", "text"), ("smtp_port", "int"), ("smtp_user", "text"),
                                 ("smtp_password", "secret"), ("smtp_starttls", "bool"), ("mail_from", "text"))),
    Step("oeffentlich", _("Public pages"), (("public_statistics", "bool"), ("public_chronicle", "bool"))),
    Step("fertig", _("Done")),
)
STEP_BY_KEY = {s.key: s for s in STEPS}
# The message next to a field when web/settings.py validate() rejects the combination.
SETTING_MESSAGES = {
    "ags": "ags_invalid", "languages": "choose_option", "default_language": "default_language_not_enabled",
    "suppression_k": "suppression_k_too_small", "public_suppression_k": "public_k_below_internal",
    "publication_delay_days": "whole_number_invalid",
}


def _step(key: str) -> Step:
    found = STEP_BY_KEY.get(key)
    if found is None:
        raise NotFoundException()
    return found


def _values_of(step: Step, settings: Settings) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, kind in step.fields:
        value = getattr(settings, name)
        values[name] = "" if kind == "secret" else list(value) if kind == "languages" else value
    return values


def _parse(step: Step, data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any], dict[str, str]]:
    """(typed changes, entered values to show again, field errors)."""
    changes: dict[str, Any] = {}
    shown: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name, kind in step.fields:
        if kind == "bool":
            shown[name] = changes[name] = form_text(data, name) == "on"
        elif kind == "languages":
            chosen = [lang for lang in form_list(data, name) if lang in SUPPORTED_LANGUAGES]
            shown[name] = chosen
            if not chosen:
                errors[name] = "choose_language"
            changes[name] = tuple(lang for lang in SUPPORTED_LANGUAGES if lang in chosen)
        elif kind == "int":
            text = form_text(data, name).strip()
            shown[name] = text
            number = as_int(text)
            if number is None or number > 100_000:
                errors[name] = "whole_number_invalid"
            else:
                changes[name] = number
        elif kind == "secret":
            text = form_text(data, name)
            if text:  # empty keeps the stored password
                changes[name] = text
        else:
            text = form_text(data, name).strip()
            shown[name] = text
            if len(text) > 200:
                errors[name] = "too_long"
            changes[name] = text
    if "municipality_name" in changes and not changes["municipality_name"]:
        errors["municipality_name"] = "required"
    if "ags" in changes and not (len(changes["ags"]) == 8 and changes["ags"].isascii() and changes["ags"].isdigit()):
        errors["ags"] = "ags_invalid"
    if changes.get("mail_from") is not None and "mail_from" in changes and "@" not in changes["mail_from"]:
        errors["mail_from"] = "email_invalid"
    if "smtp_port" in changes and not 1 <= changes["smtp_port"] <= 65535:
        errors["smtp_port"] = "whole_number_invalid"
    return changes, shown, errors


def _context(request: Request[Any, Any, Any], db: Db, actor: CurrentActor, settings: Settings, step: Step,
             base: str) -> dict[str, Any]:
    established, waiting, default = designations(db)
    return {
        "step": step, "steps": STEPS, "base": base, "wizard": base == WIZARD,
        "position": STEPS.index(step) + 1,
        "previous": STEPS[STEPS.index(step) - 1] if STEPS.index(step) > 0 else None,
        "following": STEPS[STEPS.index(step) + 1] if STEPS.index(step) + 1 < len(STEPS) else None,
        "language_names": LANGUAGE_NAMES, "supported_languages": SUPPORTED_LANGUAGES,
        "districts": db.exec(select(District).order_by(col(District.position), col(District.name))).all(),
        "organisations": accounts.list_organisations(db), "kinds": list(OrganisationKind),
        "centres": [o for o in accounts.list_organisations(db) if o.kind == OrganisationKind.COUNSELLING_CENTRE],
        "established": established, "waiting_centres": waiting, "default_centre": default,
        "settings_now": settings, "password_stored": bool(settings.smtp_password),
        "completed": setup_completed(db),
    }


def _render(request: Request[Any, Any, Any], db: Db, actor: CurrentActor, settings: Settings, key: str, base: str,
            *, form: FormState | None = None, status: int = 200, notice: str | None = None,
            **extra: Any) -> Template:
    step = _step(key)
    context = _context(request, db, actor, settings, step, base)
    if form is None:
        values = _values_of(step, settings)
        if key == "stadtteile":
            values["names"] = "\n".join(d.name for d in context["districts"])
        if key == "beratungsstellen":
            values["centres"] = [str(o) for o in context["established"] | context["waiting_centres"]]
            values["default_centre"] = str(context["default_centre"] or "")
        form = FormState(values=values)
    return page(request, "setup/step.html", status=status, form=form, notice=notice, **context, **extra)


def _next_url(base: str, key: str) -> str:
    index = [s.key for s in STEPS].index(key)
    if base == ADMIN:
        return f"{ADMIN}?notice=saved"
    return f"{WIZARD}/{STEPS[min(index + 1, len(STEPS) - 1)].key}"


def _save_step(request: Request[Any, Any, Any], db: Db, actor: CurrentActor, crypto: Keys, settings: Settings,
               key: str, base: str, data: Form) -> Template | Redirect:
    step = _step(key)
    if key == "stadtteile":
        return _save_districts(request, db, actor, settings, base, data)
    if key == "organisationen":
        return _add_organisation(request, db, actor, settings, base, data)
    if key == "beratungsstellen":
        return _save_centres(request, db, actor, settings, base, data)
    if key == "fertig":
        complete_setup(db, actor, now=utcnow())
        db.commit()
        source_of(request.app.state).reload(request.app.state)
        return Redirect("/admin?notice=setup_completed", status_code=303)
    changes, shown, errors = _parse(step, data)
    if not errors:
        try:
            validate(dataclasses.replace(settings, **changes))
        except SettingsError as exc:
            name = setting_of(exc)
            errors[name if name in shown else step.fields[0][0]] = SETTING_MESSAGES.get(name, "choose_option")
    if errors:
        return _render(request, db, actor, settings, key, base, form=FormState(values=shown, errors=errors),
                       status=422)
    save_settings(db, actor, crypto, changes, dataclasses.asdict(settings), now=utcnow())
    db.commit()
    source_of(request.app.state).reload(request.app.state)
    return Redirect(_next_url(base, key), status_code=303)


def _save_districts(request: Request[Any, Any, Any], db: Db, actor: CurrentActor, settings: Settings, base: str,
                    data: Form) -> Template | Redirect:
    from reporting.districts import save_district_names
    text = form_text(data, "names")
    names = [line.strip() for line in text.splitlines() if line.strip()]
    try:
        save_district_names(db, actor, names, now=utcnow())
    except ValidationFailed as exc:
        return _render(request, db, actor, settings, "stadtteile", base,
                       form=FormState(values={"names": text}, errors=exc.errors), status=422)
    db.commit()
    return Redirect(_next_url(base, "stadtteile"), status_code=303)


def _add_organisation(request: Request[Any, Any, Any], db: Db, actor: CurrentActor, settings: Settings, base: str,
                      data: Form) -> Template | Redirect:
    name, kind = form_text(data, "name"), form_text(data, "kind")
    values = {"name": name, "kind": kind}
    if kind not in set(OrganisationKind):
        return _render(request, db, actor, settings, "organisationen", base, status=422,
                       form=FormState(values=values, errors={"kind": "choose_option"}))
    try:
        accounts.create_organisation(db, actor, name=name, kind=OrganisationKind(kind), now=utcnow())
    except ValidationFailed as exc:
        return _render(request, db, actor, settings, "organisationen", base, status=422,
                       form=FormState(values=values, errors=exc.errors))
    db.commit()
    return Redirect(f"{base}/organisationen?notice=organisation_created", status_code=303)


def _save_centres(request: Request[Any, Any, Any], db: Db, actor: CurrentActor, settings: Settings, base: str,
                  data: Form) -> Template | Redirect:
    chosen = form_list(data, "centres")
    default_text = form_text(data, "default_centre")
    ids = [n for n in (as_int(c) for c in chosen) if n is not None]
    try:
        designate_centres(db, actor, ids, as_int(default_text), now=utcnow())
    except ValidationFailed as exc:
        return _render(request, db, actor, settings, "beratungsstellen", base, status=422,
                       form=FormState(values={"centres": chosen, "default_centre": default_text}, errors=exc.errors))
    db.commit()
    return Redirect(_next_url(base, "beratungsstellen"), status_code=303)


# --- routes ----------------------------------------------------------------------------------

@get("/einrichtung", include_in_schema=False, sync_to_thread=True, opt={"permission": "deployment.configure"})
def setup_start(db: Db) -> Redirect:
    return Redirect(f"{WIZARD}/{STEPS[-1].key if setup_completed(db) else STEPS[0].key}", status_code=303)


@get("/einrichtung/{step:str}", include_in_schema=False, sync_to_thread=True,
     opt={"permission": "deployment.configure"})
def setup_step(request: Request[Any, Any, Any], db: Db, actor: CurrentActor, settings: Config, step: FromPath[str],
               notice: FromQuery[str | None] = None) -> Template:
    return _render(request, db, actor, settings, step, WIZARD, notice=notice)


@post("/einrichtung/{step:str}", include_in_schema=False, sync_to_thread=True,
      opt={"permission": "deployment.configure"})
def setup_save(request: Request[Any, Any, Any], db: Db, actor: CurrentActor, crypto: Keys, settings: Config,
               step: FromPath[str], data: Form) -> Template | Redirect:
    return _save_step(request, db, actor, crypto, settings, step, WIZARD, data)


@get("/admin/einstellungen", include_in_schema=False, sync_to_thread=True,
     opt={"permission": "deployment.configure"})
def settings_overview(request: Request[Any, Any, Any], db: Db, actor: CurrentActor, settings: Config,
                      notice: FromQuery[str | None] = None) -> Template:
    return page(request, "setup/overview.html", steps=STEPS[:-1], notice=notice, settings_now=settings,
                changes=change_log(db, actor, limit=50), language_names=LANGUAGE_NAMES)


@get("/admin/einstellungen/{step:str}", include_in_schema=False, sync_to_thread=True,
     opt={"permission": "deployment.configure"})
def settings_step(request: Request[Any, Any, Any], db: Db, actor: CurrentActor, settings: Config,
                  step: FromPath[str], notice: FromQuery[str | None] = None) -> Template:
    if step == "fertig":
        raise NotFoundException()
    return _render(request, db, actor, settings, step, ADMIN, notice=notice)


@post("/admin/einstellungen/{step:str}", include_in_schema=False, sync_to_thread=True,
      opt={"permission": "deployment.configure"})
def settings_save(request: Request[Any, Any, Any], db: Db, actor: CurrentActor, crypto: Keys, settings: Config,
                  step: FromPath[str], data: Form) -> Template | Redirect:
    if step == "fertig":
        raise NotFoundException()
    return _save_step(request, db, actor, crypto, settings, step, ADMIN, data)


# --- districts from a GeoJSON file: upload, preview map, confirm --------------------------------

def _preview(request: Request[Any, Any, Any], db: Session, actor: Actor, base: str, text: str) -> Template:
    from reporting.district_map import parse_district_map
    from web.charts import ChartData, layout, svg
    from web.statistics_views import map_shapes
    settings = request.app.state.settings
    try:
        data, pairs = parse_district_map(text)
    except ValidationFailed as exc:
        return _render(request, db, actor, settings, "stadtteile", base, status=422,
                       form=FormState(values={"names": ""}, errors=exc.errors))
    chart = ChartData(kind="map", title=_("Districts in the uploaded file"), description="", categories=tuple(pairs),
                      series=(("", _("District")),), values={}, suppressed_label="", shapes=map_shapes(data))
    context = _context(request, db, actor, settings, _step("stadtteile"), base)
    return page(request, "setup/map_preview.html", pairs=pairs, geojson=text,
                map_svg=svg(layout(chart), element_id="district-preview"), **context)


def _upload_in_session(request: Request[Any, Any, Any], actor: Actor, base: str, text: str) -> Template:
    with Session(request.app.state.engine) as db:
        return _preview(request, db, actor, base, text)


@post("/einrichtung/stadtteile/karte", include_in_schema=False, opt={"permission": "deployment.configure"})
async def upload_district_map(request: Request[Any, Any, Any]) -> Template:
    form = await request.form()
    upload = form.get("geojson_file")
    base = ADMIN if form.get("base") == ADMIN else WIZARD
    actor = identity_of(request.state).actor
    content = await upload.read() if isinstance(upload, UploadFile) else b""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = "not utf-8"
    if not content:
        text = ""
    return await anyio.to_thread.run_sync(partial(_upload_in_session, request, actor, base, text))


@post("/einrichtung/stadtteile/karte/bestaetigen", include_in_schema=False, sync_to_thread=True,
      opt={"permission": "deployment.configure"})
def confirm_district_map(request: Request[Any, Any, Any], db: Db, actor: CurrentActor, settings: Config,
                         data: Form) -> Template | Redirect:
    from reporting.district_map import save_district_map
    base = ADMIN if form_text(data, "base") == ADMIN else WIZARD
    try:
        save_district_map(db, actor, form_text(data, "geojson"), now=utcnow())
    except ValidationFailed as exc:
        return _render(request, db, actor, settings, "stadtteile", base, status=422,
                       form=FormState(values={"names": ""}, errors=exc.errors))
    db.commit()
    return Redirect(_next_url(base, "stadtteile"), status_code=303)


def send_test_mail(request: Request[Any, Any, Any], settings: Settings, to: str) -> None:
    from core.mail import OutgoingMail, send_mail
    from web.reminder_mail import smtp_settings
    text = gettext_for(request, _("The e-mail settings of %(site)s work.")) % {"site": settings.site_name}
    subject = f"{settings.site_name}: {gettext_for(request, _('Test mail'))}"
    send_mail(smtp_settings(settings), OutgoingMail(to=to, subject=subject, text=text + "\n",
                                                    html=f"<p>{escape(text)}</p>", language=language_of(request)))


@post("/einrichtung/e-mail/test", include_in_schema=False, sync_to_thread=True,
      opt={"permission": "deployment.configure"})
def test_mail(request: Request[Any, Any, Any], db: Db, actor: CurrentActor, settings: Config,
              data: Form) -> Template:
    to = form_text(data, "to").strip()
    base = ADMIN if form_text(data, "base") == ADMIN else WIZARD
    if "@" not in to or len(to) > 254:
        return _render(request, db, actor, settings, "e-mail", base, status=422,
                       form=FormState(values={**_values_of(STEP_BY_KEY["e-mail"], settings), "to": to},
                                      errors={"to": "email_invalid"}))
    if not settings.smtp_host:
        return _render(request, db, actor, settings, "e-mail", base, status=422,
                       form=FormState(values={**_values_of(STEP_BY_KEY["e-mail"], settings), "to": to},
                                      errors={"to": "smtp_not_configured"}))
    try:
        send_test_mail(request, settings, to)
    except (OSError, smtplib.SMTPException):
        return _render(request, db, actor, settings, "e-mail", base, status=422,
                       form=FormState(values={**_values_of(STEP_BY_KEY["e-mail"], settings), "to": to},
                                      errors={"to": "test_mail_failed"}))
    return _render(request, db, actor, settings, "e-mail", base, notice="test_mail_sent")


ROUTES = [setup_start, test_mail, upload_district_map, confirm_district_map,
          setup_step, setup_save, settings_overview, settings_step, settings_save]
