"""The read-model follower on real stores: SQLite and PostgreSQL (``settings`` fixture)."""

from __future__ import annotations

import math
import os
import signal
import subprocess
import sys
import threading
import time
from bisect import bisect_right
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from uuid import UUID

import pytest
from sqlalchemy import Engine, inspect, select

from dispute_engine.config import Settings
from ledger_app import (
    Account,
    AccountBalances,
    BalancesSnapshot,
    Deposits,
    Expected,
    Ledger,
    OpenedAccounts,
    add_events,
    read_balances,
    read_deposits,
    read_opened,
    record,
)
from projections import tracking
from projections.base import topics_of
from projections.engine import create_read_model_engine
from projections.follower import Follower, Progress
from projections.log import NotificationLog
from projections.reading import ViewNotReady, open_view

WORKER = Path(__file__).with_name("follower_worker.py")
# Bounds on waiting for another thread or process; never asserted on.
PATIENCE = 60.0


@pytest.fixture
def app(settings: Settings) -> Iterator[Ledger]:
    ledger = Ledger(env=settings.eventsourcing_env())
    yield ledger
    ledger.close()


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    read_models = create_read_model_engine(settings)
    yield read_models
    read_models.dispose()


@pytest.fixture
def expected() -> Expected:
    return Expected()


def all_notification_ids(app: Ledger) -> list[int]:
    return [n.id for n in app.recorder.select_notifications(start=None, limit=10**9)]


def check_complete(snapshot: BalancesSnapshot, ids: list[int]) -> None:
    """A view is whole when it counts exactly the events up to its position."""
    processed = bisect_right(ids, snapshot.position)
    assert snapshot.total_events == processed
    assert sum(events for _, _, events in snapshot.accounts.values()) == processed
    assert sum(balance for _, balance, _ in snapshot.accounts.values()) == snapshot.total_balance


def test_incrementally_followed_view_equals_view_rebuilt_from_scratch(app, engine, expected):
    follower = Follower(app, [AccountBalances()], engine, batch_size=70)
    record(app, expected, accounts=40, events_per_account=5, seed=1)
    follower.run_once()
    add_events(app, expected, sorted(expected.accounts)[:25], seed=2)
    record(app, expected, accounts=30, events_per_account=3, seed=3)
    follower.run_once()
    add_events(app, expected, sorted(expected.accounts)[10:60], seed=4)
    follower.run_once()
    incremental = read_balances(engine)

    follower.rebuild("account_balances")
    rebuilt = read_balances(engine)

    assert rebuilt.generation != incremental.generation
    assert rebuilt.accounts == incremental.accounts == expected.accounts
    assert (rebuilt.total_events, rebuilt.total_balance) == (
        incremental.total_events, incremental.total_balance,
    )
    assert rebuilt.position == incremental.position == app.recorder.max_notification_id()


def test_redelivered_batch_changes_nothing(app, engine, expected):
    follower = Follower(app, [AccountBalances()], engine)
    record(app, expected, accounts=10, events_per_account=4)
    follower.run_once()
    add_events(app, expected, sorted(expected.accounts))
    batch = follower.fetch("account_balances")
    assert batch is not None and len(batch.events) == 10
    assert follower.commit(batch)
    delivered_once = read_balances(engine)

    assert not follower.commit(batch)

    assert read_balances(engine) == delivered_once
    assert delivered_once.accounts == expected.accounts


def test_batch_read_by_two_workers_is_applied_by_one(settings, app, engine, expected):
    other_app = Ledger(env=settings.eventsourcing_env())
    other_engine = create_read_model_engine(settings)
    try:
        first = Follower(app, [AccountBalances()], engine)
        second = Follower(other_app, [AccountBalances()], other_engine)
        record(app, expected, accounts=10, events_per_account=3)
        first.run_once()
        add_events(app, expected, sorted(expected.accounts))
        batch_of_first = first.fetch("account_balances")
        batch_of_second = second.fetch("account_balances")
        assert batch_of_first is not None and batch_of_second is not None
        assert batch_of_first.start == batch_of_second.start

        assert first.commit(batch_of_first)
        assert not second.commit(batch_of_second)

        assert read_balances(engine).accounts == expected.accounts
    finally:
        other_engine.dispose()
        other_app.close()


class GatedBalances(AccountBalances):
    """Holds its batch's transaction open until the test opens the gate."""

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.gate = threading.Event()

    def process(self, connection, tables, events):
        super().process(connection, tables, events)
        self.entered.set()
        if not self.gate.wait(PATIENCE):
            raise RuntimeError("the gate was never opened")


