"""Loading a case gives exactly the state the library's own repository and projector build.

The engine's repository replays with a plain loop over ``event.mutate`` and, on PostgreSQL, reads the
snapshot and the events after it in one query; neither may change a state, at any version.
"""

from __future__ import annotations

import uuid
from dataclasses import replace

import pytest
from eventsourcing.application import AggregateNotFoundError, Repository, project_aggregate

from dispute_engine.bootstrap import bootstrap
from dispute_engine.demo import run_story
from dispute_engine.replay import ReplayingRepository, replay
from domain.dispute import Dispute


def _state(aggregate) -> dict:
    return {k: v for k, v in aggregate.__dict__.items() if k != "_pending_events"}


def _library_repository(app) -> Repository:
    """The library's own repository over the same stores, with its own projector."""
    return Repository(event_store=app.events, snapshot_store=app.snapshots)


def test_every_version_loads_as_the_library_repository_builds_it(engine):
    app = engine.app
    dispute_id = app.load_id(run_story(engine).dispute_id)
    assert isinstance(app.repository, ReplayingRepository)
    library = _library_repository(app)
    head = app.load(Dispute, dispute_id).version
    for version in (*range(1, head + 1), None):
        assert _state(app.repository.get(dispute_id, version=version)) == _state(
            library.get(dispute_id, version=version))


def test_every_version_loads_as_the_library_builds_it_with_snapshots(settings, clock):
    with bootstrap(replace(settings, snapshot_interval=4), clock=clock) as engine:
        app = engine.app
        dispute_id = app.load_id(run_story(engine).dispute_id)
        snapshot_versions = [s.originator_version for s in app.snapshots.get(dispute_id)]
        assert len(snapshot_versions) >= 3
        library = _library_repository(app)
        events = list(app.events.get(dispute_id))
        for version in (*range(1, len(events) + 1), None):
            loaded = app.load(Dispute, dispute_id, version=version)
            assert _state(loaded) == _state(library.get(dispute_id, version=version))
            assert _state(loaded) == _state(project_aggregate(None, events[:version]))


def test_postgres_reads_snapshot_and_events_in_one_query_and_sqlite_as_the_library_does(engine, store):
    assert (engine.app.repository.read_from_snapshot is not None) == (store == "postgres")


def test_an_unknown_case_or_a_version_before_it_began_is_not_found(engine):
    app = engine.app
    dispute_id = app.load_id(run_story(engine).dispute_id)
    with pytest.raises(AggregateNotFoundError):
        app.repository.get(uuid.uuid4())
    with pytest.raises(AggregateNotFoundError):
        app.repository.get(dispute_id, version=0)


def test_a_projector_given_by_the_caller_is_used(engine):
    app = engine.app
    dispute_id = app.load_id(run_story(engine).dispute_id)
    seen: list[int] = []

    def counting(aggregate, events):
        for event in events:
            seen.append(event.originator_version)
            aggregate = event.mutate(aggregate)
        return aggregate

    app.repository.get(dispute_id, version=5, projector_func=counting)
    assert seen == [1, 2, 3, 4, 5]


def test_replay_applies_events_in_order_like_the_library_projector(engine):
    app = engine.app
    dispute_id = app.load_id(run_story(engine).dispute_id)
    events = list(app.events.get(dispute_id))
    assert _state(replay(None, events)) == _state(project_aggregate(None, events))
    assert replay(None, []) is None
