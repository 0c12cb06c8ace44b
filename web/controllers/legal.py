"""Imprint, privacy notice, accessibility statement and how reports are used: public, kept by admins."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from litestar import Request, get, post
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException
from litestar.params import Body, FromPath
from litestar.response import Redirect, Template
from sqlmodel import Session

from core import legal_pages
from core.clock import utcnow
from core.errors import ValidationFailed
from web.deps import CurrentActor, Db, form_text
from web.i18n import language_of
from web.messages import _
from web.templating import FormState, page

DEFAULTS = Path(__file__).resolve().parent.parent / "legal"
# slug -> (path, title); the path is public and German, like the rest of the public side.
PAGES = {
    "impressum": ("/impressum", _("Imprint")),
    "datenschutz": ("/datenschutz", _("Privacy notice")),
    "barrierefreiheit": ("/barrierefreiheit", _("Accessibility statement")),
    "nutzung": ("/meldungen-nutzung", _("How reports are used")),
}
EDITABLE_LANGUAGES = ("de", "ls", "en")
Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]


@dataclass(frozen=True)
class Block:
    heading: bool
    text: str


def blocks(text: str) -> list[Block]:
    """Headings ('## ') and paragraphs; never HTML, so an edited page cannot inject markup."""
    result = []
    for chunk in text.replace("\r\n", "\n").split("\n\n"):
        chunk = chunk.strip()
        if chunk.startswith("## "):
            heading, _sep, rest = chunk.partition("\n")
            result.append(Block(True, heading[3:].strip()))
            if rest.strip():
                result.extend(Block(False, line) for line in rest.strip().split("\n"))
        elif chunk:
            result.extend(Block(False, line) for line in chunk.split("\n"))
    return result


def text_for(db: Session, slug: str, lang: str) -> str:
    """The stored text in this language, else the default; Leichte Sprache falls back to German, others to
    English."""
    chain = [lang, *(["de"] if lang == "ls" else []), "de" if lang == "de" else "en"]
    for candidate in chain:
        stored = legal_pages.stored_text(db, slug, candidate)
        if stored:
            return stored
        default = DEFAULTS / f"{slug}.{candidate}.txt"
        if default.exists():
            return default.read_text(encoding="utf-8")
    return (DEFAULTS / f"{slug}.de.txt").read_text(encoding="utf-8")


def _show(request: Request[Any, Any, Any], db: Session, slug: str) -> Template:
    text = text_for(db, slug, language_of(request))
    return page(request, "legal/page.html", title=PAGES[slug][1], blocks=blocks(text), slug=slug)


def _route(slug: str) -> Any:
    @get(PAGES[slug][0], include_in_schema=False, sync_to_thread=True, name=f"legal-{slug}")
    def show(request: Request[Any, Any, Any], db: Db) -> Template:
        return _show(request, db, slug)
    return show


@get("/admin/rechtliches/{slug:str}/{lang:str}", include_in_schema=False, sync_to_thread=True,
     opt={"permission": "legal.edit"})
def edit_form(request: Request[Any, Any, Any], db: Db, slug: FromPath[str], lang: FromPath[str]) -> Template:
    if slug not in PAGES or lang not in EDITABLE_LANGUAGES:
        raise NotFoundException()
    return page(request, "legal/edit.html", slug=slug, edit_lang=lang, title=PAGES[slug][1],
                form=FormState(values={"body": text_for(db, slug, lang)}))


@post("/admin/rechtliches/{slug:str}/{lang:str}", include_in_schema=False, sync_to_thread=True,
      opt={"permission": "legal.edit"})
def save(request: Request[Any, Any, Any], db: Db, actor: CurrentActor, slug: FromPath[str], lang: FromPath[str],
         data: Form) -> Template | Redirect:
    if slug not in PAGES or lang not in EDITABLE_LANGUAGES:
        raise NotFoundException()
    body = form_text(data, "body")
    try:
        legal_pages.save_text(db, actor, slug, lang, body, now=utcnow())
    except ValidationFailed as exc:
        return page(request, "legal/edit.html", status=422, slug=slug, edit_lang=lang, title=PAGES[slug][1],
                    form=FormState(values={"body": body}, errors=exc.errors))
    db.commit()
    return Redirect(f"{PAGES[slug][0]}", status_code=303)


ROUTES = [*(_route(slug) for slug in PAGES), edit_form, save]
PUBLIC = frozenset(path for path, _title in PAGES.values())
