"""Reading a view: resolve its live generation inside the reader's transaction.

    with engine.begin() as connection:
        tables = open_view(connection, AccountBalances)
        rows = connection.execute(select(tables.accounts)).all()

All statements in that transaction read the same generation, which stays
complete for as long as the transaction lasts:

* SQLite: the read-model engine's plain ``BEGIN`` gives one snapshot for the
  whole transaction, and a WAL reader keeps seeing the tables it started with
  even after the follower has switched generations and dropped the old tables.
* PostgreSQL (READ COMMITTED, the default): each statement sees the latest
  commit, so the follower's switch alone would be safe, but dropping the old
  generation right after could pull the tables from under a reader that has
  already resolved them. Readers hold a shared advisory lock per view for their
  transaction; the follower takes it exclusively before dropping a generation.
"""

from __future__ import annotations

from sqlalchemy import Connection, select, text

from projections import tracking
from projections.base import Projection, ViewTables, generation_tables


class ViewNotReady(Exception):
    """The view has no live generation of the expected version yet (first build or rebuild)."""


def open_view(connection: Connection, projection: Projection) -> ViewTables:
    """The live tables of ``projection``, with ``position`` = last processed notification id.

    Call inside a transaction (``engine.begin()``) on an engine made by
    :func:`projections.engine.create_read_model_engine`.
    """
    if not connection.in_transaction():
        raise RuntimeError("open_view() needs a transaction: use engine.begin()")
    lock_view(connection, projection.name, exclusive=False)
    row = connection.execute(
        select(tracking.registry.c.live_generation, tracking.registry.c.live_version,
               tracking.tracking.c.position)
        .join(
            tracking.tracking,
            (tracking.tracking.c.view == tracking.registry.c.view)
            & (tracking.tracking.c.generation == tracking.registry.c.live_generation),
        )
        .where(tracking.registry.c.view == projection.name)
    ).first()
    if row is None:
        raise ViewNotReady(f"{projection.name}: not built yet")
    if row.live_version != projection.version:
        raise ViewNotReady(
            f"{projection.name}: live version is {row.live_version}, "
            f"this code reads version {projection.version} (a rebuild is pending)"
        )
    return generation_tables(projection, row.live_generation).at(int(row.position))


def lock_view(connection: Connection, view: str, *, exclusive: bool) -> None:
    """Readers share, the dropping of a generation excludes (PostgreSQL; no-op on SQLite)."""
    if connection.dialect.name != "postgresql":
        return
    function = "pg_advisory_xact_lock" if exclusive else "pg_advisory_xact_lock_shared"
    connection.execute(
        text(
            f"SELECT {function}("
            "hashtext('dispute_engine.view:' || current_schema() || '.' || :view))"
        ),
        {"view": view},
    )
