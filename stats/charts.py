"""Server-drawn SVG bar charts: geometry worked out here, drawn by templates/stats/_bar_chart.html.

No JavaScript and no inline styles (the CSP forbids them); SVG presentation attributes only.
A suppressed figure is drawn as an empty outline marked 'c', a zero as no bar marked 0, and a
figure that does not apply (a month still to come) as no bar marked 'z'.
A long label wraps onto a second line (and is shortened only after that): text that ran past
the label column was cut off at the chart's left edge.
"""

from __future__ import annotations

from dataclasses import dataclass

from .suppression import SUPPRESSED, Shown

# Narrow enough that a phone (about 360px of page) shows 14-unit text at about 12.5px; the
# stylesheet caps the drawn width (app-chart) so a desktop shows it near body-text size.
WIDTH = 400
LABEL_WIDTH = 170
VALUE_SPACE = 50
BAR_HEIGHT = 22
GAP = 8
# What fits in LABEL_WIDTH at font-size 14 in a wide sans-serif (DejaVu Sans where Arial is
# missing), with the 8 units of space before the axis.
MAX_LINE_CHARS = 20
MAX_LINES = 2
LINE_HEIGHT = 16
SUPPRESSED_MARK_WIDTH = 18


@dataclass(frozen=True)
class LabelLine:
    text: str
    y: int


@dataclass(frozen=True)
class Bar:
    label: str
    lines: tuple[LabelLine, ...]
    shown: Shown
    y: int
    width: int
    text_x: int
    text_y: int
    suppressed: bool


@dataclass(frozen=True)
class BarChart:
    title: str
    width: int
    height: int
    label_width: int
    bar_height: int
    bars: tuple[Bar, ...]


def _number(shown) -> int | float | None:
    """The length a figure's bar stands for: a count, or a rate's value; None for a symbol."""
    if isinstance(shown, int | float):
        return shown
    return getattr(shown, "per_thousand", None)


def bar_chart(title: str, items: list[tuple[str, Shown]]) -> BarChart:
    numbers = [_number(shown) for _, shown in items if _number(shown) is not None]
    largest = max(numbers, default=0) or 1
    plot_width = WIDTH - LABEL_WIDTH - VALUE_SPACE
    wrapped = [wrap_label(label) for label, _ in items]
    row_height = max(BAR_HEIGHT, max((len(lines) for lines in wrapped), default=1) * LINE_HEIGHT)
    bars = []
    for index, ((label, shown), lines) in enumerate(zip(items, wrapped, strict=True)):
        top = GAP + index * (row_height + GAP)
        y = top + (row_height - BAR_HEIGHT) // 2
        suppressed = shown == SUPPRESSED
        if suppressed:
            width = SUPPRESSED_MARK_WIDTH
        elif _number(shown) is not None:
            width = round(plot_width * _number(shown) / largest)
        else:  # 'z', not applicable (a month still to come): no bar at all
            width = 0
        # Lines centred on the bar; each y is a baseline.
        first = top + (row_height - len(lines) * LINE_HEIGHT) // 2 + LINE_HEIGHT - 4
        bars.append(
            Bar(
                label=label,
                lines=tuple(
                    LabelLine(text, first + n * LINE_HEIGHT) for n, text in enumerate(lines)
                ),
                shown=shown,
                y=y,
                width=width,
                text_x=LABEL_WIDTH + width + 6,
                text_y=y + BAR_HEIGHT - 6,
                suppressed=suppressed,
            )
        )
    return BarChart(
        title=title,
        width=WIDTH,
        height=GAP + len(items) * (row_height + GAP),
        label_width=LABEL_WIDTH,
        bar_height=BAR_HEIGHT,
        bars=tuple(bars),
    )


