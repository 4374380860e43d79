"""Stage diagrams from the stage tables: graphviz through transitions' GraphMachine, and the
hand-drawn fallback when dot is missing; the current state highlighted in both."""

from __future__ import annotations

import os
import shutil
import xml.etree.ElementTree as ET

import pytest

from api.ui import diagrams
from api.ui.diagrams import ACTIVE_FILL, fallback_svg, graphviz_svg, stage_diagram
from api.ui.i18n import label
from domain.stages import COMPLAINT, HANDOFF, PROCEEDING, TABLES

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def dot():
    if shutil.which("dot") is None:
        if os.environ.get("CI"):
            pytest.fail("graphviz's dot is not installed; CI must draw the diagrams with it")
        pytest.skip("graphviz's dot is not installed (apt-get install graphviz)")


def test_graphviz_highlights_the_current_state_and_labels_every_state(dot):
    svg = graphviz_svg(PROCEEDING, "ACTIVE", "zh")
    ET.fromstring(svg)
    for state in PROCEEDING.states:
        assert label("zh", "proceeding", state) in svg
    assert f'fill="{ACTIVE_FILL}"' in svg
    assert svg.count(f'fill="{ACTIVE_FILL}"') == 1


def test_graphviz_labels_the_steps_in_the_language_asked(dot):
    svg = graphviz_svg(HANDOFF, "RECEIVED", "en")
    assert "Return for supplement" in svg and "Accept" in svg
    assert "签收" not in svg


def test_the_fallback_draws_every_state_and_highlights_the_current_one():
    svg = fallback_svg(COMPLAINT, "IN_HANDLING", "zh")
    root = ET.fromstring(svg)
    active = [g for g in root.iter(f"{SVG}g") if "active" in g.get("class", "")]
    assert len(active) == 1
    assert active[0].find(f"{SVG}rect").get("fill") == ACTIVE_FILL
    assert active[0].find(f"{SVG}text").text == label("zh", "complaint", "IN_HANDLING")
    texts = {t.text for t in root.iter(f"{SVG}text")}
    assert {label("zh", "complaint", s) for s in COMPLAINT.states} <= texts
    assert label("zh", "trigger.complaint", "submit_reply") in " ".join(filter(None, texts))


@pytest.mark.parametrize("table", TABLES.values(), ids=lambda t: t.name)
def test_every_table_draws_in_every_state(table):
    for state in table.states:
        ET.fromstring(fallback_svg(table, state, "en"))


def test_a_missing_dot_gives_the_fallback_instead_of_an_error(monkeypatch):
    def no_dot(*args, **kwargs):
        raise FileNotFoundError("dot")

    monkeypatch.setattr(diagrams, "graphviz_svg", no_dot)
    diagrams._cached.cache_clear()
    try:
        drawn = stage_diagram(HANDOFF, "REQUESTED", "zh")
    finally:
        diagrams._cached.cache_clear()
    assert drawn.engine == "fallback"
    assert "fallback" in drawn.svg
