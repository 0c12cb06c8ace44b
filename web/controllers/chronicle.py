"""The public chronicle: proposing and reviewing entries in the workspace, the public list and its Atom feed."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from xml.etree import ElementTree as ET  # nosec B405  (we only write XML here, never parse input)

from litestar import Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery, QueryParameter
from litestar.response import Redirect, Template
from sqlmodel import Session, col, select

from core.actors import Actor
from core.clock import utcnow
from core.errors import NotFound, ValidationFailed
from reporting import chronicle, dialogue, inbox
from reporting import taxonomy as tx
from reporting.models import District
from web.centre_key import centre_key_of
from web.chronicle_labels import LABELS, shown_date
from web.deps import Config, CurrentActor, Db, as_int, form_list, form_text
from web.i18n import babel_locale, language_of, translations
from web.labels import CODE_LABELS
from web.settings import Settings
from web.templating import FormState, page

Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
QUEUE = {"permission": "chronicle.queue"}
ATOM = "http://www.w3.org/2005/Atom"

def _context(**extra: Any) -> dict[str, Any]:
    return {"labels": LABELS, "code_labels": CODE_LABELS, "shown_date": shown_date, **extra}


# --- proposing, on the incident ----------------------------------------------------------------

def _description(request: Request[Any, Any, Any], db: Session, actor: Actor, incident_id: str) -> str | None:
    """The decrypted report, for the check that the summary is not copied from it; None without a key."""
    incident = inbox.get_incident(db, actor, incident_id)
    if incident.content_purged_on is not None or incident.description_sealed is None:
        return None
    centre_key = centre_key_of(request, db, actor)
    if centre_key is None:
        return None
    return dialogue.description_of(db, dialogue.open_as_centre(db, actor, incident_id, centre_key))


def _propose_page(request: Request[Any, Any, Any], db: Session, actor: Actor, incident_id: str, *,
                  form: FormState | None = None, status: int = 200, notice: str | None = None) -> Template:
    incident = inbox.get_incident(db, actor, incident_id, "chronicle.propose")
    entries = chronicle.entries_of_incident(db, actor, incident_id)
    active = next((e for e in entries if e.state in chronicle.ACTIVE_STATES), None)
    returned = next((e for e in entries if e.state == "internal_only"), None)
    if form is None:
        precise = incident.date_precision == "day"
        form = FormState(values={"public_summary": returned.summary if returned else "",
                                 "date_shown": (returned.date_shown if returned else "day" if precise else "month"),
                                 "place_shown": "district" if (returned.district if returned else incident.district)
                                 else "withheld"})
    district = db.get(District, incident.district) if incident.district else None
    return page(request, "chronicle/propose.html", status=status, notice=notice, **_context(
        incident=incident, entries=entries, active=active, returned=returned, form=form,
        district_name=district.name if district else None, counted=incident.verification in
        tx.COUNTED_VERIFICATIONS, max_summary=chronicle.MAX_SUMMARY))


@get("/beratung/meldungen/{incident_id:str}/chronik", include_in_schema=False, sync_to_thread=True, opt=QUEUE)
def propose_form(request: Request[Any, Any, Any], db: Db, actor: CurrentActor, incident_id: FromPath[str],
                 notice: FromQuery[str | None] = None) -> Template:
    return _propose_page(request, db, actor, incident_id, notice=notice)


@post("/beratung/meldungen/{incident_id:str}/chronik", include_in_schema=False, sync_to_thread=True, opt=QUEUE)
def propose(request: Request[Any, Any, Any], db: Db, actor: CurrentActor, incident_id: FromPath[str],
            data: Form) -> Template | Redirect:
    values = {name: form_text(data, name) for name in ("public_summary", "date_shown", "place_shown")}
    try:
        chronicle.propose_entry(db, actor, incident_id, summary=values["public_summary"],
                                date_shown=values["date_shown"], place_shown=values["place_shown"], now=utcnow(),
                                description=_description(request, db, actor, incident_id))
    except ValidationFailed as exc:
        db.rollback()
        return _propose_page(request, db, actor, incident_id, form=FormState(values, exc.errors), status=422)
    db.commit()
    return Redirect(f"/beratung/meldungen/{incident_id}/chronik?notice=chronicle_proposed", status_code=303)


# --- reviewing -----------------------------------------------------------------------------------

@get("/beratung/chronik", include_in_schema=False, sync_to_thread=True, opt=QUEUE)
def queue_page(request: Request[Any, Any, Any], db: Db, actor: CurrentActor, settings: Config,
               notice: FromQuery[str | None] = None) -> Template:
    return page(request, "chronicle/queue.html", notice=notice, **_context(
        queue=chronicle.review_queue(db, actor), public=settings.public_chronicle))


def _review_page(request: Request[Any, Any, Any], db: Session, actor: Actor, entry_id: str, *,
                 approve_form: FormState | None = None, return_form: FormState | None = None,
                 withdraw_form: FormState | None = None, status: int = 200, notice: str | None = None) -> Template:
    entry = chronicle.review_entry(db, actor, entry_id)
    failed = [f for f in (approve_form, return_form, withdraw_form) if f is not None and f.errors]
    return page(request, "chronicle/review.html", status=status, notice=notice, **_context(
        entry=entry, approve_form=approve_form or FormState(), return_form=return_form or FormState(),
        withdraw_form=withdraw_form or FormState(), form=failed[0] if failed else FormState()))


@get("/beratung/chronik/{entry_id:str}", include_in_schema=False, sync_to_thread=True, opt=QUEUE)
def review_page(request: Request[Any, Any, Any], db: Db, actor: CurrentActor, entry_id: FromPath[str],
                notice: FromQuery[str | None] = None) -> Template:
    return _review_page(request, db, actor, entry_id, notice=notice)


def _decide(request: Request[Any, Any, Any], db: Session, actor: Actor, entry_id: str, decision: Any,
            values: dict[str, Any], form_name: str, notice: str) -> Template | Redirect:
    """One review decision: done and back to the queue, or the review page again with the form's messages."""
    try:
        decision(db, actor, entry_id, now=utcnow(), **values)
    except ValidationFailed as exc:
        db.rollback()
        forms: dict[str, Any] = {form_name: FormState(values, exc.errors)}
        return _review_page(request, db, actor, entry_id, status=422, **forms)
    db.commit()
    return Redirect(f"/beratung/chronik?notice={notice}", status_code=303)