def wait_for_a_blocked_tracking_update(engine: Engine) -> None:
    """PostgreSQL: until a tracking UPDATE waits on a lock. SQLite: writers queue on the
    file lock before reading anything, so there is nothing to observe."""
    if engine.dialect.name != "postgresql":
        return
    deadline = time.monotonic() + PATIENCE
    while time.monotonic() < deadline:
        with engine.connect() as connection:
            waiting = connection.exec_driver_sql(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND query LIKE 'UPDATE projection_tracking%%'"
            ).scalar_one()
        if waiting:
            return
        time.sleep(0.01)
    raise AssertionError("the second worker never blocked on the tracking row")


def test_worker_queued_behind_a_batch_in_flight_does_not_apply_it_again(
    settings, app, engine, expected
):
    other_app = Ledger(env=settings.eventsourcing_env())
    other_engine = create_read_model_engine(settings)
    try:
        record(app, expected, accounts=10, events_per_account=3)
        Follower(app, [AccountBalances()], engine).run_once()
        add_events(app, expected, sorted(expected.accounts))
        gated = GatedBalances()
        first = Follower(app, [gated], engine)
        second = Follower(other_app, [AccountBalances()], other_engine)
        batch_of_first = first.fetch("account_balances")
        batch_of_second = second.fetch("account_balances")
        applied: dict[str, bool] = {}
        first_thread = threading.Thread(
            target=lambda: applied.setdefault("first", first.commit(batch_of_first))
        )
        second_thread = threading.Thread(
            target=lambda: applied.setdefault("second", second.commit(batch_of_second))
        )
        first_thread.start()
        assert gated.entered.wait(PATIENCE)
        second_thread.start()
        wait_for_a_blocked_tracking_update(engine)

        gated.gate.set()
        first_thread.join(PATIENCE)
        second_thread.join(PATIENCE)

        assert applied == {"first": True, "second": False}
        assert read_balances(engine).accounts == expected.accounts
    finally:
        other_engine.dispose()
        other_app.close()


def test_two_workers_at_once_build_the_same_view_as_one(settings, app, expected):
    record(app, expected, accounts=300, events_per_account=10)
    workers = []
    for _ in range(2):
        worker_app = Ledger(env=settings.eventsourcing_env())
        worker_engine = create_read_model_engine(settings)
        follower = Follower(worker_app, [AccountBalances()], worker_engine, batch_size=50)
        workers.append((worker_app, worker_engine, follower))
    start = threading.Barrier(2)
    errors: list[BaseException] = []
    handled: list[int] = []

    def work(follower: Follower) -> None:
        try:
            start.wait(PATIENCE)
            handled.append(follower.run_once())
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(f,)) for _, _, f in workers]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(PATIENCE)
        assert errors == []
        assert sum(handled) == expected.events
        snapshot = read_balances(workers[0][1])
        assert snapshot.accounts == expected.accounts
        assert snapshot.total_events == expected.events
    finally:
        for worker_app, worker_engine, _ in workers:
            worker_engine.dispose()
            worker_app.close()


def worker_environment(settings: Settings) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DISPUTE_ENGINE_")}
    env.pop("DATABASE_URL", None)
    env["DISPUTE_ENGINE_DATA"] = str(settings.data_dir)
    if settings.postgres is not None:
        env["DATABASE_URL"] = settings.postgres.sqlalchemy_url()
        env["DISPUTE_ENGINE_POSTGRES_SCHEMA"] = settings.postgres_schema
    return env


def test_follower_killed_mid_batch_resumes_without_gap_or_double_count(
    settings, app, engine, expected, tmp_path
):
    batch_size, stall_at_batch = 40, 3
    follower = Follower(app, [AccountBalances()], engine, batch_size=batch_size)
    record(app, expected, accounts=20, events_per_account=5, seed=1)
    follower.run_once()
    before_crash = read_balances(engine).position
    add_events(app, expected, sorted(expected.accounts), seed=2)
    record(app, expected, accounts=30, events_per_account=5, seed=3)
    marker = tmp_path / "stalled"

    worker = subprocess.Popen(
        [sys.executable, str(WORKER), str(batch_size), str(stall_at_batch), str(marker)],
        env=worker_environment(settings),
    )
    try:
        deadline = time.monotonic() + PATIENCE
        while not marker.exists() and worker.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert marker.exists(), "the worker never reached the batch it should stall in"
        os.kill(worker.pid, signal.SIGKILL)
    finally:
        worker.kill()
        worker.wait(PATIENCE)

    # The two batches before the stalled one were committed; the stalled one was not.
    committed = app.recorder.select_notifications(
        start=before_crash, limit=(stall_at_batch - 1) * batch_size, inclusive_of_start=False
    )
    after_crash = read_balances(engine)
    assert after_crash.position == committed[-1].id
    check_complete(after_crash, all_notification_ids(app))

    follower.run_once()

    resumed = read_balances(engine)
    assert resumed.accounts == expected.accounts
    assert resumed.total_events == expected.events


