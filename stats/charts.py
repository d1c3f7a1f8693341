"""Server-drawn SVG bar charts: geometry worked out here, drawn by templates/stats/_bar_chart.html.

No JavaScript and no inline styles (the CSP forbids them); SVG presentation attributes only.
A suppressed figure is drawn as an empty outline marked 'c', a zero as no bar marked 0.
"""

from __future__ import annotations

from dataclasses import dataclass

from .suppression import Shown

WIDTH = 640
LABEL_WIDTH = 210
VALUE_SPACE = 50
BAR_HEIGHT = 22
GAP = 8
MAX_LABEL_CHARS = 30
SUPPRESSED_MARK_WIDTH = 18


@dataclass(frozen=True)
class Bar:
    label: str
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


def bar_chart(title: str, items: list[tuple[str, Shown]]) -> BarChart:
    numbers = [shown for _, shown in items if isinstance(shown, int)]
    largest = max(numbers, default=0) or 1
    plot_width = WIDTH - LABEL_WIDTH - VALUE_SPACE
    bars = []
    for index, (label, shown) in enumerate(items):
        y = GAP + index * (BAR_HEIGHT + GAP)
        suppressed = not isinstance(shown, int)
        width = SUPPRESSED_MARK_WIDTH if suppressed else round(plot_width * shown / largest)
        bars.append(
            Bar(
                label=_short(label),
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
        height=GAP + len(items) * (BAR_HEIGHT + GAP),
        label_width=LABEL_WIDTH,
        bar_height=BAR_HEIGHT,
        bars=tuple(bars),
    )


def _short(label: str) -> str:
    return label if len(label) <= MAX_LABEL_CHARS else label[: MAX_LABEL_CHARS - 1] + "…"