@post("/beratung/chronik/{entry_id:str}/freigeben", include_in_schema=False, sync_to_thread=True, opt=QUEUE)
def approve(request: Request[Any, Any, Any], db: Db, actor: CurrentActor, entry_id: FromPath[str],
            data: Form) -> Template | Redirect:
    return _decide(request, db, actor, entry_id, chronicle.approve_entry, {"checks": form_list(data, "checks")},
                   "approve_form", "chronicle_approved")


@post("/beratung/chronik/{entry_id:str}/zurueckgeben", include_in_schema=False, sync_to_thread=True, opt=QUEUE)
def return_for_changes(request: Request[Any, Any, Any], db: Db, actor: CurrentActor, entry_id: FromPath[str],
                       data: Form) -> Template | Redirect:
    return _decide(request, db, actor, entry_id, chronicle.return_entry, {"reasons": form_list(data, "reasons")},
                   "return_form", "chronicle_returned")


@post("/beratung/chronik/{entry_id:str}/zurueckziehen", include_in_schema=False, sync_to_thread=True, opt=QUEUE)
def withdraw(request: Request[Any, Any, Any], db: Db, actor: CurrentActor, entry_id: FromPath[str],
             data: Form) -> Template | Redirect:
    return _decide(request, db, actor, entry_id, chronicle.withdraw_entry, {"reason": form_text(data, "reason")},
                   "withdraw_form", "chronicle_withdrawn")


# --- the public side -----------------------------------------------------------------------------

def _offered(settings: Settings) -> None:
    # Switched off, the chronicle does not exist: the same answer as any unknown address.
    if not settings.public_chronicle:
        raise NotFound("chronicle")


def _filters(year: str | None, district: str | None, incident_type: str | None, motive: str | None,
             page_number: str | None) -> chronicle.ChronicleFilters:
    """Unknown or malformed filter values are ignored rather than refused: this is a public reading page."""
    chosen_year = as_int(year or "")
    return chronicle.ChronicleFilters(
        year=chosen_year if chosen_year is not None and 1900 <= chosen_year <= 9998 else None,
        district=district or None,
        incident_type=incident_type if incident_type in tx.INCIDENT_TYPE else None,
        motive=motive if motive in tx.MOTIVE else None, page=as_int(page_number or "") or 1)


