"""The SQLAlchemy engine for read models, next to the events by default.

SQLite: the event store's own file. pysqlite's implicit transaction handling is
switched off so that every ``engine.begin()`` really is one SQLite transaction:
plain ``BEGIN`` for readers (one consistent snapshot across statements) and
``BEGIN IMMEDIATE`` for the follower's writes (the write lock is taken up front,
so two writers queue on the busy timeout instead of failing on a lock upgrade).

PostgreSQL: the event store's database, with ``search_path`` set to its schema so
that table definitions stay schema-free and raw SQL resolves the same way.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url

from dispute_engine.config import Settings

# Seconds a SQLite connection waits for the write lock before "database is locked".
SQLITE_BUSY_TIMEOUT = 30.0
WRITE = {"read_model_write": True}
"""Execution options for a connection that will write (``BEGIN IMMEDIATE`` on SQLite)."""


def create_read_model_engine(
    settings: Settings,
    url: str | None = None,
    *,
    schema: str | None = None,
    pool_size: int = 4,
) -> Engine:
    """An engine for read models: ``settings``' event store unless ``url`` is given.

    ``schema`` only applies to PostgreSQL; it defaults to the event store's schema
    when ``url`` is not given, and to the server's default otherwise.
    """
    if url is None:
        url = settings.sqlalchemy_url()
        if settings.postgres is not None and schema is None:
            schema = settings.postgres_schema
    backend = make_url(url).get_backend_name()
    if backend == "sqlite":
        return _sqlite_engine(url)
    if backend == "postgresql":
        return _postgres_engine(url, schema, pool_size)
    raise ValueError(f"read models support SQLite and PostgreSQL, not {backend!r}")


def is_read_model_engine(engine: Engine) -> bool:
    """True when ``engine`` has this module's transaction handling (SQLite)."""
    if engine.dialect.name != "sqlite":
        return True
    return event.contains(engine, "begin", _sqlite_begin)


def _sqlite_engine(url: str) -> Engine:
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT})
    event.listen(engine, "connect", _sqlite_connect)
    event.listen(engine, "begin", _sqlite_begin)
    return engine


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy's "begin" event issue BEGIN itself (pysqlite would defer it
    # to the first INSERT/UPDATE, leaving earlier SELECTs outside the transaction).
    dbapi_connection.isolation_level = None


def _sqlite_begin(connection: Connection) -> None:
    write = connection.get_execution_options().get("read_model_write", False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def _postgres_engine(url: str, schema: str | None, pool_size: int) -> Engine:
    connect_args: dict[str, Any] = {"connect_timeout": 10}
    if schema:
        connect_args["options"] = f"-c search_path={_options_escape(_quote_ident(schema))}"
    return create_engine(
        url,
        connect_args=connect_args,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
    )


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _options_escape(value: str) -> str:
    # libpq "options": whitespace separates arguments, backslash escapes.
    return value.replace("\\", "\\\\").replace(" ", "\\ ")