def test_rebuild_switches_atomically_while_a_reader_reads(app, engine, expected):
    record(app, expected, accounts=100, events_per_account=10)
    ids = all_notification_ids(app)
    Follower(app, [AccountBalances()], engine).run_once()
    seen: list[BalancesSnapshot] = []
    errors: list[BaseException] = []
    stop = threading.Event()
    read_done = threading.Condition()

    def read_continuously() -> None:
        while not stop.is_set():
            try:
                snapshot = read_balances(engine)
            except BaseException as error:  # noqa: BLE001 - reported by the assertion below
                errors.append(error)
                return
            with read_done:
                seen.append(snapshot)
                read_done.notify_all()

    def let_the_reader_read() -> None:
        with read_done:
            reads = len(seen)
            read_done.wait_for(lambda: len(seen) > reads or bool(errors), PATIENCE)

    reader = threading.Thread(target=read_continuously)
    reader.start()
    try:
        rebuilder = Follower(app, [AccountBalances()], engine, batch_size=50)
        rebuilder.rebuild("account_balances", on_progress=lambda _: let_the_reader_read())
        let_the_reader_read()
    finally:
        stop.set()
        reader.join(PATIENCE)

    assert errors == []
    generations = [snapshot.generation for snapshot in seen]
    assert generations[0] == 1 and generations[-1] == 2
    assert generations == sorted(generations)
    assert len(seen) > 1000 // 50
    for snapshot in seen:
        assert snapshot.position == ids[-1]
        assert snapshot.accounts == expected.accounts
        check_complete(snapshot, ids)


def test_reader_keeps_the_old_generation_while_a_rebuild_switches_and_drops_it(
    app, engine, expected
):
    record(app, expected, accounts=20, events_per_account=5)
    Follower(app, [AccountBalances()], engine).run_once()
    rebuilder = Follower(app, [AccountBalances()], engine, batch_size=30)
    rebuild_errors: list[BaseException] = []

    def rebuild() -> None:
        try:
            rebuilder.rebuild("account_balances")
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            rebuild_errors.append(error)

    with engine.begin() as connection:
        tables = open_view(connection, AccountBalances())
        assert tables.generation == 1
        thread = threading.Thread(target=rebuild)
        thread.start()
        deadline = time.monotonic() + PATIENCE
        while time.monotonic() < deadline:
            with engine.begin() as other:
                live = tracking.load(other, "account_balances")
            if live is not None and live.live_generation == 2:
                break
            time.sleep(0.01)
        assert live is not None and live.live_generation == 2

        rows = connection.execute(select(tables.accounts)).all()

    thread.join(PATIENCE)
    assert rebuild_errors == []
    assert {row.account_id: (row.owner, row.balance, row.events) for row in rows} == (
        expected.accounts
    )
    with engine.connect() as connection:
        assert "accounts_g1" not in inspect(connection).get_table_names()
    assert read_balances(engine).generation == 2


class AccountBalancesV2(AccountBalances):
    version = 2


def test_version_bump_rebuilds_beside_the_old_version_and_switches_at_start(
    app, engine, expected
):
    record(app, expected, accounts=30, events_per_account=4)
    Follower(app, [AccountBalances()], engine).run_once()
    during_build: list[tuple[int, type[Exception] | None]] = []

    def look_at_readers(progress: Progress) -> None:
        if progress.rebuilding:
            old_readers = read_balances(engine, AccountBalances())
            try:
                read_balances(engine, AccountBalancesV2())
                new_readers = None
            except ViewNotReady as error:
                new_readers = type(error)
            during_build.append((old_readers.generation, new_readers))

    new_code = Follower(
        app, [AccountBalancesV2()], engine, batch_size=25, on_progress=look_at_readers
    )
    new_code.run_once()

    assert during_build and set(during_build) == {(1, ViewNotReady)}
    upgraded = read_balances(engine, AccountBalancesV2())
    assert upgraded.generation == 2
    assert upgraded.accounts == expected.accounts
    with pytest.raises(ViewNotReady):
        read_balances(engine, AccountBalances())
    with engine.connect() as connection:
        assert "accounts_g1" not in inspect(connection).get_table_names()


