"""Small server-side SVG charts: grouped bars (vertical or horizontal) and lines, no JavaScript.

Each chart is one ``<svg>`` element, ready to inline in a page: ``role="img"`` with a ``<title>`` and
a ``<desc>`` naming every value, so a screen reader gets the numbers; colours come from CSS classes
(``series-0`` …) with a fill or stroke attribute as fallback for the SVG on its own. Every text is
escaped. The value axis starts at zero and ends on a "nice" number (1, 2 or 5 × 10ⁿ).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

PALETTE = ("#1f5fa8", "#d9822b", "#2e8540", "#b8322f", "#6b4fa0", "#5b6770")
FONT_SIZE = 12


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float]
    colour: str | None = None
    """A colour that carries meaning (red for overdue …); by default the palette's next one."""

    def paint(self, index: int) -> str:
        return self.colour or PALETTE[index % len(PALETTE)]


def _plain(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 5 × 10ⁿ at or above ``value`` (1 for nothing to show)."""
    if value <= 0 or not math.isfinite(value):
        return 1.0
    exponent = math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        candidate = step * 10**exponent
        if candidate >= value * (1 - 1e-12):
            return float(candidate)
    return float(10 ** (exponent + 1))


def ticks(top: float, count: int = 5, *, whole: bool = False) -> list[float]:
    """Evenly spaced ticks from 0 to ``top`` on round values (whole numbers only, for counts)."""
    step = nice_ceiling(top / count)
    if whole:
        step = max(1.0, step)
    values, tick = [], 0.0
    while tick <= top * (1 + 1e-9):
        values.append(round(tick, 10))
        tick += step
    return values


def _attrs(**attributes: object) -> str:
    return " ".join(f'{name.rstrip("_").replace("_", "-")}="{escape(str(value), quote=True)}"'
                    for name, value in attributes.items() if value is not None)


def _text(x: float, y: float, content: str, **attributes: object) -> str:
    return f"<text {_attrs(x=f'{x:.1f}', y=f'{y:.1f}', **attributes)}>{escape(content)}</text>"


def _frame(width: int, height: int, title: str, description: str, body: list[str], chart_id: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-labelledby="{chart_id}-t {chart_id}-d" '
        f'font-size="{FONT_SIZE}">'
        f'<title id="{chart_id}-t">{escape(title)}</title><desc id="{chart_id}-d">{escape(description)}</desc>'
        + "".join(body) + "</svg>"
    )


def _description(categories: Sequence[str], series: Sequence[Series], fmt: Callable[[float], str]) -> str:
    parts = []
    for s in series:
        values = ", ".join(f"{c}: {fmt(v)}" for c, v in zip(categories, s.values, strict=False))
        parts.append(f"{s.name} — {values}")
    return "; ".join(parts)


def _legend(series: Sequence[Series], x: float, y: float, line: bool = False) -> list[str]:
    body, offset = [], 0.0
    for index, s in enumerate(series):
        colour = s.paint(index)
        if line:
            body.append(f'<line class="series-{index}" x1="{x + offset:.1f}" y1="{y - 4:.1f}" '
                        f'x2="{x + offset + 16:.1f}" y2="{y - 4:.1f}" stroke="{colour}" stroke-width="2.5"/>')
        else:
            body.append(f'<rect class="series-{index}" x="{x + offset:.1f}" y="{y - 10:.1f}" width="12" height="12" '
                        f'fill="{colour}" rx="2"/>')
        body.append(_text(x + offset + 20, y, s.name, class_="legend"))
        offset += 20 + FONT_SIZE * _width_in_ems(s.name) + 18
    return body


def _width_in_ems(text: str) -> float:
    """Rough width of ``text`` in ems: CJK characters are square, Latin ones about half."""
    return sum(1.0 if ord(char) > 0x2E80 else 0.55 for char in text)


def _label_stride(categories: Sequence[str], room: float) -> int:
    """Show every n-th category label so that the labels along the axis do not overlap."""
    widest = max((FONT_SIZE * _width_in_ems(c) + 6 for c in categories), default=0)
    return max(1, math.ceil(widest / room)) if room > 0 else 1


def bar_chart(
    categories: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    chart_id: str = "chart",
    width: int = 640,
    height: int = 300,
    horizontal: bool = False,
    whole: bool = False,
    value_format: Callable[[float], str] = _plain,
) -> str:
    """Grouped bars, one group per category and one bar per series; ``whole``: counts, whole-number ticks."""
    description = _description(categories, series, value_format)
    if horizontal:
        return _horizontal_bars(categories, series, title, chart_id, width, value_format, description, whole)
    left, right, top, bottom = 56.0, 16.0, 34.0, 46.0
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max((v for s in series for v in s.values), default=0)
    axis = ticks(nice_ceiling(peak) if peak > 0 else 1, whole=whole)
    scale_top = axis[-1]
    body = _legend(series, left, 18)
    for tick in axis:
        y = top + plot_h - plot_h * tick / scale_top
        body.append(f'<line class="grid" x1="{left:.1f}" y1="{y:.1f}" x2="{left + plot_w:.1f}" y2="{y:.1f}" '
                    f'stroke="#d8dde3" stroke-width="1"/>')
        body.append(_text(left - 6, y + 4, value_format(tick), text_anchor="end", class_="axis"))
    groups = max(len(categories), 1)
    group_w = plot_w / groups
    bar_w = min(36.0, group_w * 0.8 / max(len(series), 1))
    stride = _label_stride(categories, group_w)
    for ci, category in enumerate(categories):
        start = left + ci * group_w + (group_w - bar_w * len(series)) / 2
        for si, s in enumerate(series):
            value = s.values[ci] if ci < len(s.values) else 0
            h = plot_h * value / scale_top
            x, y = start + si * bar_w, top + plot_h - h
            body.append(
                f'<rect class="bar series-{si}" x="{x:.1f}" y="{y:.1f}" width="{bar_w - 2:.1f}" height="{h:.1f}" '
                f'fill="{s.paint(si)}"><title>{escape(f"{category} · {s.name}: {value_format(value)}")}'
                f"</title></rect>"
            )
        if ci % stride == 0:
            body.append(_text(left + ci * group_w + group_w / 2, top + plot_h + 16, category, text_anchor="middle",
                              class_="axis"))
    body.append(f'<line class="axis-line" x1="{left:.1f}" y1="{top + plot_h:.1f}" x2="{left + plot_w:.1f}" '
                f'y2="{top + plot_h:.1f}" stroke="#5b6770" stroke-width="1"/>')
    return _frame(width, height, title, description, body, chart_id)


def _horizontal_bars(categories: Sequence[str], series: Sequence[Series], title: str, chart_id: str, width: int,
                     value_format: Callable[[float], str], description: str, whole: bool) -> str:
    """One bar per category, its series stacked left to right, the total at its end."""
    label_w = max((FONT_SIZE * _width_in_ems(c) for c in categories), default=0) + 16
    left, right, top, row_h = label_w, 56.0, 34.0, 26.0
    height = int(top + row_h * max(len(categories), 1) + 28)
    plot_w = width - left - right
    totals = [sum(s.values[ci] if ci < len(s.values) else 0 for s in series) for ci in range(len(categories))]
    peak = max(totals, default=0)
    scale_top = ticks(nice_ceiling(peak) if peak > 0 else 1, whole=whole)[-1]
    body = _legend(series, left, 18)
    for tick in ticks(scale_top, whole=whole):
        x = left + plot_w * tick / scale_top
        body.append(f'<line class="grid" x1="{x:.1f}" y1="{top:.1f}" x2="{x:.1f}" y2="{height - 24:.1f}" '
                    f'stroke="#d8dde3" stroke-width="1"/>')
        body.append(_text(x, height - 10, value_format(tick), text_anchor="middle", class_="axis"))
    for ci, category in enumerate(categories):
        y = top + ci * row_h + 6
        body.append(_text(left - 8, y + 11, category, text_anchor="end", class_="axis"))
        x = left
        for si, s in enumerate(series):
            value = s.values[ci] if ci < len(s.values) else 0
            w = plot_w * value / scale_top
            if value:
                body.append(
                    f'<rect class="bar series-{si}" x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="15" '
                    f'fill="{s.paint(si)}"><title>{escape(f"{category} · {s.name}: {value_format(value)}")}'
                    f"</title></rect>"
                )
            x += w
        body.append(_text(x + 4, y + 12, value_format(totals[ci]), class_="value"))
    return _frame(width, height, title, description, body, chart_id)


def line_chart(
    categories: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    chart_id: str = "chart",
    width: int = 640,
    height: int = 300,
    y_max: float | None = None,
    whole: bool = False,
    value_format: Callable[[float], str] = _plain,
) -> str:
    """One polyline per series over the categories, with a dot on each point."""
    left, right, top, bottom = 64.0, 36.0, 34.0, 46.0
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max((v for s in series for v in s.values), default=0)
    scale_top = y_max if y_max is not None else ticks(nice_ceiling(peak) if peak > 0 else 1, whole=whole)[-1]
    body = _legend(series, left, 18, line=True)
    for tick in ticks(scale_top, whole=whole):
        y = top + plot_h - plot_h * tick / scale_top
        body.append(f'<line class="grid" x1="{left:.1f}" y1="{y:.1f}" x2="{left + plot_w:.1f}" y2="{y:.1f}" '
                    f'stroke="#d8dde3" stroke-width="1"/>')
        body.append(_text(left - 6, y + 4, value_format(tick), text_anchor="end", class_="axis"))
    count = len(categories)
    step = plot_w / max(count - 1, 1)

    def x_of(index: int) -> float:
        return left + (index * step if count > 1 else plot_w / 2)

    stride = _label_stride(categories, step if count > 1 else plot_w)
    for index, category in enumerate(categories):
        if index % stride == 0:
            body.append(_text(x_of(index), top + plot_h + 16, category, text_anchor="middle", class_="axis"))
    for si, s in enumerate(series):
        colour = s.paint(si)
        points = [(x_of(i), top + plot_h - plot_h * min(v, scale_top) / scale_top) for i, v in enumerate(s.values)]
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            body.append(f'<polyline class="line series-{si}" points="{path}" fill="none" stroke="{colour}" '
                        f'stroke-width="2.5" stroke-linejoin="round"/>')
        for (x, y), category, value in zip(points, categories, s.values, strict=False):
            body.append(f'<circle class="dot series-{si}" cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}">'
                        f"<title>{escape(f'{category} · {s.name}: {value_format(value)}')}</title></circle>")
    body.append(f'<line class="axis-line" x1="{left:.1f}" y1="{top + plot_h:.1f}" x2="{left + plot_w:.1f}" '
                f'y2="{top + plot_h:.1f}" stroke="#5b6770" stroke-width="1"/>')
    return _frame(width, height, title, _description(categories, series, value_format), body, chart_id)
