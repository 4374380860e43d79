"""Table-level properties of the stage tables in domain/stages.py.

The oracle is each table's own declared tuples (``declared_triggers`` and the helpers below),
read independently of the ``transitions`` machine that :func:`next_stage` consults.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import CommandNotAllowed
from domain.stages import TABLES, StageTable, next_stage
from helpers import declared_triggers

TABLE_NAMES = sorted(TABLES)


def sources_of(source: str | tuple[str, ...]) -> tuple[str, ...]:
    return source if isinstance(source, tuple) else (source,)


def declared_destination(table: StageTable, state: str, trigger: str) -> str | None:
    """Where the table's tuples send ``trigger`` from ``state`` (None when they do not allow it)."""
    for name, sources, dest in table.transitions:
        if name == trigger and state in sources_of(sources):
            return state if dest is None else dest
    return None


def all_triggers(table: StageTable) -> list[str]:
    return sorted({trigger for trigger, _, _ in table.transitions})


def reachable(table: StageTable) -> set[str]:
    seen, frontier = {table.initial}, [table.initial]
    while frontier:
        state = frontier.pop()
        for trigger in all_triggers(table):
            dest = declared_destination(table, state, trigger)
            if dest is not None and dest not in seen:
                seen.add(dest)
                frontier.append(dest)
    return seen


@pytest.mark.parametrize("name", TABLE_NAMES)
def test_every_transition_names_only_declared_states(name):
    table = TABLES[name]
    used = {state for _, sources, dest in table.transitions for state in (*sources_of(sources), dest) if state}
    assert used <= set(table.states)
    assert table.initial in table.states
    assert table.terminal <= set(table.states)


@pytest.mark.parametrize("name", TABLE_NAMES)
def test_every_state_is_reachable_from_the_initial_state(name):
    table = TABLES[name]
    assert set(table.states) - reachable(table) == set()


@pytest.mark.parametrize("name", TABLE_NAMES)
def test_terminal_states_have_no_outgoing_triggers(name):
    table = TABLES[name]
    leaving = {state: table.triggers_from(state) for state in sorted(table.terminal) if table.triggers_from(state)}
    assert leaving == {}


@pytest.mark.parametrize("name", TABLE_NAMES)
def test_allowed_triggers_of_every_state_are_those_the_table_declares(name):
    table = TABLES[name]
    assert {s: table.triggers_from(s) for s in table.states} == {s: declared_triggers(table, s) for s in table.states}


@pytest.mark.parametrize("name", TABLE_NAMES)
def test_next_stage_follows_every_declared_pair(name):
    table = TABLES[name]
    wrong = {}
    for state in table.states:
        for trigger in declared_triggers(table, state):
            got = next_stage(table, state, trigger, what="the subject")
            if got != declared_destination(table, state, trigger):
                wrong[(state, trigger)] = got
    assert wrong == {}


@pytest.mark.parametrize("name", TABLE_NAMES)
def test_next_stage_refuses_every_undeclared_pair_listing_exactly_the_allowed_triggers(name):
    table = TABLES[name]
    wrong = {}
    for state in table.states:
        for trigger in all_triggers(table):
            if trigger in declared_triggers(table, state):
                continue
            try:
                got = next_stage(table, state, trigger, what="the subject")
            except CommandNotAllowed as error:
                if (error.state, error.allowed) != (state, table.triggers_from(state)):
                    wrong[(state, trigger)] = (error.state, error.allowed)
            else:
                wrong[(state, trigger)] = f"allowed, to {got}"
    assert wrong == {}


@pytest.mark.parametrize("name", TABLE_NAMES)
def test_next_stage_refuses_an_unknown_trigger(name):
    table = TABLES[name]
    with pytest.raises(CommandNotAllowed) as raised:
        next_stage(table, table.initial, "teleport", what="the subject")
    assert raised.value.allowed == declared_triggers(table, table.initial)


@st.composite
def walks(draw):
    table = TABLES[draw(st.sampled_from(TABLE_NAMES))]
    return table, draw(st.lists(st.sampled_from(all_triggers(table)), max_size=40))


@given(walks())
def test_random_trigger_sequences_never_leave_the_declared_states(walk):
    table, triggers = walk
    state = table.initial
    for trigger in triggers:
        try:
            state = next_stage(table, state, trigger, what="the subject")
        except CommandNotAllowed:
            pass
        assert state in table.states


@given(walks())
def test_random_trigger_sequences_move_only_along_declared_transitions(walk):
    table, triggers = walk
    state = table.initial
    for trigger in triggers:
        expected = declared_destination(table, state, trigger)
        try:
            state = next_stage(table, state, trigger, what="the subject")
        except CommandNotAllowed:
            assert expected is None
        else:
            assert state == expected
