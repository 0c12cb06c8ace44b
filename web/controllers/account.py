"""Log-in with password and second factor, log-out, invitations, own account."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, get, post
from litestar.datastructures import Cookie
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException
from litestar.params import Body, FromPath, FromQuery, QueryParameter
from litestar.response import Redirect, Template

from core import accounts
from core.clock import utcnow
from core.errors import NotFound, ValidationFailed
from core.keyring import unlock_user_key
from core.sessions import count_second_factor_failure, end_session, start_session
from reporting.centre_designation import establish_on_first_member
from web.deps import Config, CurrentActor, Db, Keys, form_text, safe_next
from web.identity import identity_of, session_cookie_name
from web.qr import qr_svg
from web.templating import FormState, page

Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
Next = Annotated[str | None, QueryParameter(name="next")]
MAX_SECOND_FACTOR_FAILURES = 5


def _session_cookie(settings: Config, token: FromPath[str]) -> Cookie:
    return Cookie(key=session_cookie_name(settings), value=token, path="/", httponly=True,
                  secure=settings.https, samesite="lax")


def _expired_cookie(settings: Config) -> Cookie:
    return Cookie(key=session_cookie_name(settings), value="", path="/", httponly=True,
                  secure=settings.https, samesite="lax", max_age=0)


def _redirect_with_session(settings: Config, target: str, token: FromPath[str]) -> Redirect:
    return Redirect(target, status_code=303, cookies=[_session_cookie(settings, token)])


# --- log-in --------------------------------------------------------------------------------

@get("/anmelden", include_in_schema=False)
async def login_form(request: Request[Any, Any, Any], next_path: Next = None,
                     notice: FromQuery[str | None] = None) -> Template:
    return page(request, "account/login.html", next_path=safe_next(next_path), notice=notice)


@post("/anmelden", include_in_schema=False, sync_to_thread=True)
def login(request: Request[Any, Any, Any], db: Db, crypto: Keys, settings: Config, data: Form,
          next_path: Next = None) -> Redirect | Template:
    email, password = form_text(data, "email"), form_text(data, "password")
    target = safe_next(form_text(data, "next") or next_path)
    user = accounts.authenticate(db, crypto, email=email, password=password)
    if user is None or user.id is None:
        # One message for unknown address and wrong password; authenticate() takes the same time.
        # "login_failed" is a message id, not a password.
        form = FormState(values={"email": email}, errors={"password": "login_failed"})  # nosec B105
        return page(request, "account/login.html", status=422, form=form, next_path=target, notice=None)
    now = utcnow()
    old = identity_of(request.state).session_token
    roles = accounts.roles_of(db, user.id)
    # Members of a centre unlock their personal key with the password; the session keeps it sealed.
    member_key = unlock_user_key(db, user.id, password, crypto.argon2)
    if user.totp_secret_sealed is None and not accounts.needs_totp(roles):
        token = start_session(db, user.id, second_factor_done=True, now=now, replaces=old, member_key=member_key)
        db.commit()
        return _redirect_with_session(settings, target, token)
    token = start_session(db, user.id, second_factor_done=False, now=now, replaces=old, member_key=member_key)
    db.commit()
    step = "/anmelden/zweiter-faktor" if user.totp_secret_sealed else "/anmelden/zweiter-faktor/einrichten"
    return _redirect_with_session(settings, f"{step}?next={target}", token)


@get("/anmelden/zweiter-faktor", include_in_schema=False, opt={"permission": "account.self"})
async def second_factor_form(request: Request[Any, Any, Any], next_path: Next = None) -> Template | Redirect:
    if identity_of(request.state).pending_user_id is None:  # fully logged in already
        return Redirect("/start", status_code=303)
    return page(request, "account/second_factor.html", next_path=safe_next(next_path))


@post("/anmelden/zweiter-faktor", include_in_schema=False, sync_to_thread=True, opt={"permission": "account.self"})
def second_factor(request: Request[Any, Any, Any], db: Db, crypto: Keys, settings: Config,
                  data: Form) -> Redirect | Template:
    identity = identity_of(request.state)
    target = safe_next(form_text(data, "next"))
    user = db.get(accounts.User, identity.pending_user_id) if identity.pending_user_id else None
    if user is None or identity.session_token is None:  # fully logged in already
        return Redirect("/start", status_code=303)
    now = utcnow()
    if accounts.verify_second_factor(db, crypto, user, form_text(data, "code"), now=now):
        assert user.id is not None
        token = start_session(db, user.id, second_factor_done=True, now=now, replaces=identity.session_token)
        db.commit()
        return _redirect_with_session(settings, target, token)
    if count_second_factor_failure(db, identity.session_token) >= MAX_SECOND_FACTOR_FAILURES:
        # Too many guesses: the password step has to be repeated.
        end_session(db, identity.session_token)
        db.commit()
        return Redirect("/anmelden?notice=too_many_attempts", status_code=303,
                        cookies=[_expired_cookie(settings)])
    db.commit()
    form = FormState(errors={"code": "second_factor_failed"})
    return page(request, "account/second_factor.html", status=422, form=form, next_path=target)


def _enrolment_user(request: Request[Any, Any, Any], db: Db) -> accounts.User:
    identity = identity_of(request.state)
    user_id = identity.pending_user_id or identity.actor.user_id
    user = db.get(accounts.User, user_id) if user_id else None
    if user is None:
        raise NotFoundException()
    return user


@get("/anmelden/zweiter-faktor/einrichten", include_in_schema=False, sync_to_thread=True,
     opt={"permission": "account.self"})
def enrol_form(request: Request[Any, Any, Any], db: Db, settings: Config,
               next_path: Next = None) -> Template | Redirect:
    user = _enrolment_user(request, db)
    if identity_of(request.state).pending_user_id and user.totp_secret_sealed is not None:
        # Half logged-in with a factor already set: re-enrolling would bypass it.
        return Redirect("/anmelden/zweiter-faktor", status_code=303)
    secret = accounts.new_totp_secret()
    return _enrol_page(request, settings, user, secret, FormState(), safe_next(next_path), 200)


def _enrol_page(request: Request[Any, Any, Any], settings: Config, user: accounts.User, secret: str,
                form: FormState, target: str, status: int) -> Template:
    uri = accounts.totp_uri(secret, user.email, settings.site_name)
    grouped = " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))
    return page(request, "account/enrol.html", status=status, secret=secret, grouped_secret=grouped,
                qr_svg=qr_svg(uri), form=form, next_path=target)


@post("/anmelden/zweiter-faktor/einrichten", include_in_schema=False, sync_to_thread=True,
      opt={"permission": "account.self"})
def enrol(request: Request[Any, Any, Any], db: Db, crypto: Keys, settings: Config,
          data: Form) -> Template | Redirect:
    identity = identity_of(request.state)
    user = _enrolment_user(request, db)
    target = safe_next(form_text(data, "next"))
    if identity.pending_user_id and user.totp_secret_sealed is not None:
        return Redirect("/anmelden/zweiter-faktor", status_code=303)
    secret = form_text(data, "secret")
    now = utcnow()
    try:
        codes = accounts.enrol_totp(db, crypto, user, secret=secret, code=form_text(data, "code"), now=now)
    except ValidationFailed as exc:
        return _enrol_page(request, settings, user, secret, FormState(errors=exc.errors), target, 422)
    cookies = []
    if identity.pending_user_id is not None and identity.session_token:
        assert user.id is not None
        token = start_session(db, user.id, second_factor_done=True, now=now, replaces=identity.session_token)
        cookies.append(_session_cookie(settings, token))
    db.commit()
    response = page(request, "account/recovery_codes.html", codes=codes, next_path=target)
    response.cookies.extend(cookies)
    return response


@post("/abmelden", include_in_schema=False, sync_to_thread=True, opt={"permission": "account.self"})
def logout(request: Request[Any, Any, Any], db: Db, settings: Config) -> Redirect:
    token = identity_of(request.state).session_token
    if token:
        end_session(db, token)
        db.commit()
    return Redirect("/anmelden?notice=logged_out", status_code=303, cookies=[_expired_cookie(settings)])


# --- invitations ---------------------------------------------------------------------------

@get("/einladung/{token:str}", include_in_schema=False, sync_to_thread=True)
def invite_form(request: Request[Any, Any, Any], db: Db, token: FromPath[str]) -> Template:
    try:
        invite = accounts.open_invite(db, token, now=utcnow())
    except NotFound:
        return page(request, "account/invite_invalid.html", status=404)
    return page(request, "account/invite.html", invite=invite, token=token)


@post("/einladung/{token:str}", include_in_schema=False, sync_to_thread=True)
def accept_invite(request: Request[Any, Any, Any], db: Db, crypto: Keys, token: FromPath[str],
                  data: Form) -> Template | Redirect:
    now = utcnow()
    try:
        invite = accounts.open_invite(db, token, now=now)
    except NotFound:
        return page(request, "account/invite_invalid.html", status=404)
    name = form_text(data, "display_name")
    try:
        user = accounts.accept_invite(db, crypto, token, display_name=name, password=form_text(data, "password"),
                                      confirm=form_text(data, "confirm"), now=now)
    except ValidationFailed as exc:
        form = FormState(values={"display_name": name}, errors=exc.errors)
        return page(request, "account/invite.html", status=422, invite=invite, token=token, form=form)
    assert user.id is not None
    # The first member of a centre chosen to receive reports makes its key (reporting/centre_designation.py).
    recovery = establish_on_first_member(db, user.organisation_id, user.id, crypto.argon2, now=now)
    db.commit()
    if recovery is not None:
        return page(request, "account/centre_established.html", recovery_key=recovery)
    return Redirect("/anmelden?notice=account_created", status_code=303)


# --- own account ---------------------------------------------------------------------------

@get("/start", include_in_schema=False, sync_to_thread=True, opt={"permission": "account.self"})
def home(request: Request[Any, Any, Any], db: Db, actor: CurrentActor) -> Template:
    user = db.get(accounts.User, actor.user_id)
    org = db.get(accounts.Organisation, actor.organisation_id)
    return page(request, "account/home.html", user=user, organisation=org, roles=sorted(actor.roles))


@get("/konto", include_in_schema=False, sync_to_thread=True, opt={"permission": "account.self"})
def account_page(request: Request[Any, Any, Any], db: Db, actor: CurrentActor,
                 notice: FromQuery[str | None] = None) -> Template:
    user = db.get(accounts.User, actor.user_id)
    assert user is not None and user.id is not None
    return page(request, "account/account.html", user=user, roles=sorted(actor.roles), notice=notice,
                recovery_left=accounts.remaining_recovery_codes(db, user.id))


@get("/konto/passwort", include_in_schema=False, opt={"permission": "account.self"})
async def password_form(request: Request[Any, Any, Any]) -> Template:
    return page(request, "account/password.html")


@post("/konto/passwort", include_in_schema=False, sync_to_thread=True, opt={"permission": "account.self"})
def change_password(request: Request[Any, Any, Any], db: Db, crypto: Keys, settings: Config,
                    actor: CurrentActor, data: Form) -> Template | Redirect:
    now = utcnow()
    try:
        accounts.change_password(db, crypto, actor, current=form_text(data, "current"),
                                 new=form_text(data, "new"), confirm=form_text(data, "confirm"), now=now)
    except ValidationFailed as exc:
        return page(request, "account/password.html", status=422, form=FormState(errors=exc.errors))
    assert actor.user_id is not None
    member_key = unlock_user_key(db, actor.user_id, form_text(data, "new"), crypto.argon2)
    token = start_session(db, actor.user_id, second_factor_done=True, now=now, member_key=member_key)
    db.commit()
    return _redirect_with_session(settings, "/konto?notice=password_changed", token)


ROUTES = [login_form, login, second_factor_form, second_factor, enrol_form, enrol, logout, invite_form,
          accept_invite, home, account_page, password_form, change_password]
