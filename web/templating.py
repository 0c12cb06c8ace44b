"""Jinja environment and the one helper every controller renders pages with."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from babel.dates import format_date
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from litestar import Request
from litestar.response import Template

from core.clock import utcnow
from core.permissions import POLICY
from web.i18n import LANGUAGE_NAMES, babel_locale, html_lang, is_rtl, jinja_gettext, jinja_ngettext, language_of
from web.identity import identity_of
from web.messages import FIELD_MESSAGES, NOTICES, ORGANISATION_KIND_LABELS, ROLE_LABELS

TEMPLATE_DIR = Path(__file__).parent / "templates"
HTMX_FILE = "vendor/htmx-2.0.11.min.js"


def make_environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(jinja_gettext, jinja_ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.filters["format_date"] = format_date_for
    return env


def format_date_for(value: date, lang: str) -> str:
    return format_date(value, format="long", locale=babel_locale(lang))


@dataclass
class FormState:
    """What the person entered and what is wrong with it, so a failed form loses nothing."""

    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    def value(self, name: str, default: str = "") -> Any:
        return self.values.get(name, default)

    def error(self, name: str) -> str | None:
        code = self.errors.get(name)
        return FIELD_MESSAGES.get(code, code) if code else None


def _waiting(request: Request[Any, Any, Any], actor: Any) -> int:
    """The number next to "Counselling" in the navigation: untriaged reports and unread messages."""
    from sqlmodel import Session

    from reporting.inbox import waiting_count
    with Session(request.app.state.engine) as db:
        return waiting_count(db, actor, today=utcnow().date())


def page(request: Request[Any, Any, Any], template: str, *, status: int = 200, **context: Any) -> Template:
    """Render a full page with everything the layout needs."""
    lang = language_of(request)
    identity = identity_of(request.state)
    settings = request.app.state.settings
    context.setdefault("form", FormState())
    context.setdefault("notice", None)
    return Template(
        template_name=template,
        status_code=status,
        context={
            **context,
            "lang": lang,
            "html_lang": html_lang(lang),
            "dir": "rtl" if is_rtl(lang) else "ltr",
            "languages": [(code, LANGUAGE_NAMES[code]) for code in settings.languages],
            "identity": identity,
            "can": lambda action, obj=None: POLICY.can(identity.actor, action, obj),
            "waiting": lambda: _waiting(request, identity.actor),
            "site_name": settings.site_name,
            "municipality": settings.municipality_name,
            "public_chronicle": settings.public_chronicle,
            "htmx_file": HTMX_FILE,
            "current_path": request.url.path,
            "role_labels": ROLE_LABELS,
            "kind_labels": ORGANISATION_KIND_LABELS,
            "notices": NOTICES,
            "field_messages": FIELD_MESSAGES,
        },
    )