@get("/chronik", include_in_schema=False, sync_to_thread=True)
def public_page(request: Request[Any, Any, Any], db: Db, settings: Config, year: FromQuery[str | None] = None,
                district: FromQuery[str | None] = None,
                incident_type: Annotated[str | None, QueryParameter(name="type")] = None,
                motive: FromQuery[str | None] = None,
                page_number: Annotated[str | None, QueryParameter(name="page")] = None) -> Template:
    _offered(settings)
    districts = db.exec(select(District).order_by(col(District.position))).all()
    known = {d.code for d in districts}
    chosen = _filters(year, district if district in known else None, incident_type, motive, page_number)
    result = chronicle.published_entries(db, filters=chosen, today=utcnow().date())
    query = {k: v for k, v in (("year", chosen.year), ("district", chosen.district), ("type", chosen.incident_type),
                               ("motive", chosen.motive)) if v}
    return page(request, "chronicle/public.html", **_context(
        result=result, chosen=chosen, query=query, districts=[(d.code, d.name) for d in districts],
        types=tx.INCIDENT_TYPE.codes, motives=tx.MOTIVE.codes))


@get("/chronik/feed.atom", include_in_schema=False, sync_to_thread=True)
def feed(request: Request[Any, Any, Any], db: Db, settings: Config) -> Response[bytes]:
    _offered(settings)
    result = chronicle.published_entries(db, filters=chronicle.ChronicleFilters(), today=utcnow().date(),
                                         per_page=50)
    body = atom_feed(result.entries, settings, language_of(request))
    return Response(body, media_type="application/atom+xml; charset=utf-8")


@get("/chronik/{entry_id:str}", include_in_schema=False, sync_to_thread=True)
def public_entry_page(request: Request[Any, Any, Any], db: Db, settings: Config, entry_id: FromPath[str]) -> Template:
    _offered(settings)
    return page(request, "chronicle/entry.html", **_context(entry=chronicle.public_entry(db, entry_id)))


def _tag(settings: Settings, specific: str) -> str:
    """A stable tag: URI (RFC 4151) under the deployment's host; the date is fixed, never the entry's."""
    host = settings.base_url.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "localhost"
    return f"tag:{host},2026:vorort/chronik{specific}"


def _day(value: date) -> str:
    return f"{value.isoformat()}T00:00:00Z"


def atom_feed(entries: list[chronicle.PublicEntry], settings: Settings, lang: str) -> bytes:
    """Atom 1.0 of the newest published entries: summaries, dates to the day, no personal data."""
    gettext = translations(lang).gettext
    base = settings.base_url.rstrip("/")
    ET.register_namespace("", ATOM)

    def sub(parent: ET.Element, name: str, text: str | None = None, **attrs: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{ATOM}}}{name}", attrs)
        if text is not None:
            element.text = text
        return element

    root = ET.Element(f"{{{ATOM}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": babel_locale(lang)})
    sub(root, "title", gettext("Chronicle of incidents in %(place)s") % {"place": settings.municipality_name})
    sub(root, "subtitle", gettext("Anonymised entries approved by the counselling centres. "
                                  "They show reports received, not how often incidents happen."))
    sub(root, "id", _tag(settings, ""))
    updated = max((e.approved_on for e in entries), default=utcnow().date())
    sub(root, "updated", _day(updated))
    sub(root, "link", rel="self", type="application/atom+xml", href=f"{base}/chronik/feed.atom")
    sub(root, "link", rel="alternate", type="text/html", href=f"{base}/chronik")
    author = sub(root, "author")
    sub(author, "name", f"{settings.site_name} {settings.municipality_name}")
    for item in entries:
        entry = sub(root, "entry")
        sub(entry, "id", _tag(settings, f"/{item.id}"))
        title = [shown_date(item.shown_on, item.date_shown, lang)]
        if item.incident_type:
            title.append(gettext(CODE_LABELS["incident_type"][item.incident_type]))
        title.append(item.district_name or gettext("Place not given"))
        sub(entry, "title", " · ".join(title))
        sub(entry, "updated", _day(item.approved_on))
        sub(entry, "link", rel="alternate", type="text/html", href=f"{base}/chronik/{item.id}")
        sub(entry, "content", item.summary, type="text")
        for scheme, code in (("incident_type", item.incident_type), ("motive", item.motive)):
            if code:
                sub(entry, "category", term=code, scheme=f"{base}/chronik#{scheme}",
                    label=gettext(CODE_LABELS[scheme][code]))
    body: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return body


ROUTES = [propose_form, propose, queue_page, review_page, approve, return_for_changes, withdraw, public_page, feed,
          public_entry_page]
