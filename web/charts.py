"""Charts as data: one layout of shapes, drawn as inline SVG for pages and with Pillow for PNG downloads.

A chart is laid out once into primitives (rectangles, polygons, text, lines); the SVG writer and the
PNG painter draw the same primitives, so a download shows exactly what the page shows. Suppressed
cells are drawn hatched with a "fewer than k" label, never with a number.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr  # nosec B406 - only escapes text we write, parses nothing

from markupsafe import Markup

# WCAG 1.4.11: every bar colour has at least 3:1 against white; labels are dark on light.
INK = "#1a1a1a"
MUTED = "#595959"
GRID = "#d0d0d0"
BACKGROUND = "#ffffff"
SERIES_COLOURS = ("#1f5f8b", "#b35806", "#2d7d46", "#6a3d9a", "#8c2d04", "#01665e", "#9e0142", "#4d4d4d")
# Light sequential classes for the map: dark labels on them keep 4.5:1 (the lightest is #f1eef6).
MAP_CLASSES = ("#f1eef6", "#d0d1e6", "#a6bddb", "#74a9cf")
HATCH = "hatch"
FONT = 15
LINE = 26


@dataclass(frozen=True)
class Bar:
    """One value of a chart: a count, or None when suppressed."""

    category: str
    series: str
    value: int | None


@dataclass(frozen=True)
class ChartData:
    """What a chart shows, independent of how it is drawn (also the source of its table and CSV)."""

    kind: str                                  # "bars" (horizontal), "columns" (time series), "map"
    title: str
    description: str
    categories: tuple[tuple[str, str], ...]    # (code, label) in display order
    series: tuple[tuple[str, str], ...]        # (code, label); one ("", label) for a single series
    values: dict[tuple[str, str], int | None]  # (category, series) -> count, None = suppressed
    suppressed_label: str                      # e.g. "< 5"
    notes: tuple[str, ...] = ()
    shapes: dict[str, list[list[tuple[float, float]]]] = field(default_factory=dict)  # map: code -> rings

    def value(self, category: str, series: str = "") -> int | None:
        return self.values.get((category, series), 0)

    def shown(self, category: str, series: str = "") -> str:
        """The value as the table, the CSV and the chart label show it."""
        value = self.value(category, series)
        return self.suppressed_label if value is None else str(value)


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    w: float
    h: float
    fill: str
    hatched: bool = False
    stroke: str | None = None


@dataclass(frozen=True)
class Polygon:
    rings: list[list[tuple[float, float]]]
    fill: str
    hatched: bool = False
    stroke: str = INK


@dataclass(frozen=True)
class Text:
    x: float
    y: float
    text: str
    anchor: str = "start"  # start, middle, end
    size: int = FONT
    bold: bool = False
    value: bool = False  # the label of a cell's value (class "chart-value", so tests can compare it)


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    stroke: str = GRID


Shape = Rect | Polygon | Text | Line


@dataclass(frozen=True)
class Drawing:
    width: int
    height: int
    shapes: tuple[Shape, ...]
    title: str
    description: str


def text_width(text: str, size: int = FONT) -> float:
    """An estimate that is generous enough for DejaVu/sans fonts, so labels never overlap."""
    return len(text) * size * 0.6


def _nice_max(value: int) -> int:
    if value <= 5:
        return 5
    magnitude = 10 ** int(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        top = int(step * magnitude)
        if top >= value:
            return top
    return value


def _legend(chart: ChartData, y: float, width: int) -> tuple[list[Shape], float]:
    """Swatches with names for several series, and the hatched swatch for suppressed cells."""
    shapes: list[Shape] = []
    entries = [(SERIES_COLOURS[i % len(SERIES_COLOURS)], False, label)
               for i, (_code, label) in enumerate(chart.series)] if len(chart.series) > 1 else []
    if chart.kind == "map":
        entries = []
    if any(v is None for v in chart.values.values()):
        entries.append((BACKGROUND, True, chart.suppressed_label))
    x = 10.0
    for colour, hatched, label in entries:
        needed = 22 + text_width(label) + 18
        if x + needed > width and x > 10:
            x, y = 10.0, y + LINE
        shapes.append(Rect(x, y - 12, 16, 16, colour, hatched=hatched, stroke=INK))
        shapes.append(Text(x + 22, y + 1, label))
        x += needed
    return shapes, (y + LINE if entries else y)


def wrap(text: str, room: float, size: int = FONT) -> list[str]:
    """Words on as many lines as the room needs (a label is never cut off)."""
    lines: list[str] = []
    for word in text.split():
        if lines and text_width(f"{lines[-1]} {word}", size) <= room:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines or [""]


def _bars(chart: ChartData, width: int) -> Drawing:
    label_w = min(max((text_width(label) for _c, label in chart.categories), default=40) + 16, width * 0.4)
    n_series = max(len(chart.series), 1)
    bar_h = 22
    wrapped = {code: wrap(label, label_w - 16) for code, label in chart.categories}
    group_hs = {code: max(n_series * bar_h + 10, len(lines) * 18 + 10) for code, lines in wrapped.items()}
    numbers = [v for v in chart.values.values() if v is not None]
    top = _nice_max(max(numbers, default=0))
    value_room = max(text_width(chart.suppressed_label), text_width(str(top))) + 12
    if n_series > 1:
        value_room += max(text_width(label) for _c, label in chart.series) + 12
    plot_x, plot_w = label_w, max(width - label_w - value_room - 10, 60)
    shapes: list[Shape] = []
    y = 10.0
    for tick in range(5):
        tx = plot_x + plot_w * tick / 4
        shapes.append(Line(tx, y, tx, y + sum(group_hs.values())))
        shapes.append(Text(tx, y + sum(group_hs.values()) + 16, str(int(top * tick / 4)), anchor="middle",
                           size=13))
    for code, _label in chart.categories:
        group_h = group_hs[code]
        lines = wrapped[code]
        for number, line in enumerate(lines):
            shapes.append(Text(plot_x - 8, y + group_h / 2 + 5 + 18 * (number - (len(lines) - 1) / 2), line,
                               anchor="end"))
        for index, (series_code, series_label) in enumerate(chart.series):
            value = chart.value(code, series_code)
            by = y + 5 + index * bar_h
            colour = SERIES_COLOURS[index % len(SERIES_COLOURS)]
            if value is None:
                bar_w = max(plot_w * 0.04, 12)
                shapes.append(Rect(plot_x, by, bar_w, bar_h - 4, BACKGROUND, hatched=True, stroke=MUTED))
            else:
                bar_w = plot_w * value / top
                if value:
                    shapes.append(Rect(plot_x, by, bar_w, bar_h - 4, colour))
            text = chart.shown(code, series_code)
            shapes.append(Text(plot_x + bar_w + 6, by + bar_h - 8, text, size=14, value=True))
            if n_series > 1:
                # The series named at each bar: the chart never relies on colour alone.
                shapes.append(Text(plot_x + bar_w + 10 + text_width(text, 14), by + bar_h - 8, series_label,
                                   size=14))
        y += group_h
    legend, y = _legend(chart, y + 40, width)
    shapes.extend(legend)
    return Drawing(width, int(y + 6), tuple(shapes), chart.title, chart.description)


def _columns(chart: ChartData, width: int) -> Drawing:
    numbers = [v for v in chart.values.values() if v is not None]
    top = _nice_max(max(numbers, default=0))
    count = max(len(chart.categories), 1)
    plot_x, plot_y, plot_h = 50.0, 24.0, 200.0
    plot_w = width - plot_x - 10
    slot = plot_w / count
    column_w = max(min(slot * 0.7, 48), 4)
    staggered = max((text_width(label, 13) for _c, label in chart.categories), default=0) > slot - 4
    shapes: list[Shape] = []
    for tick in range(5):
        ty = plot_y + plot_h - plot_h * tick / 4
        shapes.append(Line(plot_x, ty, plot_x + plot_w, ty))
        shapes.append(Text(plot_x - 6, ty + 4, str(int(top * tick / 4)), anchor="end", size=13))
    series_code = chart.series[0][0] if chart.series else ""
    for index, (code, label) in enumerate(chart.categories):
        cx = plot_x + slot * index + slot / 2
        value = chart.value(code, series_code)
        if value is None:
            h = plot_h * 0.06
            shapes.append(Rect(cx - column_w / 2, plot_y + plot_h - h, column_w, h, BACKGROUND, hatched=True,
                               stroke=MUTED))
        else:
            h = plot_h * value / top
            if value:
                shapes.append(Rect(cx - column_w / 2, plot_y + plot_h - h, column_w, h, SERIES_COLOURS[0]))
        shapes.append(Text(cx, plot_y + plot_h - h - 5, chart.shown(code, series_code), anchor="middle", size=13,
                           value=True))
        # Long series (24 months) get their labels staggered on two lines, still in reading direction.
        label_y = plot_y + plot_h + 16 + (14 if staggered and index % 2 else 0)
        shapes.append(Text(cx, label_y, label, anchor="middle", size=13))
    legend, y = _legend(chart, plot_y + plot_h + 56, width)
    shapes.extend(legend)
    return Drawing(width, int(y + 6), tuple(shapes), chart.title, chart.description)


def _project(shapes: dict[str, list[list[tuple[float, float]]]], width: float, height: float
             ) -> tuple[dict[str, list[list[tuple[float, float]]]], float]:
    """Equirectangular projection scaled by cos(latitude) into a width x height box (north up)."""
    points = [p for rings in shapes.values() for ring in rings for p in ring]
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    mid_lat = math.radians((min(lats) + max(lats)) / 2)
    span_x = max((max(lons) - min(lons)) * math.cos(mid_lat), 1e-9)
    span_y = max(max(lats) - min(lats), 1e-9)
    scale = min(width / span_x, height / span_y)
    used_h = span_y * scale

    def to_xy(lon: float, lat: float) -> tuple[float, float]:
        return ((lon - min(lons)) * math.cos(mid_lat) * scale, (max(lats) - lat) * scale)

    return ({code: [[to_xy(*p) for p in ring] for ring in rings] for code, rings in shapes.items()}, used_h)


def _centroid(ring: list[tuple[float, float]]) -> tuple[float, float]:
    area = cx = cy = 0.0
    for (x1, y1), (x2, y2) in pairwise(ring):
        cross = x1 * y2 - x2 * y1
        area += cross
        cx += (x1 + x2) * cross
        cy += (y1 + y2) * cross
    if abs(area) < 1e-9:
        return sum(p[0] for p in ring) / len(ring), sum(p[1] for p in ring) / len(ring)
    return cx / (3 * area), cy / (3 * area)


def map_classes(values: Sequence[int]) -> list[int]:
    """Upper bounds of up to four classes of equal width between the smallest and largest positive value."""
    positive = [v for v in values if v > 0]
    if not positive:
        return [0]
    low, high = min(positive), max(positive)
    width = high - low + 1
    return sorted({low - 1 + max(1, math.ceil(width * (i + 1) / len(MAP_CLASSES))) for i in range(len(MAP_CLASSES))})


def _class_colour(value: int, bounds: list[int]) -> str:
    if value <= 0:
        return BACKGROUND
    for index, bound in enumerate(bounds):
        if value <= bound:
            return MAP_CLASSES[min(index + len(MAP_CLASSES) - len(bounds), len(MAP_CLASSES) - 1)]
    return MAP_CLASSES[-1]


def _map(chart: ChartData, width: int) -> Drawing:
    box_w, box_h = width - 20.0, width * 0.75
    projected, used_h = _project(chart.shapes, box_w, box_h)
    numbers = [v for v in chart.values.values() if v is not None]
    bounds = map_classes(numbers)
    shapes: list[Shape] = []
    labels: list[Shape] = []
    series_code = chart.series[0][0] if chart.series else ""
    names = dict(chart.categories)
    for code, rings in projected.items():
        value = chart.value(code, series_code)
        moved = [[(x + 10, y + 10) for x, y in ring] for ring in rings]
        shapes.append(Polygon(moved, BACKGROUND if value is None else _class_colour(value, bounds),
                              hatched=value is None))
        largest = max(moved, key=lambda ring: abs(sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2)
                                                       in pairwise(ring))))
        cx, cy = _centroid(largest)
        # Name and number on the area itself: the map never relies on colour alone.
        labels.append(Text(cx, cy - 2, names.get(code, code), anchor="middle", size=14, bold=True))
        labels.append(Text(cx, cy + 16, chart.shown(code, series_code), anchor="middle", size=14, value=True))
    shapes.extend(labels)
    y = used_h + 40
    x = 10.0
    lower = min((v for v in numbers if v > 0), default=1)
    for index, bound in enumerate(bounds if numbers and max(numbers) > 0 else []):
        colour = MAP_CLASSES[min(index + len(MAP_CLASSES) - len(bounds), len(MAP_CLASSES) - 1)]
        label = f"{lower}–{bound}" if bound > lower else str(bound)
        shapes.append(Rect(x, y - 12, 16, 16, colour, stroke=INK))
        shapes.append(Text(x + 22, y + 1, label))
        x += 22 + text_width(label) + 18
        lower = bound + 1
    shapes.append(Rect(x, y - 12, 16, 16, BACKGROUND, stroke=INK))
    shapes.append(Text(x + 22, y + 1, "0"))
    legend, y = _legend(chart, y + LINE, width)
    shapes.extend(legend)
    return Drawing(width, int(y + 6), tuple(shapes), chart.title, chart.description)


def _moved(shape: Shape, dy: float) -> Shape:
    if isinstance(shape, Rect | Text):
        return replace(shape, y=shape.y + dy)
    if isinstance(shape, Line):
        return replace(shape, y1=shape.y1 + dy, y2=shape.y2 + dy)
    return replace(shape, rings=[[(x, y + dy) for x, y in ring] for ring in shape.rings])


def _annotated(drawing: Drawing, chart: ChartData) -> Drawing:
    """A downloaded chart carries its title and notes (taxonomy version, reports not prevalence) itself."""
    room = drawing.width - 20
    head = [Text(10, 24 + 22 * i, line, size=17, bold=True) for i, line in enumerate(wrap(chart.title, room, 17))]
    top = 24 + 22 * len(head)
    foot: list[Shape] = []
    y = drawing.height + top + 10
    for note in chart.notes:
        for line in wrap(note, room, 13):
            foot.append(Text(10, y, line, size=13))
            y += 18
    shapes = (*head, *(_moved(shape, top) for shape in drawing.shapes), *foot)
    return Drawing(drawing.width, int(y + 4), shapes, drawing.title, drawing.description)


def layout(chart: ChartData, width: int = 800, *, annotated: bool = False) -> Drawing:
    """The chart's shapes; `annotated` adds the title and notes, for downloads that leave the page."""
    if chart.kind == "map":
        drawing = _map(chart, width)
    elif chart.kind == "columns":
        drawing = _columns(chart, width)
    else:
        drawing = _bars(chart, width)
    return _annotated(drawing, chart) if annotated else drawing


