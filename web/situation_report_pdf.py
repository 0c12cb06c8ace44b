"""The situation report as a PDF (fpdf2): vector bars drawn from the same numbers as the page, each chart
followed by its table, headings in the outline and tagged as H1/H2, metadata without personal data."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

from fpdf import FPDF, FontFace, TextStyle
from fpdf.enums import XPos, YPos

from web.i18n import translations
from web.situation_report import Chart, SituationReport

# Debian's fonts-dejavu-core covers every script we offer except the shaping Arabic needs; without it the PDF
# falls back to the latin-1 core fonts (German, English and Turkish letters of latin-1 only).
DEJAVU_DIR = Path("/usr/share/fonts/truetype/dejavu")
SUPPRESSED = "\u2013"
BAR_COLOUR = (31, 95, 139)  # the dashboard's first series colour (#1f5f8b)
LABEL_WIDTH = 62.0
VALUE_WIDTH = 18.0
ROW_HEIGHT = 6.0


class _Pdf(FPDF):
    unicode: bool = False

    def text_of(self, text: str) -> str:
        if self.unicode:
            return text
        replaced = (text.replace("\u2013", "-").replace("\u2014", "-").replace("\u201c", '"')
                    .replace("\u201d", '"').replace("\u201e", '"').replace("\u2019", "'"))
        return replaced.encode("latin-1", "replace").decode("latin-1")


def _fonts(pdf: _Pdf) -> str:
    regular, bold = DEJAVU_DIR / "DejaVuSans.ttf", DEJAVU_DIR / "DejaVuSans-Bold.ttf"
    if regular.exists() and bold.exists():
        pdf.add_font("DejaVu", "", str(regular))
        pdf.add_font("DejaVu", "B", str(bold))
        pdf.unicode = True
        return "DejaVu"
    return "helvetica"


def _value(count: int | None) -> str:
    return SUPPRESSED if count is None else str(count)


def _chart(pdf: _Pdf, chart: Chart, gettext: object) -> None:
    pdf.start_section(pdf.text_of(chart.title), level=1)
    bar_width = pdf.epw - LABEL_WIDTH - VALUE_WIDTH - 4
    for bar in chart.bars:
        if pdf.will_page_break(ROW_HEIGHT):
            pdf.add_page()
        y = pdf.get_y()
        pdf.set_x(pdf.l_margin)
        pdf.cell(LABEL_WIDTH, ROW_HEIGHT, pdf.text_of(bar.label)[:44], new_x=XPos.RIGHT, new_y=YPos.TOP)
        if bar.count:
            pdf.set_fill_color(*BAR_COLOUR)
            pdf.rect(pdf.l_margin + LABEL_WIDTH + 2, y + 1, max(bar_width * bar.share, 0.4), ROW_HEIGHT - 2,
                     style="F")
        pdf.set_x(pdf.l_margin + LABEL_WIDTH + 2 + bar_width + 2)
        pdf.cell(VALUE_WIDTH, ROW_HEIGHT, pdf.text_of(_value(bar.count)), align="R", new_x=XPos.LMARGIN,
                 new_y=YPos.NEXT)
    pdf.ln(2)
    heading = FontFace(emphasis="BOLD")
    with pdf.table(col_widths=(3, 1), text_align=("LEFT", "RIGHT"), headings_style=heading,
                   line_height=ROW_HEIGHT - 1, first_row_as_headings=True) as table:
        row = table.row()
        row.cell(pdf.text_of(chart.label_heading))
        row.cell(pdf.text_of(translations_text(gettext, "Reports")))
        for bar in chart.bars:
            row = table.row()
            row.cell(pdf.text_of(bar.label))
            row.cell(pdf.text_of(_value(bar.count)))
    if chart.multiple:
        pdf.multi_cell(0, 5, pdf.text_of(translations_text(gettext, "Multiple answers: totals exceed the number "
                                                                    "of incidents.")))
    pdf.ln(4)


def translations_text(gettext: object, message: str) -> str:
    assert callable(gettext)
    return str(gettext(message))


def _tag_headings(data: bytes, levels: dict[str, int]) -> bytes:
    """fpdf2 marks section titles as /Figure with a title; make them the headings they are (H1, H2)."""
    import pikepdf
    with pikepdf.open(io.BytesIO(data)) as document:
        root = document.Root.get("/StructTreeRoot")
        if root is None:
            return data
        pending = [root]
        while pending:
            node = pending.pop()
            kids = node.get("/K")
            if kids is None:
                continue
            for kid in (kids if isinstance(kids, pikepdf.Array) else [kids]):
                if not isinstance(kid, pikepdf.Dictionary):
                    continue
                title = kid.get("/T")
                if kid.get("/S") == "/Figure" and title is not None and str(title) in levels:
                    kid.S = pikepdf.Name(f"/H{levels[str(title)] + 1}")
                pending.append(kid)
        out = io.BytesIO()
        document.save(out)
        return out.getvalue()


def render_pdf(report: SituationReport, *, now: datetime | None = None) -> bytes:
    """Draw the report; deterministic for the same report and time."""
    gettext = translations(report.lang).gettext
    pdf = _Pdf(format="A4")
    family = _fonts(pdf)
    pdf.set_lang("de" if report.lang == "ls" else report.lang)
    pdf.set_title(pdf.text_of(report.title))
    pdf.set_subject(pdf.text_of(f"{report.municipality} ({report.ags})"))
    pdf.set_author(pdf.text_of(report.municipality))  # the municipality, never a person
    pdf.set_creator("Vor Ort")
    pdf.set_producer("Vor Ort")
    pdf.set_creation_date(now or datetime(report.year + 1, 1, 1, tzinfo=UTC))
    pdf.set_section_title_styles(
        TextStyle(font_family=family, font_style="B", font_size_pt=18, t_margin=2, b_margin=4),
        TextStyle(font_family=family, font_style="B", font_size_pt=13, t_margin=4, b_margin=2),
    )
    pdf.set_font(family, size=10)
    pdf.add_page()
    levels = {pdf.text_of(f"{report.title} \u2013 {report.municipality}"): 0}
    pdf.start_section(next(iter(levels)), level=0)
    pdf.multi_cell(0, 5, pdf.text_of(report.summary), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)
    with pdf.table(col_widths=(2, 1, 1, 1), text_align=("LEFT", "RIGHT", "RIGHT", "RIGHT"),
                   headings_style=FontFace(emphasis="BOLD"), line_height=5) as table:
        row = table.row()
        for text in ("", str(report.year), str(report.year - 1), gettext("Change from the year before")):
            row.cell(pdf.text_of(text))
        row = table.row()
        row.cell(pdf.text_of(gettext("Reports counted")))
        row.cell(_value(report.total))
        row.cell(pdf.text_of(_value(report.previous_total)))
        change = report.change
        row.cell(pdf.text_of(_value(change) if change is None or change <= 0 else f"+{change}"))
    pdf.ln(3)
    notes_title = pdf.text_of(gettext("How to read these figures"))
    levels[notes_title] = 1
    pdf.start_section(notes_title, level=1)
    for note in report.notes:
        pdf.multi_cell(0, 5, pdf.text_of(f"\u2022 {note}" if pdf.unicode else f"- {note}"),
                       new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)
    for chart in (report.months, *report.charts):
        levels[pdf.text_of(chart.title)] = 1
        _chart(pdf, chart, gettext)
    if report.chronicle_count is not None:
        title = pdf.text_of(gettext("Chronicle"))
        levels[title] = 1
        pdf.start_section(title, level=1)
        pdf.multi_cell(0, 5, pdf.text_of(gettext("Incidents published in the chronicle: %(count)s")
                                         % {"count": report.chronicle_count}), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if report.plan is not None:
        title = pdf.text_of(gettext("Progress of the action plan"))
        levels[title] = 1
        pdf.start_section(title, level=1)
        with pdf.table(col_widths=(3, 1, 1, 1), text_align=("LEFT", "RIGHT", "RIGHT", "RIGHT"),
                       headings_style=FontFace(emphasis="BOLD"), line_height=5) as table:
            row = table.row()
            for text in (gettext("Field of action"), gettext("Measures"), gettext("Done"), gettext("Progress")):
                row.cell(pdf.text_of(text))
            for field in report.plan:
                row = table.row()
                row.cell(pdf.text_of(field.name))
                row.cell(str(field.measures))
                row.cell(str(field.done))
                row.cell(f"{field.percent} %")
    return _tag_headings(bytes(pdf.output()), levels)
