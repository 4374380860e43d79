"""Append-only at the database: triggers that refuse UPDATE, DELETE and TRUNCATE, and ``db harden``.

The events table, ``event_chain`` and ``checkpoints`` get triggers that raise on any change
but INSERT. On PostgreSQL, :func:`harden` also sets up a NOSUPERUSER application role that
owns none of them and holds SELECT and INSERT on them — so it can neither change history
nor drop or disable the triggers (that needs ownership, or superuser for
``session_replication_role``). One extra privilege is unavoidable on the events table:
the eventsourcing recorder takes ``LOCK TABLE … IN EXCLUSIVE MODE`` on every insert (so
that notification order is commit order), which PostgreSQL allows only with UPDATE,
DELETE, TRUNCATE or, from PostgreSQL 17, MAINTAIN. The role gets MAINTAIN where it exists,
else TRUNCATE, which the trigger refuses.

SQLite has no roles: whoever can write the file can drop a trigger. There the triggers
only stop accidents; tampering is caught by the chain and the signed checkpoints.
"""

from __future__ import annotations

from dataclasses import dataclass

import structlog
from sqlalchemy import Connection, text

from dispute_engine.config import ConfigurationError, Settings
from dispute_engine.integrity_chain import EventsTable, checkpoints, event_chain, metadata

GUARD_FUNCTION = "dispute_engine_append_only"
ROW_TRIGGER = "append_only_rows"
TRUNCATE_TRIGGER = "append_only_truncate"


def guarded_tables(events: EventsTable) -> list[str]:
    return [events.name, event_chain.name, checkpoints.name]