# --- SVG ------------------------------------------------------------------------------------

def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _svg_shape(shape: Shape, hatch_id: str) -> str:
    if isinstance(shape, Rect):
        fill = f"url(#{hatch_id})" if shape.hatched else shape.fill
        stroke = f' stroke="{shape.stroke}"' if shape.stroke else ""
        return (f'<rect x="{_num(shape.x)}" y="{_num(shape.y)}" width="{_num(shape.w)}" height="{_num(shape.h)}"'
                f' fill="{fill}"{stroke}/>')
    if isinstance(shape, Polygon):
        fill = f"url(#{hatch_id})" if shape.hatched else shape.fill
        path = " ".join("M" + " L".join(f"{_num(x)},{_num(y)}" for x, y in ring) + " Z" for ring in shape.rings)
        return f'<path d="{path}" fill="{fill}" fill-rule="evenodd" stroke="{shape.stroke}" stroke-width="1.5"/>'
    if isinstance(shape, Line):
        return (f'<line x1="{_num(shape.x1)}" y1="{_num(shape.y1)}" x2="{_num(shape.x2)}" y2="{_num(shape.y2)}"'
                f' stroke="{shape.stroke}"/>')
    weight = ' font-weight="bold"' if shape.bold else ""
    kind = ' class="chart-value"' if shape.value else ""
    return (f'<text{kind} x="{_num(shape.x)}" y="{_num(shape.y)}" text-anchor="{shape.anchor}"'
            f' font-size="{shape.size}"{weight}>{escape(shape.text)}</text>')


