"""Every full catalogue (de, en, tr, ar, uk, ru) covers every text in the code and keeps its placeholders;
Leichte Sprache ("ls") covers every text of the public pages; pages are served in the chosen language.

After adding or changing texts: `make messages`, then translate the new empty entries in
web/locale/<lang>/LC_MESSAGES/messages.po. A new text on a public page (start page, reporting flow,
status pages, their error messages and code labels) also needs its Leichte Sprache entry in
web/locale/ls; staff-only texts may stay empty there and fall back to standard German."""

from __future__ import annotations

import ast
import html
import re
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir, extract_from_file
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po
from babel.util import pathmatch

from tests.web_client import text_of
from web.i18n import FALLBACK, LANGUAGE_NAMES, babel_locale, html_lang, is_rtl
from web.labels import CODE_LABELS, MONTHS, STATE_EXPLANATIONS
from web.messages import FIELD_MESSAGES, NOTICES

REPO = Path(__file__).resolve().parents[1]
LOCALE_DIR = REPO / "web" / "locale"
# Languages with a catalogue of their own that must be complete: all but those falling back to another.
LANGUAGES = tuple(code for code in LANGUAGE_NAMES if code not in FALLBACK)
# The catalogues translated from German/English by hand after the first release.
TRANSLATED_LANGUAGES = ("tr", "ar", "uk", "ru")
# German in Leichte Sprache: only the public pages; everything else falls back to standard German.
PLAIN = "ls"

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

# The public pages: what anyone sees without an account. Their texts must exist in Leichte Sprache.
PUBLIC_TEMPLATES = (
    "index.html", "base.html", "_forms.html", "_notice.html", "error.html", "report/*.html", "status/*.html",
)
# web/app.py holds the messages of error.html (404, 429, 500 …).
PUBLIC_PYTHON_SOURCES = ("web/app.py",)
# Code lists of web/labels.py that the reporting flow and the status page show.
PUBLIC_CODE_LISTS = (
    "incident_type", "motive", "racism_subcode", "antisemitism_form", "place_type", "recurrence", "reporter_role",
    "target_type", "affected_age_band", "consequence", "police_report", "state",
)
# Error messages of web/messages.py that the reporting flow, the JSON intake and the status pages show.
PUBLIC_FIELD_MESSAGES = (
    "too_long", "choose_option", "choose_incident_type", "choose_reporter_role", "date_invalid", "date_in_future",
    "affected_count_invalid", "describe_incident", "contact_needed", "no_centre_available", "too_many_files",
    "file_too_large", "files_too_large", "file_type_refused", "pdf_refused", "files_again", "message_empty",
    "honeypot", "proof_missing", "proof_expired", "proof_wrong", "proof_too_fast", "proof_replayed",
    "rate_limited", "form_expired", "receipt_invalid", "receipt_unknown", "lookup_limited",
)
PUBLIC_NOTICES = ("form_expired", "message_sent")
# The code that produces those messages and notices for anonymous visitors.
PUBLIC_CODE_SOURCES = (
    "reporting/intake.py", "reporting/attachments.py", "reporting/challenges.py", "reporting/dialogue.py",
    "reporting/receipts.py", "web/controllers/public.py", "web/controllers/intake.py",
    "web/controllers/follow_up.py", "web/controllers/api.py",
)
# Pages every visitor can open without sending anything.
PUBLIC_PAGES = ("/", "/melden", "/status")
# lang and dir of <html> per language choice: Leichte Sprache is German, Arabic is written right to left.
HTML_LANG_AND_DIR = {
    "de": ("de", "ltr"), "ls": ("de", "ltr"), "en": ("en", "ltr"), "tr": ("tr", "ltr"),
    "ar": ("ar", "rtl"), "uk": ("uk", "ltr"), "ru": ("ru", "ltr"),
}