def create_integrity_tables(connection: Connection) -> None:
    """``event_chain`` and ``checkpoints``, if missing (concurrent callers serialise on PostgreSQL)."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(hashtext('dispute_engine_integrity_tables'))"))
    metadata.create_all(connection, checkfirst=True)


def missing_guards(connection: Connection) -> list[str]:
    """The append-only tables that exist but lack their triggers."""
    events = EventsTable.of(connection)
    missing = []
    for table in guarded_tables(events):
        if connection.dialect.name == "sqlite":
            names = set(connection.execute(text(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = :t"), {"t": table}).scalars())
            exists = connection.execute(text(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :t"), {"t": table}).first()
            wanted = {f"{table}_append_only_update", f"{table}_append_only_delete"}
        else:
            qualified = connection.dialect.identifier_preparer.quote(table)  # resolved on the search_path
            names = set(connection.execute(text(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = to_regclass(CAST(:t AS text))"), {"t": qualified}).scalars())
            exists = connection.execute(text("SELECT to_regclass(CAST(:t AS text))"), {"t": qualified}).scalar()
            wanted = {ROW_TRIGGER, TRUNCATE_TRIGGER}
        if exists and not wanted <= names:
            missing.append(table)
    return missing


def install_guards(connection: Connection) -> list[str]:
    """Add the triggers where missing; returns the tables guarded now. Needs ownership on PostgreSQL."""
    missing = missing_guards(connection)
    quote = connection.dialect.identifier_preparer.quote
    if connection.dialect.name == "sqlite":
        for table in missing:
            for operation in ("update", "delete"):
                connection.execute(text(
                    f"CREATE TRIGGER IF NOT EXISTS {quote(f'{table}_append_only_{operation}')} "
                    f"BEFORE {operation.upper()} ON {quote(table)} "
                    f"BEGIN SELECT RAISE(ABORT, '{operation.upper()} on {table} refused: the table is append-only'); END"
                ))
        return missing
    if not missing:
        return []
    connection.execute(text(
        f"CREATE OR REPLACE FUNCTION {GUARD_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "RAISE EXCEPTION '% on %.% refused: the table is append-only', TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME "
        "USING ERRCODE = 'insufficient_privilege'; END $$"
    ))
    for table in missing:
        for trigger, timing in ((ROW_TRIGGER, "BEFORE UPDATE OR DELETE ON {t} FOR EACH ROW"),
                                (TRUNCATE_TRIGGER, "BEFORE TRUNCATE ON {t} FOR EACH STATEMENT")):
            connection.execute(text(f"DROP TRIGGER IF EXISTS {trigger} ON {quote(table)}"))
            connection.execute(text(
                f"CREATE TRIGGER {trigger} {timing.format(t=quote(table))} EXECUTE FUNCTION {GUARD_FUNCTION}()"))
    return missing


def ensure_guards(connection: Connection) -> None:
    """Install missing triggers if this connection may; otherwise say so in the log (a hardened role may not)."""
    missing = missing_guards(connection)
    if not missing:
        return
    try:
        with connection.begin_nested():
            install_guards(connection)
    except Exception as error:  # noqa: BLE001 - not the owner: `db harden` installs them
        structlog.get_logger().warning("append_only_guard_missing", tables=missing, error=str(error).splitlines()[0])


# -- db harden -----------------------------------------------------------------------


@dataclass(frozen=True)
class HardenReport:
    app_role: str
    role_created: bool
    append_only: list[str]
    """Tables the role may only SELECT from and INSERT into (the triggers refuse the rest)."""
    lock_privilege: str
    """The privilege granted on the events table so the recorder can take its table lock."""
    read_write: list[str]
    """Other tables (views, users, documents): SELECT, INSERT, UPDATE, DELETE."""


def harden(settings: Settings, app_role: str) -> HardenReport:
    """Create the tables, install the triggers, set up ``app_role``; run as the database owner."""
    if settings.postgres is None:
        raise ConfigurationError(
            "DATABASE_URL: db harden needs PostgreSQL; the embedded SQLite store relies on the audit chain "
            "and signed checkpoints (its triggers are installed by the sealer)")
    if not app_role or len(app_role.encode()) > 63:
        raise ConfigurationError(f"--app-role: expected a role name of 1 to 63 bytes, got {app_role!r}")
    from dispute_engine.cases import DisputeEngine
    from projections.engine import create_read_model_engine

    DisputeEngine(settings).close()  # the library creates its tables as this (owning) connection
    engine = create_read_model_engine(settings)
    try:
        with engine.begin() as connection:
            create_integrity_tables(connection)
            install_guards(connection)
            return _set_up_role(connection, settings.postgres_schema, app_role)
    finally:
        engine.dispose()


def _set_up_role(connection: Connection, schema: str, role: str) -> HardenReport:
    quote = connection.dialect.identifier_preparer.quote
    r, s = quote(role), quote(schema)
    if connection.execute(text("SELECT current_user")).scalar() == role:
        raise ConfigurationError(f"--app-role: {role!r} is the role running db harden; name the application's role")
    existing = connection.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).first()
    attributes = "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS"
    connection.execute(text(f"{'ALTER' if existing else 'CREATE'} ROLE {r} {attributes}"))
    connection.execute(text(f"GRANT USAGE, CREATE ON SCHEMA {s} TO {r}"))

    events = EventsTable.of(connection)
    append_only = guarded_tables(events)
    snapshots = events.name.removesuffix("_events") + "_snapshots"
    tables = dict(connection.execute(text(
        "SELECT tablename, tableowner FROM pg_tables WHERE schemaname = :s"), {"s": schema}).all())
    lock_privilege = "MAINTAIN" if int(connection.execute(text("SHOW server_version_num")).scalar()) >= 170000 \
        else "TRUNCATE"
    for table in [*append_only, snapshots]:
        if table not in tables:
            continue
        t = f"{s}.{quote(table)}"
        if tables[table] == role:
            connection.execute(text(f"ALTER TABLE {t} OWNER TO CURRENT_USER"))
        connection.execute(text(f"REVOKE ALL ON {t} FROM PUBLIC, {r}"))
        connection.execute(text(f"GRANT SELECT, INSERT ON {t} TO {r}"))
    connection.execute(text(f"GRANT {lock_privilege} ON {s}.{quote(events.name)} TO {r}"))
    read_write = sorted(t for t, owner in tables.items() if t not in {*append_only, snapshots} and owner != role)
    for table in read_write:
        connection.execute(text(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {s}.{quote(table)} TO {r}"))
    connection.execute(text(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {s} TO {r}"))
    _check_role(connection, schema, role, append_only)
    return HardenReport(role, not existing, append_only, lock_privilege, read_write)


def _check_role(connection: Connection, schema: str, role: str, append_only: list[str]) -> None:
    """Refuse to report success if the role could still change history (e.g. through a role it inherits)."""
    quote = connection.dialect.identifier_preparer.quote
    for table in append_only:
        qualified = f"{quote(schema)}.{quote(table)}"
        found = connection.execute(text(
            "SELECT has_table_privilege(r.oid, c.oid, 'UPDATE') OR has_table_privilege(r.oid, c.oid, 'DELETE') "
            "    AS may_change, pg_has_role(r.oid, c.relowner, 'USAGE') AS owns, r.rolsuper AS superuser "
            "FROM pg_class c, pg_roles r WHERE c.oid = to_regclass(CAST(:t AS text)) AND r.rolname = CAST(:r AS name)"
        ), {"r": role, "t": qualified}).first()
        if found is None:
            continue
        if found.superuser or found.owns or found.may_change:
            raise ConfigurationError(
                f"--app-role: {role} can still change {qualified} (superuser, owner, or a member of a role "
                "with UPDATE/DELETE); give the application a role of its own")
