"""Stage diagrams drawn from the stage tables, with the current state highlighted.

The tables in :mod:`domain.stages` are the one source: each is loaded into a ``transitions``
``GraphMachine`` (its diagrams extension, graphviz backend) with catalogue labels, the current state
set as the model's state, and rendered by graphviz's ``dot`` to SVG. Where ``dot`` is not installed,
:func:`fallback_svg` lays the same table out in columns by distance from the initial state, so a page
never fails for want of a diagram. Results are cached per table, state and language.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass
from functools import lru_cache
from html import escape

import structlog
from transitions import State, Transition
from transitions.extensions.diagrams import GraphMachine

from api.ui.i18n import label, translate
from domain.stages import StageTable

log = structlog.get_logger(__name__)

FONT = "Noto Sans CJK SC, Source Han Sans SC, PingFang SC, Microsoft YaHei, sans-serif"
ACTIVE_FILL, ACTIVE_TEXT, ACTIVE_LINE = "#1f5fa8", "#ffffff", "#123e70"
NODE_FILL, NODE_LINE, TERMINAL_FILL, TEXT = "#ffffff", "#7b8794", "#eef1f4", "#1b2733"


@dataclass(frozen=True)
class Diagram:
    svg: str
    engine: str  # "graphviz" or "fallback"


class _LabelledState(State):
    def __init__(self, *args: object, label: str | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.label = label


class _LabelledTransition(Transition):
    def __init__(self, *args: object, label: str | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.label = label


class _StageGraph(GraphMachine):
    state_cls = _LabelledState
    transition_cls = _LabelledTransition
    machine_attributes = {"directed": "true", "strict": "false", "rankdir": "LR", "fontname": FONT,
                          "bgcolor": "transparent", "nodesep": "0.35", "ranksep": "0.55", "pad": "0.1"}
    style_attributes = {
        "node": {
            "": {},
            "default": {"style": "rounded,filled", "shape": "rectangle", "fillcolor": NODE_FILL, "color": NODE_LINE,
                        "fontcolor": TEXT, "fontname": FONT, "fontsize": "12", "peripheries": "1"},
            "active": {"color": ACTIVE_LINE, "fillcolor": ACTIVE_FILL, "fontcolor": ACTIVE_TEXT, "penwidth": "2.5",
                       "peripheries": "1"},
            "previous": {"color": NODE_LINE, "fillcolor": NODE_FILL},
            "inactive": {"color": NODE_LINE, "fillcolor": NODE_FILL},
            "parallel": {"color": NODE_LINE, "fillcolor": NODE_FILL},
        },
        "edge": {
            "": {},
            "default": {"color": "#8a96a3", "fontname": FONT, "fontsize": "10", "fontcolor": "#3b4754"},
            "previous": {"color": "#8a96a3"},
        },
        "graph": {
            "": {},
            "default": {"color": "#8a96a3", "fillcolor": "white", "style": "solid", "fontname": FONT},
            "previous": {"color": "#8a96a3"},
            "active": {"color": "#8a96a3"},
            "parallel": {"color": "#8a96a3"},
        },
    }


class _Model:
    """The object whose state the graph highlights; nothing else is attached to it."""


def stage_diagram(table: StageTable, current: str | None, language: str) -> Diagram:
    """``table`` drawn with ``current`` highlighted, labelled in ``language``."""
    return _cached(table, current, language)


@lru_cache(maxsize=512)
def _cached(table: StageTable, current: str | None, language: str) -> Diagram:
    try:
        return Diagram(graphviz_svg(table, current, language), "graphviz")
    except Exception as error:  # noqa: BLE001 - dot missing or failing must not break the page
        log.warning("diagram_fallback", table=table.name, error_type=type(error).__name__)
        return Diagram(fallback_svg(table, current, language), "fallback")


def graphviz_svg(table: StageTable, current: str | None, language: str) -> str:
    """Render through ``transitions``' GraphMachine and graphviz ``dot``; raises if ``dot`` is missing."""
    model = _Model()
    machine = _StageGraph(
        model=model,
        states=[{"name": state, "label": label(language, table.name, state)} for state in table.states],
        transitions=[
            {"trigger": trigger, "source": list(source) if isinstance(source, tuple) else source, "dest": dest,
             "label": label(language, f"trigger.{table.name}", trigger)}
            for trigger, source, dest in table.transitions
        ],
        initial=current if current in table.states else table.initial,
        auto_transitions=False,
        graph_engine="graphviz",
        show_state_attributes=False,
        title="",
    )
    graph = model.get_graph()
    for state in table.terminal:
        if state != current:
            graph.node(state, fillcolor=TERMINAL_FILL, peripheries="2")
    if current not in table.states:
        graph.node(table.initial, **_StageGraph.style_attributes["node"]["default"])
    raw = graph.pipe(format="svg").decode("utf-8")
    return _inline(raw, _caption(table, current, language))


def _caption(table: StageTable, current: str | None, language: str) -> str:
    if current in table.states:
        return f"{translate(language, 'Stage diagram')}: {label(language, table.name, current)}"
    return translate(language, "Stage diagram")


def _inline(svg: str, caption: str) -> str:
    """Make dot's standalone SVG fit inline: no prolog, scalable, one accessible title."""
    body = svg[svg.index("<svg"):]
    body = re.sub(r"<!--.*?-->", "", body, flags=re.S)
    body = re.sub(r"<title>.*?</title>", "", body, flags=re.S)
    body = re.sub(r'\s(width|height)="[^"]*pt"', "", body, count=2)
    return body.replace(
        "<svg", f'<svg class="stage-diagram" role="img" aria-label="{escape(caption, quote=True)}"', 1
    ).replace(">", f"><title>{escape(caption)}</title>", 1)