def svg(drawing: Drawing, *, element_id: str, standalone: bool = False) -> Markup:
    """The drawing as `<svg role="img">` with a title and a description (presentation attributes
    only: the page's CSP allows no inline style)."""
    hatch_id = f"{element_id}-hatch"
    head = '<?xml version="1.0" encoding="UTF-8"?>\n' if standalone else ""
    namespace = ' xmlns="http://www.w3.org/2000/svg"' if standalone else ""
    parts = [
        f'{head}<svg{namespace} id={quoteattr(element_id)} class="chart" role="img" viewBox="0 0 {drawing.width}'
        f' {drawing.height}" width="{drawing.width}" height="{drawing.height}"'
        f' aria-labelledby="{element_id}-title {element_id}-desc" direction="ltr"'
        f' font-family="DejaVu Sans, Arial, sans-serif" fill="{INK}">',
        f'<title id="{element_id}-title">{escape(drawing.title)}</title>',
        f'<desc id="{element_id}-desc">{escape(drawing.description)}</desc>',
        f'<defs><pattern id="{hatch_id}" patternUnits="userSpaceOnUse" width="6" height="6">'
        f'<rect width="6" height="6" fill="{BACKGROUND}"/><path d="M0,6 L6,0 M-1,1 L1,-1 M5,7 L7,5"'
        f' stroke="{MUTED}" stroke-width="1.2"/></pattern></defs>',
        f'<rect width="{drawing.width}" height="{drawing.height}" fill="{BACKGROUND}"/>',
    ]
    parts.extend(_svg_shape(shape, hatch_id) for shape in drawing.shapes)
    parts.append("</svg>")
    return Markup("\n".join(parts))  # noqa: S704  # nosec B704: every text and attribute above is escaped


