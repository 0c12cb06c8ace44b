"""Read-only views of accounts that the reporting domain needs (members of a centre)."""

from __future__ import annotations

from sqlmodel import Session, col, select

from core.accounts import User, UserRole
from core.actors import Role


def members_of(session: Session, organisation_id: int, role: Role | None = None) -> list[User]:
    query = select(User).where(User.organisation_id == organisation_id, col(User.is_active).is_(True))
    if role is not None:
        query = query.join(UserRole, col(UserRole.user_id) == col(User.id)).where(UserRole.role == role.value)
    return list(session.exec(query.order_by(col(User.display_name))).all())
