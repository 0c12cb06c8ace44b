"""Domain errors; the web layer maps each to one HTTP status."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error a domain function raises on purpose."""


class NotFound(DomainError):
    """The object does not exist, or the actor may not know that it exists."""


class PermissionDenied(DomainError):
    """The actor is known but may not do this."""


class ValidationFailed(DomainError):
    """Input broke a rule; `errors` maps field names to untranslated message ids."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(", ".join(sorted(errors)))
        self.errors = errors


class Conflict(DomainError):
    """The request is valid but clashes with the current state (e.g. a used invite)."""
