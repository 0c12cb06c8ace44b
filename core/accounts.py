"""Organisations, staff accounts, invitations and the second factor."""

from datetime import datetime, timedelta

import pyotp
from sqlalchemy import UniqueConstraint
from sqlmodel import Field, Session, SQLModel, select

from core import account_permissions  # noqa: F401  (registers the account rules)
from core.actors import ROLES_REQUIRING_TOTP, Actor, OrganisationKind, Role
from core.audit import record
from core.clock import as_utc
from core.crypto import Crypto, constant_time_equal, new_token, token_digest
from core.errors import Conflict, NotFound, ValidationFailed
from core.keyring import create_user_key, rewrap_user_key, unlock_user_key
from core.permissions import POLICY
from core.sessions import end_all_sessions

PASSWORD_MIN = 12
PASSWORD_MAX = 256
INVITE_VALIDITY = timedelta(days=7)
RECOVERY_CODE_COUNT = 10
TOTP_PURPOSE = "totp-secret"


class Organisation(SQLModel, table=True):
    __tablename__ = "organisation"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    kind: str = Field(max_length=40)  # an OrganisationKind value; codes stay plain strings in SQL
    created_at: datetime


class User(SQLModel, table=True):
    __tablename__ = "staff_user"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True)
    display_name: str = Field(max_length=120)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    password_hash: str = Field(max_length=200)
    totp_secret_sealed: bytes | None = None
    # The last accepted TOTP time step, so a code cannot be replayed within its window.
    totp_last_step: int | None = None
    is_active: bool = True
    created_at: datetime
    password_changed_at: datetime


class UserRole(SQLModel, table=True):
    __tablename__ = "staff_user_role"

    user_id: int = Field(foreign_key="staff_user.id", primary_key=True, ondelete="CASCADE")
    role: str = Field(primary_key=True, max_length=40)  # a Role value


class RecoveryCode(SQLModel, table=True):
    __tablename__ = "recovery_code"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="staff_user.id", index=True, ondelete="CASCADE")
    code_digest: str = Field(max_length=64)
    used_at: datetime | None = None


class Invite(SQLModel, table=True):
    __tablename__ = "invite"
    __table_args__ = (UniqueConstraint("token_digest"),)

    id: int | None = Field(default=None, primary_key=True)
    token_digest: str = Field(max_length=64)
    organisation_id: int = Field(foreign_key="organisation.id")
    email: str = Field(max_length=254)
    roles: str = Field(max_length=200)  # space-separated Role values
    created_by: int | None = Field(default=None, foreign_key="staff_user.id")
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None


def normalise_email(email: str) -> str:
    return email.strip().lower()


def roles_of(session: Session, user_id: int) -> frozenset[Role]:
    rows = session.exec(select(UserRole.role).where(UserRole.user_id == user_id)).all()
    return frozenset(Role(r) for r in rows)


def actor_for(session: Session, user: User) -> Actor:
    assert user.id is not None
    return Actor(user_id=user.id, organisation_id=user.organisation_id, roles=roles_of(session, user.id))


def needs_totp(roles: frozenset[Role]) -> bool:
    return bool(roles & ROLES_REQUIRING_TOTP)


def check_password_rules(password: str, *, field: str = "password") -> None:
    if len(password) < PASSWORD_MIN:
        raise ValidationFailed({field: "password_too_short"})
    if len(password) > PASSWORD_MAX:
        raise ValidationFailed({field: "password_too_long"})


# --- organisations -----------------------------------------------------------------------

def create_organisation(session: Session, actor: Actor, *, name: str, kind: OrganisationKind,
                        now: datetime) -> Organisation:
    POLICY.require(actor, "organisation.create")
    name = name.strip()
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = "required"
    elif len(name) > 200:
        errors["name"] = "too_long"
    elif session.exec(select(Organisation).where(Organisation.name == name)).first():
        errors["name"] = "organisation_exists"
    if errors:
        raise ValidationFailed(errors)
    org = Organisation(name=name, kind=kind.value, created_at=now)
    session.add(org)
    session.flush()
    record(session, actor, "organisation.create", "organisation", org.id, now=now)
    return org


def list_organisations(session: Session) -> list[Organisation]:
    return list(session.exec(select(Organisation).order_by(Organisation.name)).all())


def list_users(session: Session, actor: Actor) -> list[tuple[User, frozenset[Role]]]:
    POLICY.require(actor, "admin.view")
    users = session.exec(select(User).order_by(User.display_name)).all()
    return [(u, roles_of(session, u.id)) for u in users if u.id is not None]


