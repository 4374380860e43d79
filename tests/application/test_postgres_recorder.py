"""The PostgreSQL recorder sends a save in one round trip and keeps the library's guarantees.

Each save is atomic, takes the table lock that keeps the log's order the commit order, wakes the
followers with NOTIFY, and leaves its pooled connection clean when it fails.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import psycopg
import pytest
from eventsourcing.persistence import IntegrityError

from dispute_engine.cases import DisputeEngine
from dispute_engine.clock import FixedClock
from dispute_engine.config import Settings
from dispute_engine.demo import MEDIATOR_STAFF
from dispute_engine.postgres_recorder import OneTripPostgresRecorder
from domain.dispute import Dispute
from tests.conftest import make_settings

INTAKE = {
    "summary": "wage arrears", "received_on": "2026-03-02",
    "claimants": [{"person": {"name": "王五"}}], "respondents": [{"organisation": {"name": "某公司"}}],
    "claims": [{"kind": "WAGE", "amount_cny": "100"}],
}


@pytest.fixture
def pg_settings(tmp_path: Path) -> Iterator[Settings]:
    # One pooled connection: a connection a failed save left dirty would be the next save's.
    for settings in make_settings("postgres", tmp_path):
        yield replace(settings, postgres_pool_size=1)


@pytest.fixture
def app(pg_settings: Settings) -> Iterator[DisputeEngine]:
    clock = FixedClock()
    clock.set_local(date(2026, 3, 3))
    engine = DisputeEngine(pg_settings, clock)
    yield engine
    engine.close()


def _connect(settings: Settings) -> psycopg.Connection:
    pg = settings.postgres
    assert pg is not None
    return psycopg.connect(host=pg.host, port=pg.port, dbname=pg.dbname, user=pg.user,
                           password=pg.password or None, autocommit=True)


def _new_dispute(app: DisputeEngine) -> Dispute:
    return app.load(Dispute, app.register_dispute(INTAKE, actor=MEDIATOR_STAFF).id)


def test_the_engine_records_through_the_one_trip_recorder(app):
    assert type(app.recorder) is OneTripPostgresRecorder


def test_a_save_returns_the_notification_ids_it_stored(app):
    dispute = _new_dispute(app)
    for n in range(3):
        dispute.assign_caseworker(f"w{n}", actor=MEDIATOR_STAFF)
    recordings = app.save(dispute)
    ids = [r.notification.id for r in recordings]
    stored = app.recorder.select_notifications(ids[0], 10)
    assert [n.id for n in stored] == ids == list(range(ids[0], ids[0] + 3))
    assert [n.originator_version for n in stored] == [r.domain_event.originator_version for r in recordings]


def test_a_conflicting_save_stores_nothing_and_the_connection_stays_usable(app):
    first, second = _new_dispute(app), _new_dispute(app)
    stale = app.load(Dispute, second.id)
    app.dispute_command(second.id, "assign_caseworker", {"caseworker": "winner"}, actor=MEDIATOR_STAFF)
    head = app.recorder.max_notification_id()
    first.assign_caseworker("lost-with-its-batch", actor=MEDIATOR_STAFF)
    stale.assign_caseworker("loser", actor=MEDIATOR_STAFF)
    with pytest.raises(IntegrityError):
        app.save(first, stale)
    assert app.recorder.max_notification_id() == head
    assert app.load(Dispute, first.id).caseworker != "lost-with-its-batch"
    app.dispute_command(first.id, "assign_caseworker", {"caseworker": "after"}, actor=MEDIATOR_STAFF)
    assert app.load(Dispute, first.id).caseworker == "after"
    # Ids drawn by the rolled-back insert are skipped (a sequence never goes back); no event is lost.
    after = app.recorder.select_notifications(head + 1, 10)
    assert [(n.originator_id, n.originator_version) for n in after] == [(first.id, 2)]


def test_a_save_waits_for_a_concurrent_writers_transaction_to_end(app, pg_settings):
    """The table lock: without it two inserting transactions would run side by side and could commit
    their notification ids out of order."""
    dispute = _new_dispute(app)
    table = f'"{pg_settings.postgres_schema}"."{app.recorder.events_table_name}"'
    locked, released = threading.Event(), threading.Event()

    def hold_lock() -> None:
        with _connect(pg_settings) as other, other.transaction():
            other.execute(f"LOCK TABLE {table} IN ROW EXCLUSIVE MODE")  # what any INSERT holds
            locked.set()
            threading.Event().wait(0.3)
            released.set()

    holder = threading.Thread(target=hold_lock)
    holder.start()
    assert locked.wait(10)
    dispute.assign_caseworker("after-the-lock", actor=MEDIATOR_STAFF)
    app.save(dispute)
    saved_after_release = released.is_set()
    holder.join()
    assert saved_after_release
    assert app.load(Dispute, dispute.id).caseworker == "after-the-lock"


def test_a_save_notifies_the_followers_channel(app, pg_settings):
    dispute = _new_dispute(app)
    datastore = app.recorder.datastore
    assert datastore.pool.max_size == 2
    with datastore.get_connection() as one, datastore.get_connection() as other:  # every pooled connection
        savers = {one.info.backend_pid, other.info.backend_pid}
    with _connect(pg_settings) as listener:
        listener.execute(f'LISTEN "{app.recorder.channel_name}"')
        dispute.assign_caseworker("notify", actor=MEDIATOR_STAFF)
        app.save(dispute)
        # Other schemas on the server share the channel name: wait for this engine's own notification.
        senders: set[int] = set()
        for notification in listener.notifies(timeout=10):
            senders.add(notification.pid)
            if senders & savers:
                break
    assert senders & savers