def wrap_label(label: str) -> list[str]:
    """`label` in lines of at most MAX_LINE_CHARS, broken at spaces; at most MAX_LINES, the
    last ending in an ellipsis if the label is longer still."""
    lines: list[str] = []
    words = label.split()
    while words and len(lines) < MAX_LINES:
        line = words.pop(0)
        while words and len(line) + 1 + len(words[0]) <= MAX_LINE_CHARS:
            line += " " + words.pop(0)
        lines.append(_clip(line))  # a single word longer than a line
    if words:
        last = lines[-1]
        while len(last) + 2 > MAX_LINE_CHARS and " " in last:
            last = last.rsplit(" ", 1)[0]  # room for the ellipsis after a whole word
        lines[-1] = _clip(last + " …")
    return lines or [""]


def _clip(text: str) -> str:
    if len(text) <= MAX_LINE_CHARS:
        return text
    return text[: MAX_LINE_CHARS - 1].rstrip() + "…"


# Line charts: one line per group over the months. GOV.UK palette colours, each also drawn with
# its own marker shape and named in the legend, so colour is never the only cue.
LINE_COLOURS = ("#1d70b8", "#d4351c", "#00703c", "#4c2c92", "#f47738", "#505a5f")
LINE_WIDTH = 400
PLOT_LEFT = 40
PLOT_TOP = 10
PLOT_HEIGHT = 160
AXIS_SPACE = 40
LEGEND_LINE = 18


@dataclass(frozen=True)
class Point:
    x: int
    y: int
    shown: Shown


@dataclass(frozen=True)
class Series:
    label: str
    colour: str
    dashes: str
    segments: tuple[str, ...]  # SVG polyline points, broken where a figure is hidden
    points: tuple[Point, ...]
    hidden: tuple[Point, ...]  # where a 'c' is marked on the axis
    legend_y: int


@dataclass(frozen=True)
class LineChart:
    title: str
    width: int
    height: int
    plot_left: int
    plot_right: int
    plot_bottom: int
    top_value: int
    x_labels: tuple[Point, ...]
    series: tuple[Series, ...]


def line_chart(title: str, groups: tuple[str, ...], rows) -> LineChart:
    """`rows`: one per month (label, then a value per group). 'z' months are left off the line,
    'c' breaks it and is marked under the axis."""
    values = [[row.values[g] for row in rows] for g in range(len(groups))]
    numbers = [v for series in values for v in series if isinstance(v, int)]
    top = max(numbers, default=0) or 1
    plot_right = LINE_WIDTH - 20  # room for the last month's name
    step = (plot_right - PLOT_LEFT) / max(len(rows) - 1, 1)
    bottom = PLOT_TOP + PLOT_HEIGHT
    x_labels = tuple(
        Point(round(PLOT_LEFT + n * step), bottom + 16, row.label[:3]) for n, row in enumerate(rows)
    )
    series = []
    legend_top = bottom + AXIS_SPACE
    for g, label in enumerate(groups):
        segments, current, points, hidden = [], [], [], []
        for n, shown in enumerate(values[g]):
            x = round(PLOT_LEFT + n * step)
            if isinstance(shown, int):
                y = round(bottom - PLOT_HEIGHT * shown / top)
                current.append(f"{x},{y}")
                points.append(Point(x, y, shown))
                continue
            if shown == SUPPRESSED:
                # Each group's 'c' on its own line above the axis, in the group's colour.
                hidden.append(Point(x, bottom - 4 - 11 * g, shown))
            if current:
                segments.append(" ".join(current))
            current = []
        if current:
            segments.append(" ".join(current))
        series.append(
            Series(
                label=label,
                colour=LINE_COLOURS[g % len(LINE_COLOURS)],
                dashes="" if g < len(LINE_COLOURS) else "4 2",
                segments=tuple(segments),
                points=tuple(points),
                hidden=tuple(hidden),
                legend_y=legend_top + g * LEGEND_LINE,
            )
        )
    return LineChart(
        title=title,
        width=LINE_WIDTH,
        height=legend_top + len(groups) * LEGEND_LINE,
        plot_left=PLOT_LEFT,
        plot_right=plot_right,
        plot_bottom=bottom,
        top_value=top,
        x_labels=x_labels,
        series=tuple(series),
    )