# --- accounts ----------------------------------------------------------------------------

def create_user(session: Session, crypto: Crypto, *, organisation_id: int, email: str, display_name: str,
                password: str, roles: frozenset[Role], now: datetime) -> User:
    """Create an account directly (invitation acceptance, first admin, demo data)."""
    email = normalise_email(email)
    errors: dict[str, str] = {}
    if "@" not in email or len(email) > 254:
        errors["email"] = "email_invalid"
    elif session.exec(select(User).where(User.email == email)).first():
        errors["email"] = "email_taken"
    if not display_name.strip():
        errors["display_name"] = "required"
    elif len(display_name) > 120:
        errors["display_name"] = "too_long"
    try:
        check_password_rules(password)
    except ValidationFailed as exc:
        errors.update(exc.errors)
    if not roles:
        errors["roles"] = "required"
    if errors:
        raise ValidationFailed(errors)
    user = User(email=email, display_name=display_name.strip(), organisation_id=organisation_id,
                password_hash=crypto.hash_password(password), created_at=now, password_changed_at=now)
    session.add(user)
    session.flush()
    assert user.id is not None
    for role in sorted(roles):
        session.add(UserRole(user_id=user.id, role=role.value))
    org = session.get(Organisation, organisation_id)
    if org is not None and org.kind == OrganisationKind.COUNSELLING_CENTRE:
        # Members of a centre get a personal key pair, wrapped by their password, to hold the centre key.
        create_user_key(session, user.id, password, crypto.argon2, now=now)
    session.flush()
    return user


def authenticate(session: Session, crypto: Crypto, *, email: str, password: str) -> User | None:
    """The active user with these credentials, or None; same work whether or not the user exists."""
    user = session.exec(select(User).where(User.email == normalise_email(email))).first()
    ok = crypto.verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.is_active:
        return None
    if crypto.needs_rehash(user.password_hash):
        user.password_hash = crypto.hash_password(password)
        session.add(user)
    return user


def change_password(session: Session, crypto: Crypto, actor: Actor, *, current: str, new: str,
                    confirm: str, now: datetime) -> None:
    POLICY.require(actor, "account.self")
    user = session.get(User, actor.user_id)
    if user is None:
        raise NotFound("user")
    if not crypto.verify_password(user.password_hash, current):
        raise ValidationFailed({"current": "password_wrong"})
    check_password_rules(new, field="new")
    if new != confirm:
        raise ValidationFailed({"confirm": "password_mismatch"})
    private = unlock_user_key(session, user.id, current, crypto.argon2) if user.id is not None else None
    user.password_hash = crypto.hash_password(new)
    user.password_changed_at = now
    if private is not None and user.id is not None:
        rewrap_user_key(session, user.id, private, new, crypto.argon2)
    session.add(user)
    # Other devices must log in again with the new password; the caller starts a fresh session.
    assert user.id is not None
    end_all_sessions(session, user.id)
    record(session, actor, "account.password_change", "user", user.id, now=now,
           organisation_id=user.organisation_id)


def deactivate_user(session: Session, actor: Actor, user_id: int, *, now: datetime) -> User:
    POLICY.require(actor, "user.deactivate")
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("user")
    if user.id == actor.user_id:
        raise Conflict("cannot_deactivate_self")
    user.is_active = False
    session.add(user)
    end_all_sessions(session, user_id)
    record(session, actor, "user.deactivate", "user", user.id, now=now)
    return user


# --- invitations -------------------------------------------------------------------------

def create_invite(session: Session, actor: Actor, *, organisation_id: int | None, email: str,
                  roles: frozenset[Role], now: datetime) -> tuple[Invite, str]:
    """Create a one-time invitation; returns the row and the token (shown once, stored hashed)."""
    POLICY.require(actor, "user.invite")
    email = normalise_email(email)
    errors: dict[str, str] = {}
    org = session.get(Organisation, organisation_id) if organisation_id else None
    if org is None:
        errors["organisation_id"] = "required"
    if "@" not in email or len(email) > 254:
        errors["email"] = "email_invalid"
    elif session.exec(select(User).where(User.email == email)).first():
        errors["email"] = "email_taken"
    if not roles:
        errors["roles"] = "choose_role"
    elif org is not None and roles & {Role.COUNSELLOR, Role.CENTRE_LEAD} \
            and org.kind != OrganisationKind.COUNSELLING_CENTRE:
        errors["roles"] = "counselling_roles_need_centre"
    if errors:
        raise ValidationFailed(errors)
    assert org is not None and org.id is not None
    token = new_token()
    invite = Invite(token_digest=token_digest(token), organisation_id=org.id, email=email,
                    roles=" ".join(sorted(roles)), created_by=actor.user_id, created_at=now,
                    expires_at=now + INVITE_VALIDITY)
    session.add(invite)
    session.flush()
    record(session, actor, "user.invite", "invite", invite.id, now=now)
    return invite, token


