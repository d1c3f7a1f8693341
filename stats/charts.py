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
