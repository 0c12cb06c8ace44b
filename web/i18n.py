"""Language choice and gettext catalogues (Babel .po files read at start-up, no build step)."""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from jinja2 import pass_context
from litestar.connection import ASGIConnection

from web.settings import RIGHT_TO_LEFT, Settings

LOCALE_DIR = Path(__file__).parent / "locale"
LANG_COOKIE = "lang"

# Each language named in its own language, as the switcher shows it.
LANGUAGE_NAMES = {
    "de": "Deutsch",
    "ls": "Leichte Sprache",
    "en": "English",
    "tr": "Türkçe",
    "ar": "العربية",
    "uk": "Українська",
    "ru": "Русский",
}


# Languages whose missing entries fall back to another catalogue rather than to the English msgid.
FALLBACK = {"ls": "de"}


@cache
def translations(lang: str) -> NullTranslations:
    po = LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"
    if not po.exists():
        return NullTranslations()
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=babel_locale(lang))
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    loaded = Translations(fp=buffer)
    if lang in FALLBACK:
        loaded.add_fallback(translations(FALLBACK[lang]))
    return loaded


def html_lang(lang: str) -> str:
    """The value of the lang attribute: Leichte Sprache is German."""
    return "de" if lang == "ls" else lang


def negotiate(connection: ASGIConnection[Any, Any, Any, Any], settings: Settings) -> str:
    """Cookie from the switcher first, then the browser's preference, then the deployment default."""
    chosen = connection.cookies.get(LANG_COOKIE)
    if chosen in settings.languages:
        return chosen
    header = connection.headers.get("accept-language", "")
    weighted: list[tuple[float, str]] = []
    for part in header.split(","):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        weighted.append((quality, tag.split("-")[0].lower()))
    for _quality, tag in sorted(weighted, key=lambda pair: -pair[0]):
        if tag in settings.languages:
            return tag
    return settings.default_language


def language_of(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    state = connection.state
    if "lang" not in state:
        state["lang"] = negotiate(connection, connection.app.state.settings)
    return str(state["lang"])


def babel_locale(lang: str) -> str:
    """The Babel locale for dates and numbers of one of our language codes."""
    return "de" if lang == "ls" or lang not in LANGUAGE_NAMES else lang


def is_rtl(lang: str) -> bool:
    return lang in RIGHT_TO_LEFT


def gettext_for(connection: ASGIConnection[Any, Any, Any, Any], message: str, **variables: Any) -> str:
    text = translations(language_of(connection)).gettext(message)
    return text % variables if variables else text


@pass_context
def jinja_gettext(context: Any, message: str) -> str:
    return translations(context["lang"]).gettext(message)


@pass_context
def jinja_ngettext(context: Any, singular: str, plural: str, n: int) -> str:
    return translations(context["lang"]).ngettext(singular, plural, n)
