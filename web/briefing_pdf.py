"""The briefing as a PDF for the round table (fpdf2).

Font: DejaVu Sans when the system has it (Debian's fonts-dejavu-core, so Cyrillic, Turkish and every
German letter print as typed); otherwise the PDF core font Helvetica, whose Latin-1 covers German
umlauts and ß, with typographic quotes and dashes mapped and anything else shown as "?".
Metadata: title and creator only; no author, no names of persons anywhere in the document.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from strategy.briefing import Briefing
from strategy.indicators import SUPPRESSED, TrendValue
from web.trend_chart import format_number

# fontTools reports every font subset at INFO; the application log should not fill with it.
logging.getLogger("fontTools").setLevel(logging.WARNING)
SYSTEM_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
SYSTEM_FONT_BOLD = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")
LATIN1_SUBSTITUTES = str.maketrans({"„": '"', "“": '"', "”": '"', "‚": "'", "‘": "'", "’": "'", "–": "-",
                                    "—": "-", "…": "...", "€": "EUR", "\u00a0": " ", "•": "-", "→": "->"})

Translate = Callable[[str], str]


class _Document(FPDF):
    def __init__(self, translate: Translate, footer_text: str) -> None:
        super().__init__(format="A4")
        self._t = translate
        self._footer_text = footer_text

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(self.font_family, size=8)
        self.cell(0, 6, f"{self._footer_text} {self.page_no()}", align="C")


class BriefingPdf:
    def __init__(self, translate: Translate, label: Callable[[str, str], str], format_day: Callable[..., str],
                 font: Path | None = SYSTEM_FONT) -> None:
        self.t, self.label, self.day = translate, label, format_day
        self.unicode = font is not None and font.exists()
        self.font = font

    @staticmethod
    def default_font() -> Path | None:
        return SYSTEM_FONT if SYSTEM_FONT.exists() else None

    def text(self, value: str) -> str:
        if self.unicode:
            return value
        return value.translate(LATIN1_SUBSTITUTES).encode("latin-1", "replace").decode("latin-1")

    def render(self, brief: Briefing, *, k: int, now: datetime | None = None) -> bytes:
        t = self.t
        pdf = _Document(t, self.text(t("Page")))
        if self.unicode and self.font is not None:
            pdf.add_font("DejaVu", "", str(self.font))
            pdf.add_font("DejaVu", "B", str(SYSTEM_FONT_BOLD if SYSTEM_FONT_BOLD.exists() else self.font))
            family = "DejaVu"
        else:
            family = "Helvetica"
        pdf.set_title(self.text(f"{t('Briefing since the last meeting')}: {brief.plan_title}"))
        pdf.set_creator("Vor Ort")
        pdf.set_producer("Vor Ort")
        pdf.set_creation_date(now or datetime.now(UTC))
        pdf.set_auto_page_break(auto=True, margin=16)
        pdf.add_page()
        pdf.set_font(family, "B", 16)
        self._para(pdf, t("Briefing since the last meeting"), 8)
        pdf.set_font(family, "", 11)
        self._para(pdf, brief.plan_title, 6)
        since = self.day(brief.since)
        intro = (t("Since the meeting “%(title)s” on %(date)s") % {"title": brief.since_meeting, "date": since}
                 if brief.since_meeting else t("Since the plan was created on %(date)s") % {"date": since})
        self._para(pdf, f"{intro} · {t('as of')} {self.day(brief.today)}", 6)
        pdf.ln(2)

        def section(title: str, lines: list[str]) -> None:
            pdf.set_font(family, "B", 12)
            self._para(pdf, title, 7)
            pdf.set_font(family, "", 10)
            for line in lines or [t("Nothing since the last meeting.")]:
                self._para(pdf, f"- {line}", 5)
            pdf.ln(2)

        section(t("Overdue measures"), [
            f"{m.title} ({t('due')} {self.day(m.due_on) if m.due_on else ''}; {self.label('status', m.status)})"
            for m in brief.overdue_measures])
        section(t("Overdue milestones"), [
            f"{m.title} · {m.measure_title} ({t('due')} {self.day(m.due_on)})" for m in brief.overdue_milestones])
        section(t("At risk or off track"), [
            f"{m.title} ({self.label('health', m.health)}; {self.label('status', m.status)})" for m in brief.at_risk])
        section(t("New progress updates"), [
            f"{u.measure_title}: {u.organisation}, {u.period}, {self.label('health', u.assessment)}"
            + (f" ({t('with evidence')})" if u.has_evidence else "") for u in brief.updates])
        section(t("Status changes"), [
            f"{c.measure_title}: {self.label('status', c.from_status)} → {self.label('status', c.to_status)}"
            f" ({self.day(c.on)})" for c in brief.status_changes])
        section(t("Decisions"), [
            f"{d.number} ({self.day(d.decided_on)}): {d.text}" + (f" · {d.measure_title}" if d.measure_title else "")
            for d in brief.decisions])
        section(t("Indicator changes"), [
            f"{c.indicator.title}: {c.period.key} {self.value(c.value, k)}"
            + (f" ({t('before')}: {c.previous_period.key} {self.value(c.previous, k)})" if c.previous_period else "")
            for c in brief.indicator_changes])
        pdf.set_font(family, "", 8)
        self._para(pdf, t("Counts of reports received, not prevalence. Suppressed: fewer than %(k)s reports, "
                          "or a value that would reveal such a count.") % {"k": k}, 4)
        return bytes(pdf.output())

    def value(self, value: TrendValue, k: int) -> str:
        if value is SUPPRESSED:
            return self.t("suppressed")
        if value is None:
            return self.t("no value")
        assert isinstance(value, float | int)
        return format_number(float(value))

    def _para(self, pdf: FPDF, text: str, height: float) -> None:
        pdf.multi_cell(0, height, self.text(text), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