# --- PNG ------------------------------------------------------------------------------------

FONT_CANDIDATES = ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/TTF/DejaVuSans.ttf")


@lru_cache(maxsize=16)
def _font(size: int, bold: bool) -> Any:
    from PIL import ImageFont
    for candidate in FONT_CANDIDATES:
        path = Path(candidate.replace("DejaVuSans.ttf", "DejaVuSans-Bold.ttf") if bold else candidate)
        if path.exists():
            return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size=size)


def _hatch_tile(width: int, height: int, scale: int) -> Any:
    from PIL import Image, ImageDraw
    tile = Image.new("RGB", (width, height), BACKGROUND)
    draw = ImageDraw.Draw(tile)
    step = 6 * scale
    for offset in range(-height, width + step, step):
        draw.line([(offset, height), (offset + height, 0)], fill=MUTED, width=max(1, scale))
    return tile


def _paste_hatched(image: Any, hatch: Any, rings: list[list[tuple[float, float]]]) -> None:
    """Hatch the area of the rings, working on their bounding box only (full-size masks are slow)."""
    from PIL import Image, ImageDraw
    left = int(min(x for ring in rings for x, _ in ring))
    top = int(min(y for ring in rings for _, y in ring))
    right = int(max(x for ring in rings for x, _ in ring)) + 1
    bottom = int(max(y for ring in rings for _, y in ring)) + 1
    mask = Image.new("L", (right - left, bottom - top), 0)
    mask_draw = ImageDraw.Draw(mask)
    for ring in rings:
        mask_draw.polygon([(x - left, y - top) for x, y in ring], fill=255)
    image.paste(hatch.crop((left, top, right, bottom)), (left, top), mask)


