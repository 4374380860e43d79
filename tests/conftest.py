"""Store fixtures: every store-backed test runs on SQLite and on PostgreSQL.

PostgreSQL is reached through ``TEST_POSTGRES_URL``. Without it the PostgreSQL
variants are skipped with a visible reason, except under CI (``CI`` set), where a
missing or unreachable server fails the run: a green CI must mean both stores ran.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from dispute_engine.config import PostgresLocation, Settings

STORES = ("sqlite", "postgres")


def postgres_location() -> PostgresLocation:
    url = os.environ.get("TEST_POSTGRES_URL", "").strip()
    in_ci = bool(os.environ.get("CI"))
    if not url:
        if in_ci:
            pytest.fail("TEST_POSTGRES_URL is not set; CI must run the PostgreSQL tests")
        pytest.skip("TEST_POSTGRES_URL is not set: PostgreSQL variant not run")
    location = PostgresLocation.from_url(url, "TEST_POSTGRES_URL")
    try:
        import psycopg

        psycopg.connect(
            host=location.host, port=location.port, dbname=location.dbname,
            user=location.user, password=location.password or None, connect_timeout=5,
        ).close()
    except Exception as error:  # noqa: BLE001 - any connection failure decides the same way
        if in_ci:
            pytest.fail(f"PostgreSQL at TEST_POSTGRES_URL is unreachable: {error}")
        pytest.skip(f"PostgreSQL at TEST_POSTGRES_URL is unreachable: {error}")
    return location


def _drop_schema(location: PostgresLocation, schema: str) -> None:
    import psycopg

    with psycopg.connect(
        host=location.host, port=location.port, dbname=location.dbname,
        user=location.user, password=location.password or None, autocommit=True,
    ) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def _create_schema(location: PostgresLocation, schema: str) -> None:
    import psycopg

    with psycopg.connect(
        host=location.host, port=location.port, dbname=location.dbname,
        user=location.user, password=location.password or None, autocommit=True,
    ) as conn:
        conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')


def make_settings(store: str, tmp_path: Path, **overrides) -> Iterator[Settings]:
    """Fresh, isolated settings: a new SQLite file, or a new PostgreSQL schema."""
    data_dir = tmp_path / "data"
    data_dir.mkdir(parents=True, exist_ok=True)
    if store == "sqlite":
        yield Settings(data_dir=data_dir, **overrides)
        return
    location = postgres_location()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    _create_schema(location, schema)
    try:
        yield Settings(data_dir=data_dir, postgres=location, postgres_schema=schema,
                       postgres_pool_size=4, **overrides)
    finally:
        _drop_schema(location, schema)


@pytest.fixture(params=STORES)
def store(request) -> str:
    return request.param


@pytest.fixture
def settings(store: str, tmp_path: Path) -> Iterator[Settings]:
    yield from make_settings(store, tmp_path)
