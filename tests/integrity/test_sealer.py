"""The sealer: every event sealed exactly once, in order, trailing by moments; checkpoints every N or T."""

from __future__ import annotations

import threading
import time
from datetime import date

import pytest
from sqlalchemy import func, select

from dispute_engine.clock import FixedClock
from dispute_engine.demo import run_story
from dispute_engine.integrity import CheckpointPolicy, Sealer, SealingBlocked, verify_store
from dispute_engine.integrity_chain import checkpoints, event_chain
from projections.engine import create_read_model_engine
from tests.integrity.conftest import EVERY


def sealed_positions(engine) -> list[int]:
    with engine.read_engine.begin() as connection:
        return list(connection.execute(select(event_chain.c.position).order_by(event_chain.c.position)).scalars())


def checkpoint_positions(engine) -> list[int]:
    with engine.read_engine.begin() as connection:
        return list(connection.execute(select(checkpoints.c.position).order_by(checkpoints.c.position)).scalars())


def log_positions(engine) -> list[int]:
    return [n.id for n in engine.app.recorder.select_notifications(1, 10_000)]


def test_every_event_is_sealed_once_in_log_order_with_a_checkpoint_every_n(engine, story, sealer):
    assert sealer.run_once() == len(log_positions(engine))
    assert sealer.run_once() == 0
    assert sealed_positions(engine) == log_positions(engine)
    assert checkpoint_positions(engine) == [p for p in log_positions(engine) if p % EVERY == 0]


def test_a_checkpoint_is_signed_when_the_oldest_uncovered_event_has_waited_t_minutes(engine, story, key):
    clock = FixedClock()
    sealer = Sealer(engine.app, engine.read_engine, signing_key=key,
                    policy=CheckpointPolicy(every=1000, minutes=5), clock=clock.now)
    sealer.run_once()
    assert checkpoint_positions(engine) == []
    clock.advance(minutes=4)
    sealer.run_once()
    assert checkpoint_positions(engine) == []
    clock.advance(minutes=1)
    sealer.run_once()
    assert checkpoint_positions(engine) == [log_positions(engine)[-1]]
    clock.advance(minutes=30)
    sealer.run_once()  # nothing new to cover: no second checkpoint of the same head
    assert len(checkpoint_positions(engine)) == 1


def test_two_sealers_racing_while_cases_are_written_seal_each_event_once(settings, engine, key):
    stop = threading.Event()
    errors: list[BaseException] = []
    engines = [create_read_model_engine(settings) for _ in range(2)]
    sealers = [Sealer(engine.app, e, signing_key=key, policy=CheckpointPolicy(every=7, minutes=60), batch_size=3)
               for e in engines]

    def keep_sealing(sealer: Sealer) -> None:
        try:
            while not stop.is_set():
                sealer.run_once()
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=keep_sealing, args=(s,)) for s in sealers]
    for thread in threads:
        thread.start()
    try:
        run_story(engine)
        run_story(engine, start=date(2026, 7, 1))
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert not errors
    sealers[0].run_once()
    assert sealed_positions(engine) == log_positions(engine)
    report = verify_store(settings, environ={})
    assert report.ok, report.summary()
    with engine.read_engine.begin() as connection:
        assert connection.execute(select(func.count()).select_from(checkpoints)).scalar() >= 100 // 7
    for e in engines:
        e.dispose()


def test_run_forever_trails_the_log_by_moments(engine, story, sealer):
    stop = threading.Event()
    thread = threading.Thread(target=sealer.run_forever, args=(stop, 0.1))
    thread.start()
    try:
        run_story(engine, start=date(2026, 7, 1))
        deadline = time.monotonic() + 5
        while sealer.status().unsealed and time.monotonic() < deadline:
            time.sleep(0.05)
        status = sealer.status()
    finally:
        stop.set()
        thread.join(timeout=5)
    assert not thread.is_alive()
    assert status.unsealed == 0 and status.sealed_position == status.log_head == log_positions(engine)[-1]


def test_events_recorded_after_the_last_sealed_one_are_reported_not_failed(settings, engine, sealed):
    run_story(engine, start=date(2026, 7, 1))
    report = verify_store(settings, environ={})
    assert report.ok
    assert report.unsealed == log_positions(engine)[-1] - report.sealed_position > 0


def test_a_sealed_event_moved_past_the_tip_blocks_sealing_instead_of_spinning(settings, engine, sealed, sealer):
    from tests.integrity.tampering import Tamper

    with Tamper.open(settings) as attacker:
        first = attacker.positions()[0]
        attacker.sql(f"UPDATE {attacker.events} SET {attacker.id} = ? WHERE {attacker.id} = ?", 10_000, first)
    with pytest.raises(SealingBlocked, match="10000"):
        sealer.run_once()
    assert verify_store(settings, environ={}).problem.position == first