def png(drawing: Drawing, *, scale: int = 2) -> bytes:
    """The same drawing painted with Pillow (twice the size, so it stays sharp in documents)."""
    from PIL import Image, ImageDraw
    w, h = drawing.width * scale, drawing.height * scale
    image = Image.new("RGB", (w, h), BACKGROUND)
    draw = ImageDraw.Draw(image)
    hatch = _hatch_tile(w, h, scale)
    anchors = {"start": "ls", "middle": "ms", "end": "rs"}
    for shape in drawing.shapes:
        if isinstance(shape, Rect):
            box = [shape.x * scale, shape.y * scale, (shape.x + shape.w) * scale, (shape.y + shape.h) * scale]
            if shape.hatched:
                _paste_hatched(image, hatch, [[(box[0], box[1]), (box[2], box[1]), (box[2], box[3]), (box[0], box[3])]])
                draw.rectangle(box, outline=shape.stroke or MUTED, width=max(1, scale // 2))
            else:
                draw.rectangle(box, fill=shape.fill, outline=shape.stroke, width=max(1, scale // 2))
        elif isinstance(shape, Polygon):
            rings = [[(x * scale, y * scale) for x, y in ring] for ring in shape.rings]
            if shape.hatched:
                _paste_hatched(image, hatch, rings)
            else:
                for ring in rings:
                    draw.polygon(ring, fill=shape.fill)
            for ring in rings:
                draw.line(ring, fill=shape.stroke, width=max(2, scale))
        elif isinstance(shape, Line):
            draw.line([(shape.x1 * scale, shape.y1 * scale), (shape.x2 * scale, shape.y2 * scale)],
                      fill=shape.stroke, width=max(1, scale // 2))
        else:
            draw.text((shape.x * scale, shape.y * scale), shape.text, fill=INK,
                      font=_font(shape.size * scale, shape.bold), anchor=anchors[shape.anchor])
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
