"""The notification choices, the measure import (with row errors) and the ECCAR report in Chromium: axe
WCAG 2.1 A/AA, no console errors, no sideways scrolling at 200 % zoom, in German and English."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from playwright.sync_api import Page
from sqlmodel import Session, select

from core import accounts
from core.clock import utcnow
from core.db import make_engine
from tests.browser.support import LiveServer, audit, goto, submit, switch_language

pytestmark = pytest.mark.browser

COORDINATOR = "petra@musterstadt.example"
ADMIN = "admin@musterstadt.example"


@pytest.fixture(scope="module")
def eccar_plan(live_instance: LiveServer) -> int:
    """An ECCAR plan made by the demo coordinator, through the domain layer on the live database."""
    from strategy.plans import create_plan
    engine = make_engine(live_instance.settings.database_url, pool=False)
    try:
        with Session(engine) as session:
            user = session.exec(select(accounts.User).where(accounts.User.email == COORDINATOR)).one()
            plan = create_plan(session, accounts.actor_for(session, user), template="eccar",
                               title="Aktionsplan ECCAR (Browsertest)", period_start=date(2026, 1, 1),
                               period_end=date(2028, 12, 31), now=utcnow())
            session.commit()
            assert plan.id is not None
            return plan.id
    finally:
        engine.dispose()


@pytest.mark.parametrize("lang", ["de", "en"])
def test_notifications_import_and_eccar_pages_are_accessible(persona_page: Callable[[str], Page], eccar_plan: int,
                                                             lang: str, tmp_path) -> None:
    page = persona_page(COORDINATOR)
    goto(page, "/konto/benachrichtigungen")
    switch_language(page, lang)
    problems = audit(page, "notifications", lang=lang)
    page.locator("#field-frequency-daily").check()
    submit(page, "form[action='/konto/benachrichtigungen']")
    assert page.locator("#field-frequency-daily").is_checked()
    problems += audit(page, "notifications saved", lang=lang)
    goto(page, f"/plan/{eccar_plan}/import")
    problems += audit(page, "import", lang=lang)
    bad = tmp_path / "massnahmen.csv"
    bad.write_text("id,title,planned_end\n999999,Unbekannt,31.12.2026\n", encoding="utf-8")
    page.locator("#field-file").set_input_files(str(bad))
    with page.expect_navigation() as navigation:
        page.locator(f"form[action='/plan/{eccar_plan}/import'] button[type=submit]").click()
    assert navigation.value is not None and navigation.value.status == 422
    assert page.locator("table caption").first.is_visible()
    problems += audit(page, "import with row errors", lang=lang)
    goto(page, f"/plan/{eccar_plan}/eccar")
    problems += audit(page, "ECCAR report", lang=lang)
    assert not problems, "\n".join(problems)


def test_the_admin_sees_waiting_mails(persona_page: Callable[[str], Page]) -> None:
    page = persona_page(ADMIN)
    goto(page, "/admin/post")
    problems = audit(page, "outbox", lang=page.locator("html").get_attribute("lang") or "de")
    assert not problems, "\n".join(problems)
