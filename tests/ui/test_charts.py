"""Server-side SVG charts: well formed, accessible, proportional, escaped."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from api.ui.charts import Series, bar_chart, line_chart, nice_ceiling, ticks

SVG = "{http://www.w3.org/2000/svg}"


def _bars(svg: str, series: int) -> list[ET.Element]:
    return [e for e in ET.fromstring(svg).iter(f"{SVG}rect") if f"series-{series}" in e.get("class", "")
            and "bar" in e.get("class", "")]


@pytest.mark.parametrize(("value", "expected"), [(0, 1), (1, 1), (3, 5), (7, 10), (12, 20), (180, 200), (0.3, 0.5)])
def test_the_value_axis_ends_on_a_nice_number(value, expected):
    assert nice_ceiling(value) == pytest.approx(expected)


def test_ticks_run_from_zero_to_the_top_in_round_steps():
    assert ticks(20) == [0, 5, 10, 15, 20]
    assert ticks(1) == [0, 0.2, 0.4, 0.6, 0.8, 1.0]


def test_bar_heights_are_proportional_to_the_values():
    svg = bar_chart(["一月", "二月", "三月"], [Series("受理", [2, 4, 8])], title="受理量")
    heights = [float(r.get("height")) for r in _bars(svg, 0)]
    assert heights[1] == pytest.approx(heights[0] * 2)
    assert heights[2] == pytest.approx(heights[0] * 4)


def test_a_chart_names_every_value_for_screen_readers():
    svg = bar_chart(["一月", "二月"], [Series("受理", [3, 5]), Series("结案", [1, 2])], title="每月受理", chart_id="c1")
    root = ET.fromstring(svg)
    assert root.get("role") == "img" and root.get("aria-labelledby") == "c1-t c1-d"
    assert root.find(f"{SVG}title").text == "每月受理"
    assert "受理 — 一月: 3, 二月: 5" in root.find(f"{SVG}desc").text


def test_labels_are_escaped():
    svg = bar_chart(['<script>&"'], [Series("a<b", [1])], title="x & y")
    ET.fromstring(svg)  # still well formed
    assert "<script>" not in svg and "&lt;script&gt;" in svg


def test_horizontal_bars_stack_their_series_in_proportion():
    svg = bar_chart(["调解", "仲裁"], [Series("在办", [5, 10]), Series("已结", [5, 0], colour="#999999")], title="t",
                    horizontal=True)
    open_, closed = _bars(svg, 0), _bars(svg, 1)
    assert float(open_[1].get("width")) == pytest.approx(float(open_[0].get("width")) * 2)
    assert float(closed[0].get("x")) == pytest.approx(float(open_[0].get("x")) + float(open_[0].get("width")))
    assert closed[0].get("fill") == "#999999" and len(closed) == 1  # a zero draws nothing


def test_counts_get_whole_number_ticks():
    svg = bar_chart(["a"], [Series("s", [1])], title="t", whole=True)
    assert re.findall(r'class="axis">([0-9.]+)</text>', svg) == ["0", "1"]


def test_a_line_has_one_point_per_category_and_lower_values_sit_lower():
    svg = line_chart(["W1", "W2", "W3"], [Series("工单", [1, 4, 2])], title="t")
    root = ET.fromstring(svg)
    line = next(root.iter(f"{SVG}polyline"))
    points = [tuple(map(float, p.split(","))) for p in line.get("points").split()]
    assert len(points) == 3
    assert points[1][1] < points[2][1] < points[0][1]  # SVG y grows downwards


def test_empty_and_all_zero_data_draw_an_empty_chart():
    for svg in (bar_chart([], [], title="空"), line_chart(["a"], [Series("s", [0])], title="零"),
                bar_chart(["a"], [Series("s", [0])], title="零", horizontal=True)):
        ET.fromstring(svg)


def test_crowded_axis_labels_are_thinned_out():
    months = [f"2026年{m}月" for m in range(1, 13)]
    svg = bar_chart(months, [Series("s", list(range(12)))], title="t", width=400)
    shown = [m for m in months if re.search(rf">{m}</text>", svg)]
    assert 1 < len(shown) < 12