@cache
def catalogue(lang: str) -> Catalog:
    with (LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        return read_po(fh, locale=babel_locale(lang))


@cache
def babel_mapping() -> tuple[list[tuple[str, str]], dict[str, dict[str, str]]]:
    with (REPO / "babel.cfg").open(encoding="utf-8") as fh:
        return parse_mapping_cfg(fh, filename="babel.cfg")


@cache
def extracted_from_code() -> tuple[tuple[str, int, str | tuple[str, ...]], ...]:
    """What `pybabel extract -F babel.cfg` finds, extracted in-process with the same mapping."""
    method_map, options_map = babel_mapping()
    found = []
    for filename, lineno, message, _comments, _context in extract_from_dir(
            REPO, method_map, options_map, keywords=DEFAULT_KEYWORDS):
        message = _msgid(message)
        if message:
            found.append((filename, lineno, message))
    return tuple(found)


def _msgid(message: str | tuple[str | None, ...] | list[str | None]) -> str | tuple[str, ...]:
    if isinstance(message, tuple | list):
        return tuple(part for part in message if part)
    return message


def public_source_files() -> list[Path]:
    templates = REPO / "web" / "templates"
    files = [path for pattern in PUBLIC_TEMPLATES for path in sorted(templates.glob(pattern))]
    return files + [REPO / name for name in PUBLIC_PYTHON_SOURCES]


def extract_from_files(paths: Iterable[Path]) -> Iterator[tuple[str, int, str | tuple[str, ...]]]:
    """Babel's extraction of just these files, with the method and options babel.cfg gives them."""
    method_map, options_map = babel_mapping()
    for path in paths:
        relative = path.relative_to(REPO).as_posix()
        pattern, method = next((p, m) for p, m in method_map if pathmatch(p, relative))
        for lineno, message, _comments, _context in extract_from_file(
                method, path, keywords=DEFAULT_KEYWORDS, options=options_map.get(pattern, {})):
            message = _msgid(message)
            if message:
                yield relative, lineno, message


@cache
def public_texts() -> dict[str | tuple[str, ...], str]:
    """Every text of the public pages, each with where it comes from."""
    texts: dict[str | tuple[str, ...], str] = {}
    for filename, lineno, message in extract_from_files(public_source_files()):
        texts.setdefault(message, f"{filename}:{lineno}")
    for list_name in PUBLIC_CODE_LISTS:
        for code, label in CODE_LABELS[list_name].items():
            texts.setdefault(label, f"web/labels.py CODE_LABELS[{list_name!r}][{code!r}]")
    for state, explanation in STATE_EXPLANATIONS.items():
        texts.setdefault(explanation, f"web/labels.py STATE_EXPLANATIONS[{state!r}]")
    for month in MONTHS:
        texts.setdefault(month, "web/labels.py MONTHS")
    for code in PUBLIC_FIELD_MESSAGES:
        texts.setdefault(FIELD_MESSAGES[code], f"web/messages.py FIELD_MESSAGES[{code!r}]")
    for code in PUBLIC_NOTICES:
        texts.setdefault(NOTICES[code], f"web/messages.py NOTICES[{code!r}]")
    return texts


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


@pytest.mark.parametrize("lang", (*LANGUAGES, PLAIN))
def test_catalogue_declares_the_plural_forms_of_its_language(lang):
    # pybabel writes the Plural-Forms header of the Babel locale; Leichte Sprache counts like German.
    assert catalogue(lang).num_plurals == get_plural(babel_locale(lang)).num_plurals


@pytest.mark.parametrize("lang", (*LANGUAGES, PLAIN))
def test_plural_texts_have_every_plural_form_of_the_language(lang):
    catalog = catalogue(lang)
    for message in translated_messages(lang):
        if message.pluralizable:
            assert len(message.string) == catalog.num_plurals, (lang, message.id)


def test_english_translations_are_the_msgids_themselves():
    for message in translated_messages("en"):
        assert message.string == message.id, message.id


# An empty form is left to the completeness tests (Leichte Sprache may leave staff texts empty).
@pytest.mark.parametrize("lang", (*LANGUAGES, PLAIN))
def test_translations_keep_exactly_the_placeholders_of_their_msgid(lang):
    wrong = []
    for message in translated_messages(lang):
        ids = message.id if message.pluralizable else (message.id,)
        allowed = [placeholders(text) for text in ids]
        for form in forms(message):
            if form and placeholders(form) not in allowed:
                wrong.append(f"{message.id!r}: {placeholders(form)} instead of {allowed[-1]}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("lang", (*LANGUAGES, PLAIN))
def test_translations_can_be_formatted_like_their_msgid(lang):
    # Jinja's newstyle gettext always applies `% variables`, so a lone % in a translation breaks the page.
    broken = []
    for message in translated_messages(lang):
        ids = message.id if message.pluralizable else (message.id,)
        for index, form in enumerate(forms(message)):
            if not form:
                continue
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


# Leichte Sprache: the public pages.

def test_public_texts_come_from_every_public_template_and_the_listed_code():
    files = {path.relative_to(REPO).as_posix() for path in public_source_files()}
    assert {"web/templates/index.html", "web/templates/report/flow.html", "web/templates/report/receipt.html",
            "web/templates/status/lookup.html", "web/templates/status/thread.html"} <= files
    assert all((REPO / name).is_file() for name in files)
    texts = public_texts()
    assert len(texts) > 200
    assert "Report an incident" in texts and "Step %(number)d of %(count)d" in texts
    assert CODE_LABELS["motive"]["racism"] in texts and STATE_EXPLANATIONS["received"] in texts
    assert FIELD_MESSAGES["honeypot"] in texts and NOTICES["message_sent"] in texts
    assert "This page does not exist." in texts
    # Staff-only texts are not part of it.
    assert FIELD_MESSAGES["login_failed"] not in texts and NOTICES["logged_out"] not in texts


def _string_constants(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.value for node in ast.walk(tree) if isinstance(node, ast.Constant) and isinstance(node.value, str)}


def test_public_subset_of_messages_holds_every_message_the_public_code_can_show():
    # A new error code in the intake or the status pages must be added to PUBLIC_FIELD_MESSAGES (and translated).
    used = set().union(*(_string_constants(REPO / name) for name in PUBLIC_CODE_SOURCES))
    templates = "".join(path.read_text(encoding="utf-8") for path in public_source_files() if path.suffix == ".html")
    used |= set(re.findall(r"field_messages\[[\"'](\w+)[\"']\]", templates))
    assert used & set(FIELD_MESSAGES) <= set(PUBLIC_FIELD_MESSAGES)
    assert used & set(NOTICES) <= set(PUBLIC_NOTICES)


def test_public_code_lists_hold_every_list_the_public_pages_show():
    templates = "".join(path.read_text(encoding="utf-8") for path in public_source_files() if path.suffix == ".html")
    shown = set(re.findall(r"\b(?:options|codes|one)\([\"'](\w+)[\"']", templates))
    for name in PUBLIC_CODE_SOURCES:
        shown |= set(re.findall(r"CODE_LABELS\[[\"'](\w+)[\"']\]", (REPO / name).read_text(encoding="utf-8")))
    assert "incident_type" in shown and "state" in shown
    assert shown <= set(PUBLIC_CODE_LISTS)


def test_leichte_sprache_translates_every_text_of_the_public_pages():
    catalog = catalogue(PLAIN)
    problems = []
    for message, where in public_texts().items():
        entry = catalog.get(message)
        if entry is None:
            problems.append(f"{where}: missing {message!r}")
        elif entry.fuzzy:
            problems.append(f"{where}: fuzzy {entry.id!r}")
        elif not all(forms(entry)) or len(forms(entry)) < (catalog.num_plurals if entry.pluralizable else 1):
            problems.append(f"{where}: untranslated {entry.id!r}")
        else:
            ids = entry.id if entry.pluralizable else (entry.id,)
            allowed = [placeholders(text) for text in ids]
            problems += [f"{where}: placeholders {placeholders(form)} in {form!r}"
                         for form in forms(entry) if placeholders(form) not in allowed]
    assert not problems, (f"run `make messages` and translate in web/locale/{PLAIN} (Leichte Sprache):\n"
                          + "\n".join(problems))


# Pages in the chosen language.

def choose_language(client: Any, lang: str) -> None:
    client.cookies.set("lang", lang, domain="testserver.local")


@pytest.mark.parametrize("lang", list(HTML_LANG_AND_DIR))
def test_start_page_declares_its_language_and_writing_direction(client, lang):
    assert set(HTML_LANG_AND_DIR) == set(LANGUAGE_NAMES)
    expected_lang, expected_dir = HTML_LANG_AND_DIR[lang]
    assert (html_lang(lang), "rtl" if is_rtl(lang) else "ltr") == (expected_lang, expected_dir)
    choose_language(client, lang)
    response = client.get("/")
    assert response.status_code == 200
    assert f'<html lang="{expected_lang}" dir="{expected_dir}">' in response.text


def test_arabic_start_page_is_written_right_to_left(client):
    choose_language(client, "ar")
    response = client.get("/")
    assert response.status_code == 200
    assert '<html lang="ar" dir="rtl">' in response.text


def test_leichte_sprache_start_page_is_german_in_plain_language(client, settings):
    choose_language(client, PLAIN)
    response = client.get("/")
    assert response.status_code == 200
    assert '<html lang="de" dir="ltr">' in response.text
    text = visible_text(response.text)
    plain, german = catalogue(PLAIN), catalogue("de")
    for msgid in START_PAGE_MSGIDS:
        translation = plain.get(msgid).string
        assert translation and translation != msgid
        assert translation in text, translation
        assert msgid not in text, msgid
    headline = plain.get("Report racism and discrimination in %(place)s").string
    assert headline % {"place": settings.municipality_name} in text
    # The plain-language catalogue is shown, not its standard German fallback.
    lead = START_PAGE_MSGIDS[1]
    assert plain.get(lead).string != german.get(lead).string
    assert german.get(lead).string not in text
    assert "Beratungs-Stelle" in text


@pytest.mark.parametrize("lang", TRANSLATED_LANGUAGES)
def test_start_page_shows_the_texts_of_its_catalogue(client, lang):
    choose_language(client, lang)
    text = visible_text(client.get("/").text)
    catalog = catalogue(lang)
    for msgid in START_PAGE_MSGIDS:
        entry = catalog.get(msgid)
        assert entry is not None and entry.string, f"{msgid!r} is not translated in web/locale/{lang}"
        assert entry.string in text, entry.string
        assert msgid not in text, msgid


@pytest.mark.parametrize("path", PUBLIC_PAGES)
@pytest.mark.parametrize("lang", (*TRANSLATED_LANGUAGES, PLAIN))
def test_public_page_shows_no_english_sentence_of_the_catalogue(client, lang, path):
    choose_language(client, lang)
    response = client.get(path)
    assert response.status_code == 200
    text = visible_text(response.text)
    # Short labels may read the same in another language; whole English sentences may not.
    english_left = [message.id for message in translated_messages(lang)
                    if not message.pluralizable and len(message.id.split()) >= 4 and message.id in text]
    assert not english_left, f"untranslated in web/locale/{lang}: {english_left}"
