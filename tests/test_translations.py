"""The German and English catalogues cover every text in the code, keep its placeholders,
and the German start page really is German.

After adding or changing texts: `make messages`, then translate the new empty entries in
web/locale/<lang>/LC_MESSAGES/messages.po."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from tests.web_client import text_of

REPO = Path(__file__).resolve().parents[1]
LOCALE_DIR = REPO / "web" / "locale"
LANGUAGES = ("de", "en")

# %(name)s, %(count)d, %(value)05.2f … (the conversion type belongs to the placeholder).
PLACEHOLDER = re.compile(r"%\([^)]+\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")

# Texts of the start page whose German version must be shown instead of the English msgid.
START_PAGE_MSGIDS = (
    "Report an incident",
    "Have you experienced or seen racist or discriminatory treatment? You can tell the counselling "
    "centres here, anonymously and in your language.",
    "Who reads your report",
    "We do not store your IP address or which device you use.",
    "Skip to content",
)


@cache
def catalogue(lang: str) -> Catalog:
    with (LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        return read_po(fh, locale=lang)


@cache
def extracted_from_code() -> tuple[tuple[str, int, str | tuple[str, ...]], ...]:
    """What `pybabel extract -F babel.cfg` finds, extracted in-process with the same mapping."""
    with (REPO / "babel.cfg").open(encoding="utf-8") as fh:
        method_map, options_map = parse_mapping_cfg(fh, filename="babel.cfg")
    found = []
    for filename, lineno, message, _comments, _context in extract_from_dir(
            REPO, method_map, options_map, keywords=DEFAULT_KEYWORDS):
        if isinstance(message, tuple | list):
            message = tuple(part for part in message if part)
        if message:
            found.append((filename, lineno, message))
    return tuple(found)


def translated_messages(lang: str) -> Iterator[Message]:
    for message in catalogue(lang):
        if message.id:
            yield message


def forms(message: Message) -> tuple[str, ...]:
    return tuple(message.string) if message.pluralizable else (message.string,)


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text.replace("%%", "")))


class _AnyValue(dict[str, Any]):
    """Formatting values for every placeholder name: 1 fits %s and %d alike."""

    def __missing__(self, key: str) -> int:
        return 1


def visible_text(page_html: str) -> str:
    return html.unescape(text_of(page_html))


def test_extraction_finds_the_texts_of_templates_and_python_code():
    sources = {filename for filename, _line, _message in extracted_from_code()}
    assert any(name.endswith(".html") for name in sources), sources
    assert any(name.endswith(".py") for name in sources), sources
    assert len(extracted_from_code()) > 100


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_text_in_the_code_has_a_finished_translation(lang):
    catalog = catalogue(lang)
    problems = []
    for filename, lineno, message in extracted_from_code():
        where = f"{filename}:{lineno}"
        entry = catalog.get(message)
        if entry is None:
            problems.append(f"{where}: missing {message!r}")
        elif isinstance(message, tuple) and len(message) > 1 and not entry.pluralizable:
            problems.append(f"{where}: {message[0]!r} is a plural text but has no plural forms")
        elif entry.fuzzy:
            problems.append(f"{where}: fuzzy {entry.id!r}")
        elif not all(forms(entry)) or len(forms(entry)) < (catalog.num_plurals if entry.pluralizable else 1):
            problems.append(f"{where}: untranslated {entry.id!r}")
    assert not problems, f"run `make messages` and translate in web/locale/{lang}:\n" + "\n".join(problems)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_catalogue_entry_is_left_fuzzy_or_empty(lang):
    unfinished = [message.id for message in translated_messages(lang)
                  if message.fuzzy or not all(forms(message))]
    assert not unfinished


def test_plural_texts_have_every_plural_form_of_the_language():
    for lang in LANGUAGES:
        catalog = catalogue(lang)
        for message in translated_messages(lang):
            if message.pluralizable:
                assert len(message.string) == catalog.num_plurals, (lang, message.id)


def test_english_translations_are_the_msgids_themselves():
    for message in translated_messages("en"):
        assert message.string == message.id, message.id


@pytest.mark.parametrize("lang", LANGUAGES)
def test_translations_keep_exactly_the_placeholders_of_their_msgid(lang):
    wrong = []
    for message in translated_messages(lang):
        ids = message.id if message.pluralizable else (message.id,)
        allowed = [placeholders(text) for text in ids]
        for form in forms(message):
            if placeholders(form) not in allowed:
                wrong.append(f"{message.id!r}: {placeholders(form)} instead of {allowed[-1]}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_translations_can_be_formatted_like_their_msgid(lang):
    # Jinja's newstyle gettext always applies `% variables`, so a lone % in a translation breaks the page.
    broken = []
    for message in translated_messages(lang):
        ids = message.id if message.pluralizable else (message.id,)
        for index, form in enumerate(forms(message)):
            msgid = ids[min(index, len(ids) - 1)]
            try:
                msgid % _AnyValue()
            except (ValueError, TypeError):
                continue
            try:
                form % _AnyValue()
            except (ValueError, TypeError) as exc:
                broken.append(f"{form!r}: {exc}")
    assert not broken, "\n".join(broken)


def test_placeholder_check_notices_a_lost_or_renamed_placeholder():
    assert placeholders("Welcome, %(name)s") == ["%(name)s"]
    assert placeholders("Willkommen, %(nam)s") != placeholders("Welcome, %(name)s")
    assert placeholders("Willkommen") != placeholders("Welcome, %(name)s")
    assert placeholders("Schritt %(number)s von %(count)d") != placeholders("Step %(number)d of %(count)d")
    assert placeholders("100 %% sicher") == []


def test_german_start_page_is_in_german(client, settings):
    response = client.get("/", headers={"accept-language": "de"})
    assert response.status_code == 200
    assert '<html lang="de"' in response.text
    text = visible_text(response.text)
    german = catalogue("de")
    for msgid in START_PAGE_MSGIDS:
        entry = german.get(msgid)
        assert entry is not None, f"{msgid!r} is not in the German catalogue"
        translation = entry.string
        assert translation and translation != msgid
        assert translation in text, translation
        assert msgid not in text, msgid
    headline = german.get("Report racism and discrimination in %(place)s").string
    assert headline % {"place": settings.municipality_name} in text
    assert "Meldung" in text and "Beratungsstelle" in text


def test_german_start_page_shows_no_english_sentence_of_the_catalogue(client):
    text = visible_text(client.get("/", headers={"accept-language": "de"}).text)
    # Short labels ("Name", "Status") may read the same in German; whole English sentences may not.
    english_left = [message.id for message in translated_messages("de")
                    if not message.pluralizable and len(message.id.split()) >= 4 and message.id in text]
    assert not english_left


def test_english_start_page_shows_the_english_texts(client):
    # The counterpart of the German check: the same page in English does show the msgids.
    text = visible_text(client.get("/", headers={"accept-language": "en"}).text)
    for msgid in START_PAGE_MSGIDS:
        assert msgid in text, msgid
    german = catalogue("de").get("Who reads your report")
    assert german is not None and german.string and german.string not in text
