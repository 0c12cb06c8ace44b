"""A form's answer: saved and redirected (303), or rolled back before its page is shown again."""

from __future__ import annotations

from litestar.response import Redirect, Template
from sqlmodel import Session, select

from core.errors import ValidationFailed
from reporting.models import District
from web.form_pages import save_or_show_again


def _codes(engine) -> list[str]:
    """What another connection sees: only what was committed."""
    with Session(engine) as other:
        return list(other.exec(select(District.code)).all())


def test_a_refused_form_is_rolled_back_before_its_page_is_rendered(db):
    seen_by_page: list[list[str]] = []

    def save() -> None:
        db.add(District(code="hafen", name="Hafen"))
        db.flush()
        raise ValidationFailed({"name": "required"})

    def show_again(errors: dict[str, str]) -> Template:
        seen_by_page.append(list(db.exec(select(District.code)).all()))
        return Template(template_name="error.html", status_code=422, context={"errors": errors})

    answer = save_or_show_again(db, save, show_again=show_again, then="/nowhere")

    assert isinstance(answer, Template)
    assert answer.status_code == 422 and answer.context == {"errors": {"name": "required"}}
    assert seen_by_page == [[]]  # the half-made change was gone when the page read the database
    assert _codes(db.get_bind()) == []


def test_a_saved_form_is_committed_and_goes_on_to_the_address_named_after_what_it_made(db):
    def save() -> District:
        district = District(code="altstadt", name="Altstadt")
        db.add(district)
        db.flush()
        return district

    def never(errors: dict[str, str]) -> Template:
        raise AssertionError(errors)

    answer = save_or_show_again(db, save, show_again=never, then=lambda d: f"/bezirke/{d.code}?notice=saved")

    assert isinstance(answer, Redirect)
    assert answer.status_code == 303 and answer.url == "/bezirke/altstadt?notice=saved"
    assert _codes(db.get_bind()) == ["altstadt"]