# --------------------------------------------------------------------------- without graphviz

NODE_W, NODE_H, COLUMN_GAP, ROW_GAP, MARGIN = 150, 40, 70, 28, 16


def _columns(table: StageTable) -> dict[str, int]:
    """Each open state's distance from the initial state; the terminal (and unreached) ones come last."""
    edges: dict[str, list[str]] = {state: [] for state in table.states}
    for _, source, dest in table.transitions:
        for src in source if isinstance(source, tuple) else (source,):
            if dest:
                edges[src].append(dest)
    depth = {table.initial: 0}
    queue = deque([table.initial])
    while queue:
        state = queue.popleft()
        for following in edges[state]:
            if following not in depth:
                depth[following] = depth[state] + 1
                queue.append(following)
    last = max((d for s, d in depth.items() if s not in table.terminal), default=0) + 1
    return {state: last if state in table.terminal or state not in depth else depth[state]
            for state in table.states}


def fallback_svg(table: StageTable, current: str | None, language: str) -> str:
    """The table laid out by hand: columns by distance from the initial state, terminal states last.

    Only the steps open from the current state carry their labels (and are drawn in blue), so the
    drawing stays legible without a layout engine.
    """
    columns = _columns(table)
    rows: dict[int, int] = {}
    place: dict[str, tuple[float, float]] = {}
    for state in table.states:
        column = columns[state]
        row = rows.get(column, 0)
        rows[column] = row + 1
        place[state] = (MARGIN + column * (NODE_W + COLUMN_GAP), MARGIN + 20 + row * (NODE_H + ROW_GAP))
    width = MARGIN * 2 + (max(columns.values()) + 1) * (NODE_W + COLUMN_GAP) - COLUMN_GAP
    height = MARGIN * 2 + 20 + max(rows.values()) * (NODE_H + ROW_GAP)
    caption = _caption(table, current, language)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="stage-diagram fallback" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{escape(caption, quote=True)}" font-family="{escape(FONT, quote=True)}">',
        f"<title>{escape(caption)}</title>",
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#b7c0c9"/></marker>'
        '<marker id="arrow-open" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
        f'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{ACTIVE_FILL}"/></marker></defs>',
        f'<text x="{MARGIN}" y="{MARGIN + 4}" font-size="11" fill="#5b6770">'
        f'{escape(translate(language, "Diagram drawn without graphviz (dot is not installed)."))}</text>',
    ]
    steps: dict[tuple[str, str], list[str]] = {}
    for trigger, source, dest in table.transitions:
        for src in source if isinstance(source, tuple) else (source,):
            steps.setdefault((src, dest or src), []).append(label(language, f"trigger.{table.name}", trigger))
    for (src, dest), names in steps.items():
        open_now = src == current
        parts.append(_edge(place[src], place[dest], " / ".join(names) if open_now else "", open_now))
    for state in table.states:
        x, y = place[state]
        active = state == current
        fill = ACTIVE_FILL if active else TERMINAL_FILL if state in table.terminal else NODE_FILL
        stroke = ACTIVE_LINE if active else NODE_LINE
        parts.append(
            f'<g class="node{" active" if active else ""}"><rect x="{x}" y="{y}" width="{NODE_W}" height="{NODE_H}" '
            f'rx="8" fill="{fill}" stroke="{stroke}" stroke-width="{2.5 if active else 1}"/>'
            f'<text x="{x + NODE_W / 2}" y="{y + NODE_H / 2 + 4}" text-anchor="middle" font-size="12" '
            f'fill="{ACTIVE_TEXT if active else TEXT}">{escape(label(language, table.name, state))}</text></g>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _edge(start: tuple[float, float], end: tuple[float, float], text: str, emphasised: bool) -> str:
    (x1, y1), (x2, y2) = start, end
    if (x1, y1) == (x2, y2):  # a step that keeps the state: a small loop above the box
        cx, top = x1 + NODE_W / 2, y1
        path = f"M{cx - 12},{top} C{cx - 24},{top - 22} {cx + 24},{top - 22} {cx + 12},{top}"
        mid = (cx, top - 20)
    else:
        forward = x2 > x1
        sx, sy = (x1 + NODE_W, y1 + NODE_H / 2) if forward else (x1, y1 + NODE_H / 2)
        ex, ey = (x2, y2 + NODE_H / 2) if forward else (x2 + NODE_W, y2 + NODE_H / 2)
        if x1 == x2:  # same column: arc out to the right
            sx, ex = x1 + NODE_W, x2 + NODE_W
            bend = 40
            path = f"M{sx},{sy} C{sx + bend},{sy} {ex + bend},{ey} {ex},{ey}"
            mid = (sx + bend * 0.75, (sy + ey) / 2)
        else:
            bend = 0 if forward else 30
            path = f"M{sx},{sy} Q{(sx + ex) / 2},{(sy + ey) / 2 - bend} {ex},{ey}"
            mid = ((sx + ex) / 2, (sy + ey) / 2 - bend / 2)
    colour, marker = (ACTIVE_FILL, "arrow-open") if emphasised else ("#b7c0c9", "arrow")
    drawn = (f'<path d="{path}" fill="none" stroke="{colour}" stroke-width="{1.6 if emphasised else 1}" '
             f'marker-end="url(#{marker})"/>')
    if not text:
        return drawn
    return drawn + (
        f'<text x="{mid[0]:.1f}" y="{mid[1] - 3:.1f}" text-anchor="middle" font-size="11" fill="{ACTIVE_LINE}" '
        f'paint-order="stroke" stroke="#ffffff" stroke-width="3">{escape(text)}</text>'
    )
