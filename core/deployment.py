"""The deployment's own configuration, kept in the database and edited by administrators.

Environment settings stay the defaults and hold everything about production and security; the values
named in EDITABLE are overridden by what is stored here. A version counter in `deployment_state` moves
with every change, so every worker process notices cheaply that it must reload."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel, col, select

from core import account_permissions  # noqa: F401  (registers deployment.configure)
from core.actors import Actor
from core.audit import record
from core.crypto import Crypto
from core.permissions import POLICY

# Name -> Python type of every setting an administrator may change.
EDITABLE: dict[str, type] = {
    "municipality_name": str, "ags": str, "languages": tuple, "default_language": str,
    "suppression_k": int, "public_suppression_k": int, "publication_delay_days": int,
    "retention_unverified_days": int, "retention_closed_case_days": int,
    "smtp_host": str, "smtp_port": int, "smtp_user": str, "smtp_password": str, "smtp_starttls": bool,
    "mail_from": str, "public_statistics": bool, "public_chronicle": bool,
}
# Stored sealed under the server secret and never shown again (nor written to the change log).
SECRET = frozenset({"smtp_password"})
SEAL_PURPOSE = "deployment-setting"

class DeploymentSetting(SQLModel, table=True):
    __tablename__ = "deployment_setting"

    name: str = Field(primary_key=True, max_length=60)
    # JSON of the value; secrets are empty here and kept in `sealed`.
    value: str = ""
    sealed: bytes | None = None
    changed_at: datetime
    changed_by: int | None = Field(default=None, foreign_key="staff_user.id")


class DeploymentChange(SQLModel, table=True):
    """What was changed from what to what (secrets only as "changed")."""

    __tablename__ = "deployment_change"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(index=True)
    actor_user_id: int | None = Field(default=None, foreign_key="staff_user.id")
    name: str = Field(max_length=60)
    old_value: str | None = None
    new_value: str | None = None


class DeploymentState(SQLModel, table=True):
    """One row: the configuration's version and whether the first-run setup is done."""

    __tablename__ = "deployment_state"

    id: int = Field(default=1, primary_key=True)
    version: int = 0
    setup_completed_at: datetime | None = None


def state_of(session: Session) -> DeploymentState:
    row = session.get(DeploymentState, 1)
    if row is None:
        try:
            with session.begin_nested():
                session.add(DeploymentState(id=1))
        except IntegrityError:  # another worker created it at the same moment
            pass
        row = session.get(DeploymentState, 1)
    assert row is not None
    return row


def current_version(session: Session) -> int:
    """The configuration version (0 when nothing was ever stored): one primary-key read."""
    version = session.exec(select(DeploymentState.version).where(DeploymentState.id == 1)).first()
    return int(version or 0)


def bump_version(session: Session) -> None:
    state_of(session)
    session.execute(update(DeploymentState).where(col(DeploymentState.id) == 1)
                    .values(version=col(DeploymentState.version) + 1))


def _decode(name: str, text: str) -> object:
    value = json.loads(text)
    return tuple(value) if EDITABLE[name] is tuple else value


def _encode(value: object) -> str:
    return json.dumps(list(value) if isinstance(value, tuple) else value, ensure_ascii=False)


def stored_settings(session: Session, crypto: Crypto) -> dict[str, object]:
    """Every stored override, secrets unsealed, ready for dataclasses.replace on the env settings."""
    values: dict[str, object] = {}
    for row in session.exec(select(DeploymentSetting)).all():
        if row.name not in EDITABLE:
            continue  # a setting a newer version stored and this one does not know
        if row.name in SECRET:
            values[row.name] = crypto.unseal_for_server(SEAL_PURPOSE, row.sealed) if row.sealed else ""
        else:
            values[row.name] = _decode(row.name, row.value)
    return values


def save_settings(session: Session, actor: Actor, crypto: Crypto, changes: Mapping[str, object],
                  current: Mapping[str, object], *, now: datetime) -> list[str]:
    """Store `changes` (already validated by the caller against the effective settings `current`);
    returns the names that changed. Each change is audited and kept old -> new (secrets: "changed")."""
    POLICY.require(actor, "deployment.configure")
    changed: list[str] = []
    for name, value in changes.items():
        if name not in EDITABLE:
            raise KeyError(name)
        old = current.get(name)
        if value == old:
            continue
        row = session.get(DeploymentSetting, name) or DeploymentSetting(name=name, changed_at=now)
        if name in SECRET:
            row.sealed = crypto.seal_for_server(SEAL_PURPOSE, str(value))
            row.value = ""
            old_text: str | None = None
            new_text: str | None = "changed"
        else:
            row.value = _encode(value)
            old_text, new_text = _encode(old), row.value
        row.changed_at, row.changed_by = now, actor.user_id
        session.add(row)
        session.add(DeploymentChange(at=now, actor_user_id=actor.user_id, name=name, old_value=old_text,
                                     new_value=new_text))
        record(session, actor, "deployment.setting_change", "deployment_setting", name, now=now)
        changed.append(name)
    if changed:
        bump_version(session)
    session.flush()
    return changed


def change_log(session: Session, actor: Actor, *, limit: int = 200) -> list[DeploymentChange]:
    POLICY.require(actor, "deployment.configure")
    return list(session.exec(select(DeploymentChange).order_by(col(DeploymentChange.at).desc(),
                                                               col(DeploymentChange.id).desc()).limit(limit)).all())


def setup_completed(session: Session) -> bool:
    row = session.get(DeploymentState, 1)
    return row is not None and row.setup_completed_at is not None


def complete_setup(session: Session, actor: Actor, *, now: datetime) -> None:
    POLICY.require(actor, "deployment.configure")
    state = state_of(session)
    if state.setup_completed_at is None:
        state.setup_completed_at = now
        session.add(state)
        record(session, actor, "deployment.setup_complete", "deployment", 1, now=now)
        bump_version(session)
    session.flush()


def reseal_secrets(session: Session, old: Crypto, new: Crypto) -> int:
    """After `vorort rotate-secret`: the sealed settings move to the new secret."""
    moved = 0
    for row in session.exec(select(DeploymentSetting).where(col(DeploymentSetting.sealed).is_not(None))).all():
        assert row.sealed is not None
        row.sealed = new.seal_for_server(SEAL_PURPOSE, old.unseal_for_server(SEAL_PURPOSE, row.sealed))
        session.add(row)
        moved += 1
    return moved