def open_invite(session: Session, token: str, *, now: datetime) -> Invite:
    """The unused, unexpired invitation for this token; NotFound otherwise."""
    invite = session.exec(select(Invite).where(Invite.token_digest == token_digest(token))).first()
    if invite is None or invite.used_at is not None or as_utc(invite.expires_at) <= now:
        raise NotFound("invite")
    return invite


def accept_invite(session: Session, crypto: Crypto, token: str, *, display_name: str, password: str,
                  confirm: str, now: datetime) -> User:
    invite = open_invite(session, token, now=now)
    if password != confirm:
        raise ValidationFailed({"confirm": "password_mismatch"})
    roles = frozenset(Role(r) for r in invite.roles.split())
    user = create_user(session, crypto, organisation_id=invite.organisation_id, email=invite.email,
                       display_name=display_name, password=password, roles=roles, now=now)
    invite.used_at = now
    session.add(invite)
    record(session, actor_for(session, user), "user.invite_accept", "invite", invite.id, now=now)
    return user


# --- second factor -----------------------------------------------------------------------

def new_totp_secret() -> str:
    return pyotp.random_base32()


def totp_uri(secret: str, email: str, issuer: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=issuer)


def _matching_step(secret: str, code: str, now: datetime) -> int | None:
    """The 30-second step (now or one either side, for clock drift) whose code matches."""
    code = code.replace(" ", "")
    totp = pyotp.TOTP(secret)
    step_now = int(now.timestamp()) // totp.interval
    for step in (step_now, step_now - 1, step_now + 1):
        if constant_time_equal(totp.at(step * totp.interval), code):
            return step
    return None


def enrol_totp(session: Session, crypto: Crypto, user: User, *, secret: str, code: str,
               now: datetime) -> list[str]:
    """Turn the second factor on after a correct first code; returns fresh recovery codes."""
    step = _matching_step(secret, code, now)
    if step is None:
        raise ValidationFailed({"code": "totp_wrong"})
    user.totp_secret_sealed = crypto.seal_for_server(TOTP_PURPOSE, secret)
    user.totp_last_step = step
    session.add(user)
    codes = _replace_recovery_codes(session, user, now=now)
    record(session, actor_for(session, user), "account.totp_enrol", "user", user.id, now=now,
           organisation_id=user.organisation_id)
    return codes


def _replace_recovery_codes(session: Session, user: User, *, now: datetime) -> list[str]:
    for old in session.exec(select(RecoveryCode).where(RecoveryCode.user_id == user.id)).all():
        session.delete(old)
    codes = [f"{new_token(8)[:5]}-{new_token(8)[:5]}".lower() for _ in range(RECOVERY_CODE_COUNT)]
    assert user.id is not None
    for code in codes:
        session.add(RecoveryCode(user_id=user.id, code_digest=token_digest(code)))
    session.flush()
    return codes


def verify_second_factor(session: Session, crypto: Crypto, user: User, code: str, *, now: datetime) -> bool:
    """Accept a current TOTP code (once) or an unused recovery code (once)."""
    if user.totp_secret_sealed is None:
        return False
    secret = crypto.unseal_for_server(TOTP_PURPOSE, user.totp_secret_sealed)
    step = _matching_step(secret, code, now)
    if step is not None and (user.totp_last_step is None or step > user.totp_last_step):
        user.totp_last_step = step
        session.add(user)
        return True
    digest = token_digest(code.strip().lower())
    recovery = session.exec(select(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.code_digest == digest,
        RecoveryCode.used_at.is_(None))).first()  # type: ignore[union-attr]
    if recovery is None:
        return False
    recovery.used_at = now
    session.add(recovery)
    record(session, actor_for(session, user), "account.recovery_code_used", "user", user.id, now=now,
           organisation_id=user.organisation_id)
    return True


def remaining_recovery_codes(session: Session, user_id: int) -> int:
    return len(session.exec(select(RecoveryCode.id).where(
        RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None))).all())  # type: ignore[union-attr]
