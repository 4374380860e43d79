"""Append-only at the database: triggers on both stores; on PostgreSQL a hardened NOSUPERUSER role."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import psycopg
import pytest

from dispute_engine.bootstrap import bootstrap
from dispute_engine.clock import FixedClock
from dispute_engine.config import ConfigurationError, Settings
from dispute_engine.demo import run_story
from dispute_engine.integrity import CheckpointPolicy, Sealer, harden, load_checkpoint_key, verify_store
from tests.conftest import make_settings

HISTORY = ("stored_events", "event_chain", "checkpoints")
A_COLUMN = {"disputeengine_events": "topic", "event_chain": "topic", "checkpoints": "head"}


def test_sqlite_refuses_updates_and_deletes_of_history_and_the_library_never_needs_them(tmp_path: Path):
    settings = Settings(data_dir=tmp_path)
    with bootstrap(settings, clock=FixedClock()) as engine:
        sealer = Sealer(engine.app, engine.read_engine, signing_key=load_checkpoint_key(settings, environ={}))
        sealer.run_once()  # installs the triggers
        run_story(engine)  # the event store keeps writing under them
        sealer.checkpoint_now()
    connection = sqlite3.connect(settings.sqlite_path)
    try:
        for table in HISTORY:
            for statement in (f"UPDATE {table} SET rowid = rowid", f"DELETE FROM {table}"):
                with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                    connection.execute(statement)
    finally:
        connection.close()
    assert verify_store(settings, environ={}).ok


def test_harden_is_for_postgresql_only(tmp_path: Path):
    with pytest.raises(ConfigurationError, match="PostgreSQL"):
        harden(Settings(data_dir=tmp_path), "de_app")


@pytest.fixture
def pg_settings(tmp_path: Path) -> Iterator[Settings]:
    yield from make_settings("postgres", tmp_path)


@pytest.fixture
def app_role(pg_settings: Settings) -> Iterator[str]:
    role = f"de_app_{uuid.uuid4().hex[:10]}"
    yield role
    with _connect(pg_settings) as admin:
        if admin.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone():
            admin.execute(f'DROP OWNED BY "{role}" CASCADE')
            admin.execute(f'DROP ROLE "{role}"')


def _connect(settings: Settings, user: str | None = None) -> psycopg.Connection:
    pg = settings.postgres
    connection = psycopg.connect(host=pg.host, port=pg.port, dbname=pg.dbname, user=user or pg.user,
                                 password=None if user else pg.password or None, autocommit=True)
    connection.execute(f'SET search_path TO "{settings.postgres_schema}"')
    return connection


def test_the_hardened_application_role_writes_history_but_cannot_change_it(pg_settings, app_role, monkeypatch):
    report = harden(pg_settings, app_role)
    assert report.role_created and report.append_only == ["disputeengine_events", *HISTORY[1:]]
    as_app = replace(pg_settings, postgres=replace(pg_settings.postgres, user=app_role, password=""))
    # The library's start-up DDL needs ownership; a hardened deployment turns it off (docs/integrity.md).
    monkeypatch.setenv("DISPUTEENGINE_CREATE_TABLE", "n")
    with bootstrap(as_app, clock=FixedClock()) as engine:
        sealer = Sealer(engine.app, engine.read_engine, signing_key=load_checkpoint_key(as_app, environ={}),
                        policy=CheckpointPolicy(every=10))
        run_story(engine)
        assert sealer.run_once() > 0
        sealer.checkpoint_now()
    assert verify_store(as_app, environ={}).ok

    with _connect(pg_settings, user=app_role) as connection:
        assert connection.execute("SELECT current_user, usesuper FROM pg_user WHERE usename = current_user"
                                  ).fetchone() == (app_role, False)
        for table in ("disputeengine_events", *HISTORY[1:]):
            for statement in (f"UPDATE {table} SET {A_COLUMN[table]} = {A_COLUMN[table]}", f"DELETE FROM {table}",
                              f"TRUNCATE {table}", f"ALTER TABLE {table} DISABLE TRIGGER USER",
                              f"DROP TRIGGER append_only_rows ON {table}"):
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    connection.execute(statement)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            connection.execute("SET session_replication_role = replica")
    assert verify_store(pg_settings, environ={}).ok


def test_postgresql_triggers_refuse_changes_even_for_the_table_owner(pg_settings):
    with bootstrap(pg_settings, clock=FixedClock()) as engine:
        sealer = Sealer(engine.app, engine.read_engine, signing_key=load_checkpoint_key(pg_settings, environ={}))
        sealer.run_once()  # installs the triggers
        run_story(engine)  # the event store keeps writing under them
        sealer.checkpoint_now()
    with _connect(pg_settings) as owner:
        for table in ("disputeengine_events", *HISTORY[1:]):
            for statement in (f"UPDATE {table} SET {A_COLUMN[table]} = {A_COLUMN[table]}", f"DELETE FROM {table}",
                              f"TRUNCATE {table}"):
                with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
                    owner.execute(statement)