def test_switch_waits_while_old_code_keeps_the_live_view_ahead(app, engine, expected):
    record(app, expected, accounts=30, events_per_account=4, seed=1)
    old_code = Follower(app, [AccountBalances()], engine)
    old_code.run_once()

    moved_on: list[bool] = []

    def old_code_moves_on(progress: Progress) -> None:
        if progress.rebuilding and not moved_on:
            moved_on.append(True)
            record(app, expected, accounts=5, events_per_account=4, seed=2)
            old_code.run_once()

    new_code = Follower(
        app, [AccountBalancesV2()], engine, batch_size=25, on_progress=old_code_moves_on
    )
    new_code.run_once()

    still_old = read_balances(engine, AccountBalances())
    assert still_old.generation == 1
    assert still_old.accounts == expected.accounts
    (status,) = new_code.status()
    assert status.rebuild_position is not None and status.rebuild_position < still_old.position

    new_code.run_once()

    upgraded = read_balances(engine, AccountBalancesV2())
    assert upgraded.position == still_old.position
    assert upgraded.accounts == expected.accounts


def test_outdated_code_leaves_a_newer_view_alone(app, engine, expected):
    record(app, expected, accounts=10, events_per_account=3)
    Follower(app, [AccountBalancesV2()], engine).run_once()
    add_events(app, expected, sorted(expected.accounts))

    handled = Follower(app, [AccountBalances()], engine).run_once()

    assert handled == 0
    assert read_balances(engine, AccountBalancesV2()).total_events == expected.events - 10


def test_failing_projection_leaves_view_and_position_unchanged(app, engine, expected):
    class Failing(AccountBalances):
        def process(self, connection, tables, events):
            super().process(connection, tables, events)
            raise RuntimeError("projection bug")

    record(app, expected, accounts=10, events_per_account=3)
    Follower(app, [AccountBalances()], engine).run_once()
    before = read_balances(engine)
    add_events(app, expected, sorted(expected.accounts))

    with pytest.raises(RuntimeError, match="projection bug"):
        Follower(app, [Failing()], engine).run_once()

    assert read_balances(engine) == before


def test_status_reports_position_head_and_lag_of_each_view(app, engine, expected):
    log = NotificationLog.of(app)
    record(app, expected, accounts=20, events_per_account=4, seed=1)
    first_event = log.decode(log.read(0, 1))[0]
    now = first_event.timestamp + timedelta(seconds=42)
    follower = Follower(app, [AccountBalances(), OpenedAccounts()], engine, clock=lambda: now)

    balances, opened = follower.status()
    assert (balances.live_version, balances.position, balances.head) == (None, 0, log.head())
    assert (balances.lag_events, balances.lag_seconds) == (80, 42.0)
    assert (opened.lag_events, opened.lag_seconds) == (20, 42.0)

    follower.run_once()
    processed = log.head()
    record(app, expected, accounts=30, events_per_account=4, seed=2)
    first_unprocessed = log.decode(log.read(processed, 1))[0]
    now = first_unprocessed.timestamp + timedelta(seconds=7)

    balances, opened = follower.status()
    assert (balances.live_version, balances.position, balances.head) == (1, processed, log.head())
    assert (balances.lag_events, balances.lag_seconds) == (120, 7.0)
    assert (opened.position, opened.lag_events, opened.lag_seconds) == (processed, 30, 7.0)

    follower.run_once()

    for view in follower.status():
        assert (view.position, view.head) == (log.head(), log.head())
        assert (view.lag_events, view.lag_seconds) == (0, 0.0)


def test_topic_filtered_view_gets_only_its_events_and_keeps_up_with_the_head(
    app, engine, expected
):
    follower = Follower(app, [OpenedAccounts()], engine)
    record(app, expected, accounts=25, events_per_account=6)
    opened_at = {
        account_id: app.repository.get(UUID(account_id)).created_on
        for account_id in expected.accounts
    }

    handled = follower.run_once()

    assert handled == 25
    assert read_opened(engine) == {
        account_id: (owner, opened_at[account_id])
        for account_id, (owner, _, _) in expected.accounts.items()
    }
    (status,) = follower.status()
    assert status.position == app.recorder.max_notification_id()


