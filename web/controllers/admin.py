"""Administration: organisations and accounts (never case content)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, get, post
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Redirect, Template

from core import accounts
from core.actors import OrganisationKind, Role
from core.clock import utcnow
from core.deployment import setup_completed
from core.errors import Conflict, NotFound, ValidationFailed
from core.jobs import last_runs
from core.mail import count_queued
from web.deps import Config, CurrentActor, Db, as_int, form_list, form_text
from web.templating import FormState, page

Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]


def _admin_page(request: Request[Any, Any, Any], db: Db, actor: CurrentActor, *, status: int = 200,
                org_form: FormState | None = None, invite_form: FormState | None = None,
                notice: FromQuery[str | None] = None) -> Template:
    return page(request, "admin/index.html", status=status,
                organisations=accounts.list_organisations(db),
                users=accounts.list_users(db, actor),
                kinds=list(OrganisationKind), roles=list(Role),
                org_form=org_form or FormState(), invite_form=invite_form or FormState(),
                notice=notice, job_runs=last_runs(db), queued_mail_count=count_queued(db))


@get("/admin", include_in_schema=False, sync_to_thread=True, opt={"permission": "admin.view"})
def admin_index(request: Request[Any, Any, Any], db: Db, actor: CurrentActor,
                notice: FromQuery[str | None] = None) -> Template | Redirect:
    if not setup_completed(db):  # a fresh instance: the first-run setup comes first
        return Redirect("/einrichtung", status_code=303)
    return _admin_page(request, db, actor, notice=notice)


@post("/admin/organisationen", include_in_schema=False, sync_to_thread=True,
      opt={"permission": "organisation.create"})
def create_organisation(request: Request[Any, Any, Any], db: Db, actor: CurrentActor,
                        data: Form) -> Template | Redirect:
    name, kind = form_text(data, "name"), form_text(data, "kind")
    values = {"name": name, "kind": kind}
    if kind not in set(OrganisationKind):
        return _admin_page(request, db, actor, status=422,
                           org_form=FormState(values=values, errors={"kind": "choose_option"}))
    try:
        accounts.create_organisation(db, actor, name=name, kind=OrganisationKind(kind), now=utcnow())
    except ValidationFailed as exc:
        return _admin_page(request, db, actor, status=422, org_form=FormState(values=values, errors=exc.errors))
    db.commit()
    return Redirect("/admin?notice=organisation_created", status_code=303)


@post("/admin/einladungen", include_in_schema=False, sync_to_thread=True, opt={"permission": "user.invite"})
def invite_user(request: Request[Any, Any, Any], db: Db, actor: CurrentActor, settings: Config,
                data: Form) -> Template:
    chosen = form_list(data, "roles")
    org_text = form_text(data, "organisation_id")
    email = form_text(data, "email")
    values: dict[str, Any] = {"email": email, "organisation_id": org_text, "roles": chosen}
    roles = frozenset(Role(r) for r in chosen if r in set(Role))
    try:
        invite, token = accounts.create_invite(
            db, actor, organisation_id=as_int(org_text),
            email=email, roles=roles, now=utcnow())
    except ValidationFailed as exc:
        return _admin_page(request, db, actor, status=422,
                           invite_form=FormState(values=values, errors=exc.errors))
    db.commit()
    link = f"{settings.base_url.rstrip('/')}/einladung/{token}"
    return page(request, "admin/invite_created.html", invite=invite, link=link)


@post("/admin/konten/{user_id:int}/deaktivieren", include_in_schema=False, sync_to_thread=True,
      opt={"permission": "user.deactivate"})
def deactivate_user(db: Db, actor: CurrentActor, user_id: FromPath[int]) -> Redirect:
    try:
        accounts.deactivate_user(db, actor, user_id, now=utcnow())
    except NotFound as exc:
        raise NotFoundException() from exc
    except Conflict:
        return Redirect("/admin?notice=cannot_deactivate_self", status_code=303)
    db.commit()
    return Redirect("/admin?notice=user_deactivated", status_code=303)


ROUTES = [admin_index, create_organisation, invite_user, deactivate_user]
