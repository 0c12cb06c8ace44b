"""Administrators relabel, hide and add codes of the code lists (/admin/codelisten)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, get, post
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Redirect, Template

from core.clock import utcnow
from core.errors import ValidationFailed
from reporting import code_lists
from web.deps import CurrentActor, Db, form_text
from web.labels import CODE_LABELS
from web.settings import SUPPORTED_LANGUAGES
from web.templating import FormState, page

Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
LABEL_LANGUAGES = tuple(lang for lang in SUPPORTED_LANGUAGES if lang != "ls")


def _list_page(request: Request[Any, Any, Any], db: Db, actor: CurrentActor, list_name: str, *,
               status: int = 200, form: FormState | None = None, notice: str | None = None,
               failed_code: str | None = None) -> Template:
    if list_name not in code_lists.EDITABLE_LISTS:
        raise NotFoundException()
    return page(request, "admin/code_list.html", status=status, list_name=list_name,
                codes=code_lists.list_view(db, actor, list_name), catalogue=CODE_LABELS.get(list_name, {}),
                label_languages=LABEL_LANGUAGES, version=code_lists.current_version(db),
                form=form or FormState(), notice=notice, failed_code=failed_code)


@get("/admin/codelisten", include_in_schema=False, sync_to_thread=True, opt={"permission": "taxonomy.edit"})
def code_lists_index(request: Request[Any, Any, Any], db: Db) -> Template:
    return page(request, "admin/code_lists.html", lists=code_lists.EDITABLE_LISTS,
                version=code_lists.current_version(db))


@get("/admin/codelisten/{list_name:str}", include_in_schema=False, sync_to_thread=True,
     opt={"permission": "taxonomy.edit"})
def code_list_page(request: Request[Any, Any, Any], db: Db, actor: CurrentActor, list_name: FromPath[str],
                   notice: FromQuery[str | None] = None) -> Template:
    return _list_page(request, db, actor, list_name, notice=notice)


def _labels(data: dict[str, Any]) -> dict[str, str]:
    return {lang: form_text(data, f"label_{lang}") for lang in LABEL_LANGUAGES}


@post("/admin/codelisten/{list_name:str}", include_in_schema=False, sync_to_thread=True,
      opt={"permission": "taxonomy.edit"})
def add_code(request: Request[Any, Any, Any], db: Db, actor: CurrentActor, list_name: FromPath[str],
             data: Form) -> Template | Redirect:
    if list_name not in code_lists.EDITABLE_LISTS:
        raise NotFoundException()
    code = form_text(data, "code")
    try:
        code_lists.add_code(db, actor, list_name, code, _labels(data), now=utcnow())
    except ValidationFailed as exc:
        db.rollback()
        values = {"code": code, **{f"label_{k}": v for k, v in _labels(data).items()}}
        return _list_page(request, db, actor, list_name, status=422, form=FormState(values=values, errors=exc.errors))
    db.commit()
    return Redirect(f"/admin/codelisten/{list_name}?notice=code_added", status_code=303)


@post("/admin/codelisten/{list_name:str}/{code:str}", include_in_schema=False, sync_to_thread=True,
      opt={"permission": "taxonomy.edit"})
def change_code(request: Request[Any, Any, Any], db: Db, actor: CurrentActor, list_name: FromPath[str],
                code: FromPath[str], data: Form) -> Template | Redirect:
    if list_name not in code_lists.EDITABLE_LISTS:
        raise NotFoundException()
    action = form_text(data, "action")
    try:
        if action in {"hide", "show"}:
            code_lists.set_hidden(db, actor, list_name, code, action == "hide", now=utcnow())
        else:
            code_lists.relabel_code(db, actor, list_name, code, _labels(data), now=utcnow())
    except ValidationFailed as exc:
        db.rollback()
        errors = {f"{code}-{k}": v for k, v in exc.errors.items()}
        values = {f"{code}-label_{k}": v for k, v in _labels(data).items()}
        return _list_page(request, db, actor, list_name, status=422, form=FormState(values=values, errors=errors),
                          failed_code=code)
    db.commit()
    return Redirect(f"/admin/codelisten/{list_name}?notice=saved", status_code=303)


ROUTES = [code_lists_index, code_list_page, add_code, change_code]
