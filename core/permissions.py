"""Permissions as data: each domain declares its rules once; anything undeclared is denied."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from core.actors import Actor, Role
from core.errors import NotFound, PermissionDenied

Check = Callable[[Actor, Any], bool]


def always(_actor: Actor, _obj: Any) -> bool:
    return True


def same_organisation(actor: Actor, obj: Any) -> bool:
    """The object belongs to the actor's own organisation."""
    return obj is not None and getattr(obj, "organisation_id", None) == actor.organisation_id


@dataclass(frozen=True)
class Rule:
    """`action` is allowed to holders of any of `roles` when `check(actor, obj)` holds."""

    action: str
    roles: frozenset[Role]
    doc: str
    check: Check = always
    # Confidential objects answer "not found" rather than "forbidden" so that their
    # existence does not leak to other organisations.
    hide: bool = False
    anonymous: bool = False

    def allows(self, actor: Actor, obj: Any) -> bool:
        if actor.is_system:
            return True
        if actor.is_anonymous:
            return self.anonymous and self.check(actor, obj)
        return (self.anonymous or actor.has(*self.roles)) and self.check(actor, obj)


@dataclass
class Policy:
    """The union of every domain's rules; `can` answers, `require` raises."""

    rules: dict[str, Rule] = field(default_factory=dict)

    def add(self, rules: Iterable[Rule]) -> Policy:
        for rule in rules:
            if rule.action in self.rules:
                raise ValueError(f"permission {rule.action!r} declared twice")
            self.rules[rule.action] = rule
        return self

    def can(self, actor: Actor, action: str, obj: Any = None) -> bool:
        rule = self.rules.get(action)
        return rule is not None and rule.allows(actor, obj)

    def require(self, actor: Actor, action: str, obj: Any = None) -> None:
        if self.can(actor, action, obj):
            return
        rule = self.rules.get(action)
        if rule is not None and rule.hide:
            raise NotFound(action)
        raise PermissionDenied(action)


def rule(action: str, *roles: Role, doc: str, check: Check = always, hide: bool = False,
         anonymous: bool = False) -> Rule:
    return Rule(action=action, roles=frozenset(roles), doc=doc, check=check, hide=hide, anonymous=anonymous)


# The instance-wide policy. Each domain adds its rules once, at import of its
# `permissions` module; the web layer imports all of them before serving.
POLICY = Policy()
