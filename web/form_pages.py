"""How a page's form answers when it is sent: what it asked for is saved and the browser goes on, or nothing is
saved and the same page comes back with the values entered and what is wrong with them, so nothing typed is lost.

Saving ends in a 303, so the browser loads the next page with GET and reloading it does not send the form again.
A refused form is rolled back before its page is rendered: the page reads the database and must not show half of
a change that was refused."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from litestar.response import Redirect, Template
from sqlmodel import Session

from core.errors import ValidationFailed

Saved = TypeVar("Saved")


def save_or_show_again(db: Session, save: Callable[[], Saved], *, show_again: Callable[[dict[str, str]], Template],
                       then: str | Callable[[Saved], str]) -> Template | Redirect:
    """Run `save`; if it refuses the input (ValidationFailed), roll back and answer `show_again(errors)`, the page
    with the form and its errors (the caller sets the status, 422); else commit and redirect to `then`, or to
    `then(what save returned)` where the address names what was just created."""
    try:
        saved = save()
    except ValidationFailed as exc:
        db.rollback()
        return show_again(exc.errors)
    db.commit()
    return Redirect(then if isinstance(then, str) else then(saved), status_code=303)
