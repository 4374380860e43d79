"""Replay determinism: the store gives back exactly the state the commands built, at every version."""

from __future__ import annotations

import functools
from dataclasses import replace

import pytest

from dispute_engine.bootstrap import bootstrap
from dispute_engine.demo import MEDIATOR_STAFF, run_story
from domain.dispute import Dispute


def _state(aggregate) -> dict:
    return {k: v for k, v in aggregate.__dict__.items() if k != "_pending_events"}


def test_state_rebuilt_from_the_store_equals_the_state_in_memory(engine):
    result = run_story(engine)
    app = engine.app
    stored_events = list(app.events.get(app.load(Dispute, result.dispute_id).id))
    replayed = functools.reduce(lambda agg, event: event.mutate(agg), stored_events, None)
    assert _state(replayed) == _state(app.load(Dispute, result.dispute_id))


def test_get_version_n_gives_the_state_after_event_n(engine):
    app = engine.app
    result = run_story(engine)
    events = list(app.events.get(app.load(Dispute, result.dispute_id).id))
    for n in range(1, len(events) + 1):
        expected = functools.reduce(lambda agg, event: event.mutate(agg), events[:n], None)
        assert _state(app.load(Dispute, result.dispute_id, version=n)) == _state(expected)
    early = app.load(Dispute, result.dispute_id, version=3)
    assert [p["kind"] for p in early.proceedings] == ["MEDIATION"]
    assert early.stage == "OPEN"


def test_state_as_of_a_moment_is_the_version_recorded_by_then(engine):
    app = engine.app
    result = run_story(engine)
    history = app.history(result.dispute_id)
    moment = history[6].recorded_at
    assert app.version_as_of(result.dispute_id, moment) == history[6].version


def test_snapshots_change_nothing(settings, clock):
    """Snapshot every 3 events: loading from snapshots gives the same state as full replay."""
    snapshotting = replace(settings, snapshot_interval=3)
    with bootstrap(snapshotting, clock=clock) as engine:
        result = run_story(engine)
        app = engine.app
        dispute_id = app.load(Dispute, result.dispute_id).id
        assert app.snapshots is not None
        snapshots = list(app.snapshots.get(dispute_id))
        assert len(snapshots) >= 5
        from_snapshot = app.load(Dispute, result.dispute_id)
        events = list(app.events.get(dispute_id))
        full = functools.reduce(lambda agg, event: event.mutate(agg), events, None)
        assert _state(from_snapshot) == _state(full)
        # As-of-version reads agree too, including versions between snapshots.
        for n in (1, 4, 7, len(events)):
            replayed = functools.reduce(lambda agg, event: event.mutate(agg), events[:n], None)
            assert _state(app.load(Dispute, result.dispute_id, version=n)) == _state(replayed)


def test_concurrent_commands_on_one_case_are_all_applied(engine):
    """Without an expected version, racing commands are retried on fresh state and none is lost."""
    import threading

    app = engine.app
    result = run_story(engine)
    dispute_id = result.dispute_id
    app.dispute_command(dispute_id, "reopen", {"reason": "enforcement follow-up"}, actor=MEDIATOR_STAFF)
    start_version = app.load(Dispute, dispute_id).version
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            for i in range(5):
                app.dispute_command(dispute_id, "assign_caseworker", {"caseworker": f"staff-{n}-{i}"},
                                    actor=MEDIATOR_STAFF)
        except BaseException as error:  # noqa: BLE001
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    events = list(app.events.get(app.load(Dispute, dispute_id).id))
    assert [e.originator_version for e in events] == list(range(1, len(events) + 1))
    assert app.load(Dispute, dispute_id).version == start_version + 20


def test_stale_expected_version_is_refused_and_records_nothing(engine):
    from domain.errors import StaleVersion

    app = engine.app
    result = run_story(engine)
    app.dispute_command(result.dispute_id, "reopen", {"reason": "x"}, actor=MEDIATOR_STAFF)
    current = app.load(Dispute, result.dispute_id).version
    with pytest.raises(StaleVersion) as stale:
        app.dispute_command(result.dispute_id, "assign_caseworker", {"caseworker": "someone"},
                            actor=MEDIATOR_STAFF, expected_version=current - 1)
    assert stale.value.current == current
    assert app.load(Dispute, result.dispute_id).version == current
