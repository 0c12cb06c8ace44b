"""The annual situation report: page and PDF show the year and its totals with public suppression, the PDF is
kept until the figures change, and the scheduled job draws it once per year."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from pypdf import PdfReader
from sqlmodel import select

from core.jobs import JobRun
from reporting.published_reports import SituationReport
from reporting.statistics import rebuild_rollup
from tests.personas import add_districts
from tests.statistics_data import add_incident
from tests.test_open_data import _year_of_incidents

# These tests read the English wording (German is the default language).
pytestmark = pytest.mark.usefixtures("english_pages")


@pytest.fixture
def year_2025(db, personas) -> int:
    """33 counted reports in 2025 (24 insults in the old town; 7 and 2 elsewhere, below the public k of 10),
    and 12 in 2024."""
    add_districts(db)
    centre = personas["counsellor_a"].organisation_id
    for n in range(12):
        add_incident(db, centre, on=date(2024, 1 + n, 3), district="altstadt", affected_count=1,
                     types=("insult_verbal_abuse",), motives=("racism",))
    _year_of_incidents(db, centre)
    return centre


def _numbers_in_html_tables(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'<td class="number">\s*(\d+)\s*</td>', html)]


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_the_report_page_shows_the_year_totals_and_public_suppression(client, personas, settings, year_2025):
    client.login(personas["strategy_member"])
    page = client.get("/statistik/lagebild/2025", headers={"accept-language": "en"})
    assert page.status_code == 200
    assert "Situation report 2025" in page.text and "received 33 reports" in page.text
    assert "In 2024 there were 12." in page.text and "+21" in page.text
    numbers = _numbers_in_html_tables(page.text)
    assert 33 in numbers and 12 in numbers
    assert [n for n in numbers if 0 < n < settings.public_suppression_k] == []
    assert page.text.count("<svg") >= 5 and "not the prevalence" in page.text
    assert "taxonomy version(s) 2026.1" in page.text
    index = client.get("/statistik/lagebild")
    assert 'href="/statistik/lagebild/2025.pdf"' in index.text


def test_the_pdf_contains_the_year_the_totals_and_no_number_below_k(client, personas, settings, year_2025):
    client.login(personas["coordinator"])
    answer = client.get("/statistik/lagebild/2025.pdf", headers={"accept-language": "en"})
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/pdf"
    text = _pdf_text(answer.content)
    assert "Situation report 2025" in text and "received 33 reports" in text
    tables = text[text.index("Reports per year"):]
    row_values = [int(m.group(1)) for m in re.finditer(r"^.*\S (\d+)$", tables, re.MULTILINE)]
    assert 33 in row_values and 12 in row_values
    assert [n for n in row_values if 0 < n < settings.public_suppression_k] == []
    metadata = PdfReader(io.BytesIO(answer.content)).metadata
    assert metadata.author == settings.municipality_name and "coordinator" not in str(metadata).lower()


def test_the_pdf_is_kept_until_the_figures_change(client, personas, db, year_2025):
    client.login(personas["coordinator"])
    first = client.get("/statistik/lagebild/2025.pdf").content
    stored = db.exec(select(SituationReport)).one()
    generated = stored.generated_at
    assert client.get("/statistik/lagebild/2025.pdf").content == first
    db.expire_all()
    assert db.exec(select(SituationReport)).one().generated_at == generated
    for _ in range(10):
        add_incident(db, year_2025, on=date(2025, 11, 4), district="hafen", affected_count=1,
                     types=("discrimination",), motives=("racism",))
    rebuild_rollup(db)
    db.commit()
    changed = client.get("/statistik/lagebild/2025.pdf").content
    assert changed != first and "received 43 reports" in _pdf_text(changed)
    db.expire_all()
    assert db.exec(select(SituationReport)).one().generated_at > generated


def test_a_year_not_published_and_other_files_are_not_found(client, personas, year_2025):
    client.login(personas["coordinator"])
    assert client.get("/statistik/lagebild/2031").status_code == 404
    assert client.get("/statistik/lagebild/2025.docx").status_code == 404
    assert client.get("/statistik/lagebild/zwanzig").status_code == 404


def test_the_public_report_exists_only_when_statistics_are_public(client, settings, engine, year_2025):
    from litestar.testing import TestClient

    from web.app import create_app
    assert client.get("/zahlen/lagebild/2025").status_code == 404
    with TestClient(create_app(replace(settings, public_statistics=True), engine=engine)) as public:
        page = public.get("/zahlen/lagebild/2025")
        assert page.status_code == 200 and 'href="/zahlen/lagebild/2025.pdf"' in page.text
        assert public.get("/zahlen/lagebild/2025.pdf").headers["content-type"] == "application/pdf"


def test_the_job_draws_last_years_report_once_in_january(engine, settings, db, year_2025):
    from web.scheduler import situation_report_job
    assert situation_report_job(engine, settings, now=datetime(2026, 1, 10, 4, 41, tzinfo=UTC)) == \
        "2025 not published yet"
    january = datetime(2026, 1, 20, 4, 41, tzinfo=UTC)
    assert situation_report_job(engine, settings, now=january) == "situation report 2025 generated"
    assert situation_report_job(engine, settings, now=january.replace(day=21)) == "already ran"
    db.expire_all()
    assert [(r.year, r.lang) for r in db.exec(select(SituationReport)).all()] == [(2025, "de")]
    assert [(r.job, r.period) for r in db.exec(select(JobRun)).all()] == [("situation-report", "2025")]
    text = _pdf_text(db.exec(select(SituationReport)).one().pdf)
    assert "2025" in text and " 33" in text


def test_the_report_counts_the_chronicle_and_shows_the_plans_progress_by_field(client, personas, db, year_2025):
    from reporting.chronicle_models import ChronicleEntry
    from strategy.models import ActionField, Goal, Measure, Plan
    incident = add_incident(db, year_2025, on=date(2025, 5, 6), district="altstadt", affected_count=1,
                            types=("insult_verbal_abuse",), motives=("racism",))
    now = datetime(2025, 6, 1, tzinfo=UTC)
    for state in ("approved", "approved", "pending_review"):
        db.add(ChronicleEntry(incident_id=incident.id, centre_id=year_2025, state=state, summary="Eine Beleidigung.",
                              shown_on=date(2025, 5, 6), date_shown="day", proposed_at=now,
                              approved_on=date(2025, 6, 1) if state == "approved" else None))
    plan = Plan(title="Aktionsplan 2024–2027", template="blank", period_start=date(2024, 1, 1),
                period_end=date(2027, 12, 31), state="adopted", created_at=now)
    db.add(plan)
    db.flush()
    field = ActionField(plan_id=plan.id, title="Bildung und Schule")
    db.add(field)
    db.flush()
    goal = Goal(action_field_id=field.id, title="Fortbildungen")
    db.add(goal)
    db.flush()
    for title, status in (("Fortbildung Lehrkräfte", "completed"), ("Beschwerdestelle", "in_progress"),
                          ("Intern", "completed")):
        db.add(Measure(plan_id=plan.id, goal_id=goal.id, title=title, status=status, progress_mode="manual",
                       progress_manual=50, visibility="internal" if title == "Intern" else "public",
                       created_at=now, updated_at=now))
    rebuild_rollup(db)
    db.commit()
    client.login(personas["coordinator"])
    page = client.get("/statistik/lagebild/2025", headers={"accept-language": "en"})
    assert "Incidents published in the chronicle: 2" in page.text, page.text[page.text.find("<main"):][-2500:]
    assert "Bildung und Schule" in page.text and "75 %" in page.text
    text = _pdf_text(client.get("/statistik/lagebild/2025.pdf", headers={"accept-language": "en"}).content)
    assert "Incidents published in the chronicle: 2" in text and "Bildung und Schule 2 1 75 %" in text