class CountingLog(NotificationLog):
    """The application's log, counting what the follower reads and decodes."""

    def __init__(self, app: Ledger) -> None:
        super().__init__(app.recorder, app.mapper)
        self.reads = 0
        self.decoded = 0

    def read(self, after, limit, stop=None, topics=()):
        self.reads += 1
        return super().read(after, limit, stop, topics)

    def decode(self, notifications):
        self.decoded += len(notifications)
        return super().decode(notifications)


def test_views_at_one_position_read_and_decode_each_batch_once(app, engine, expected):
    record(app, expected, accounts=50, events_per_account=4)
    log = CountingLog(app)
    follower = Follower(log, [AccountBalances(), OpenedAccounts()], engine, batch_size=50)

    handled = follower.run_once()

    assert handled == expected.events + len(expected.opened)
    assert (log.reads, log.decoded) == (expected.events // 50, expected.events)
    assert read_balances(engine).accounts == expected.accounts
    assert set(read_opened(engine)) == expected.opened


def test_views_sharing_a_read_get_up_to_batch_size_events_each(app, engine, expected):
    record(app, expected, accounts=50, events_per_account=4)
    shared = app.recorder.select_notifications(
        start=None, limit=10**9, topics=list(topics_of(Account.Opened, Account.Deposited))
    )
    deposited = sum(n.topic in Deposits.topics for n in shared)
    reports: list[Progress] = []
    follower = Follower(app, [OpenedAccounts(), Deposits()], engine, batch_size=20, on_progress=reports.append)

    follower.run_once()

    batches = [r.events for r in reports if r.view == "deposits"]
    assert max(batches) <= 20 and len(batches) < math.ceil(len(shared) / 20)
    assert sum(batches) == read_deposits(engine) == deposited
    assert set(read_opened(engine)) == expected.opened


def test_a_view_another_worker_moved_on_is_left_out_of_a_shared_batch(app, engine, expected):
    record(app, expected, accounts=10, events_per_account=3, seed=1)
    Follower(app, [AccountBalances(), OpenedAccounts()], engine).run_once()
    record(app, expected, accounts=10, events_per_account=3, seed=2)
    other = Follower(app, [OpenedAccounts()], engine)
    moved: list[int] = []

    class OtherWorkerMovesFirst(NotificationLog):
        def decode(self, notifications):
            if not moved:  # between this worker's read and its commit
                moved.append(other.run_once())
            return super().decode(notifications)

    follower = Follower(
        OtherWorkerMovesFirst(app.recorder, app.mapper), [AccountBalances(), OpenedAccounts()], engine
    )
    handled = follower.run_once()

    assert moved == [10] and handled == 30
    assert read_balances(engine).accounts == expected.accounts
    assert set(read_opened(engine)) == expected.opened  # inserted once each, or the insert would fail


def test_a_new_view_is_built_from_the_start_while_the_others_stay_live(app, engine, expected):
    record(app, expected, accounts=20, events_per_account=3, seed=1)
    Follower(app, [AccountBalances()], engine).run_once()
    record(app, expected, accounts=20, events_per_account=3, seed=2)

    Follower(app, [AccountBalances(), OpenedAccounts()], engine, batch_size=25).run_once()

    balances = read_balances(engine)
    assert (balances.generation, balances.accounts) == (1, expected.accounts)
    assert set(read_opened(engine)) == expected.opened


def test_views_rebuilt_together_each_switch_to_a_complete_new_generation(app, engine, expected):
    record(app, expected, accounts=30, events_per_account=4)
    follower = Follower(app, [AccountBalances(), OpenedAccounts()], engine, batch_size=40)
    follower.run_once()
    reports: list[Progress] = []

    handled = follower.rebuild("account_balances", "opened_accounts", on_progress=reports.append)

    assert handled == expected.events + len(expected.opened)
    assert {r.view for r in reports if r.switched} == {"account_balances", "opened_accounts"}
    balances = read_balances(engine)
    assert (balances.generation, balances.accounts) == (2, expected.accounts)
    assert set(read_opened(engine)) == expected.opened
    with engine.connect() as connection:
        names = set(inspect(connection).get_table_names())
    assert not names & {"accounts_g1", "opened_accounts_g1"}


def test_wait_until_returns_once_a_running_follower_has_caught_up(settings, app, engine, expected):
    worker_engine = create_read_model_engine(settings)
    worker = Follower(app, [AccountBalances(), OpenedAccounts()], worker_engine)
    stop = threading.Event()
    thread = threading.Thread(target=worker.run_forever, args=(stop, 0.2))
    thread.start()
    try:
        reader = Follower(app, [AccountBalances(), OpenedAccounts()], engine)
        for seed in range(3):
            record(app, expected, accounts=10, events_per_account=3, seed=seed)

            reader.wait_until(app.recorder.max_notification_id(), timeout=PATIENCE)

            assert read_balances(engine).accounts == expected.accounts
            assert set(read_opened(engine)) == expected.opened
    finally:
        stop.set()
        thread.join(PATIENCE)
        worker_engine.dispose()
    assert not thread.is_alive()


def test_wait_until_times_out_when_no_follower_runs(app, engine, expected):
    follower = Follower(app, [AccountBalances()], engine)
    follower.run_once()
    record(app, expected, accounts=2, events_per_account=2)

    with pytest.raises(TimeoutError, match="account_balances"):
        follower.wait_until(app.recorder.max_notification_id(), timeout=0.05)


def test_rebuild_reports_progress_up_to_the_head(app, engine, expected):
    record(app, expected, accounts=50, events_per_account=4)
    follower = Follower(app, [AccountBalances()], engine, batch_size=60)
    follower.run_once()
    reports: list[Progress] = []

    follower.rebuild("account_balances", on_progress=reports.append)

    assert [r.position for r in reports] == sorted(r.position for r in reports)
    assert sum(r.events for r in reports) == 200
    assert all(r.rebuilding for r in reports[:-1])
    assert reports[-1].switched and reports[-1].position == reports[-1].head


def test_new_view_is_not_readable_until_its_first_build_has_caught_up(app, engine, expected):
    record(app, expected, accounts=20, events_per_account=5)
    readable_during_build: list[bool] = []

    def try_to_read(progress: Progress) -> None:
        if progress.rebuilding:
            try:
                read_balances(engine)
                readable_during_build.append(True)
            except ViewNotReady:
                readable_during_build.append(False)

    follower = Follower(app, [AccountBalances()], engine, batch_size=30, on_progress=try_to_read)
    follower.status()
    with pytest.raises(ViewNotReady):
        read_balances(engine)

    follower.run_once()

    assert readable_during_build and not any(readable_during_build)
    assert read_balances(engine).accounts == expected.accounts


def test_read_models_live_beside_the_events_by_default(app, engine, expected):
    record(app, expected, accounts=3, events_per_account=2)
    Follower(app, [AccountBalances()], engine).run_once()

    with engine.connect() as connection:
        names = set(inspect(connection).get_table_names())

    events_table = app.recorder.events_table_name
    assert {events_table, "accounts_g1", "projection_tracking"} <= names


def test_read_models_can_live_in_a_separate_database(settings, app, expected, tmp_path):
    separate = create_read_model_engine(settings, url=f"sqlite:///{tmp_path / 'views.sqlite'}")
    try:
        record(app, expected, accounts=15, events_per_account=3)
        Follower(app, [AccountBalances()], separate).run_once()
        assert read_balances(separate).accounts == expected.accounts
    finally:
        separate.dispose()


def test_a_generation_being_built_reads_build_batches_and_a_live_one_live_batches(app, engine, expected):
    record(app, expected, accounts=30, events_per_account=4, seed=1)
    reports: list[Progress] = []
    follower = Follower(app, [AccountBalances()], engine, batch_size=10, build_batch_size=40,
                        on_progress=reports.append)

    follower.run_once()  # builds generation 1 from empty
    record(app, expected, accounts=10, events_per_account=4, seed=2)
    follower.run_once()  # follows the live generation

    built = [r.events for r in reports if r.rebuilding or r.switched]
    followed = [r.events for r in reports if not (r.rebuilding or r.switched)]
    assert max(built) == 40 and max(followed) == 10
    assert sum(built) + sum(followed) == 160
    assert read_balances(engine).accounts == expected.accounts


def test_a_follower_given_only_a_batch_size_builds_in_batches_of_that_size(app, engine, expected):
    record(app, expected, accounts=10, events_per_account=4, seed=1)
    reports: list[Progress] = []

    Follower(app, [AccountBalances()], engine, batch_size=7, on_progress=reports.append).run_once()

    assert max(r.events for r in reports) == 7 and sum(r.events for r in reports) == 40
