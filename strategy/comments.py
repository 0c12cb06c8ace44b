"""Discussion of a measure. A comment is for the author's own organisation or for the whole strategy group."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, or_, select

from core.accounts import Organisation, User
from core.actors import Actor
from core.audit import record
from core.errors import ValidationFailed
from core.permissions import POLICY
from strategy.measures import MAX_TEXT, get_measure
from strategy.models import COMMENT_VISIBILITIES, Comment


def add_comment(session: Session, actor: Actor, measure_id: int, *, body: str, visibility: str,
                now: datetime) -> Comment:
    POLICY.require(actor, "measure.comment")
    get_measure(session, actor, measure_id)
    errors: dict[str, str] = {}
    body = body.strip()
    if not body:
        errors["body"] = "Write a comment."
    elif len(body) > MAX_TEXT:
        errors["body"] = "The text is too long."
    if visibility not in COMMENT_VISIBILITIES:
        errors["visibility"] = "Choose who may read the comment."
    if actor.organisation_id is None:
        errors["body"] = "Only members of an organisation can comment."
    if errors:
        raise ValidationFailed(errors)
    assert actor.organisation_id is not None
    comment = Comment(measure_id=measure_id, author_user_id=actor.user_id, organisation_id=actor.organisation_id,
                      visibility=visibility, body=body, at=now)
    session.add(comment)
    session.flush()
    record(session, actor, "measure.comment", "measure", measure_id, now=now)
    return comment


@dataclass(frozen=True)
class CommentView:
    at: datetime
    author: str
    organisation: str
    visibility: str
    body: str


def visible_comments(session: Session, actor: Actor, measure_id: int) -> list[CommentView]:
    """Comments the actor may read: the strategy group's, and their own organisation's internal ones.
    Coordinators are no exception: another organisation's internal notes stay with it."""
    get_measure(session, actor, measure_id)
    query = select(Comment, Organisation.name, User.display_name).join(
        Organisation, col(Organisation.id) == Comment.organisation_id).outerjoin(
        User, col(User.id) == Comment.author_user_id).where(
        Comment.measure_id == measure_id,
        or_(Comment.visibility == "strategy_group", Comment.organisation_id == actor.organisation_id))
    return [CommentView(c.at, author or "—", org, c.visibility, c.body)
            for c, org, author in session.exec(query.order_by(col(Comment.at), col(Comment.id))).all()]
