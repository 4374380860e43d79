"""Durability settings of the event store, asserted on the connections the engine actually writes with."""

from __future__ import annotations

from dispute_engine.bootstrap import bootstrap


def test_the_event_store_writes_durably(settings):
    with bootstrap(settings) as engine:
        with engine.app.recorder.datastore.transaction(commit=False) as cursor:
            if settings.postgres is None:
                cursor.execute("PRAGMA journal_mode")
                assert cursor.fetchone()[0] == "wal"
                cursor.execute("PRAGMA synchronous")
                assert cursor.fetchone()[0] == 2  # FULL: a commit is on disk before it is acknowledged
            else:
                cursor.execute("SHOW fsync")
                assert cursor.fetchone()["fsync"] == "on"
                cursor.execute("SHOW synchronous_commit")
                assert cursor.fetchone()["synchronous_commit"] == "on"
