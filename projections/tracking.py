"""The follower's bookkeeping: which generation of a view is live, and how far each got.

``projection_registry`` has one row per view: the live generation (the tables
readers use), its version, and a counter for numbering new generations.
``projection_tracking`` has one row per generation of a view (the live one and at
most one being built beside it): its version and the last processed notification
id. A manual rebuild of an unchanged version needs a second row next to the live
one, hence the key is (view, generation) rather than (view, version).

Every change is a conditional UPDATE whose WHERE clause names the state the
writer read (``position = :old``, ``live_generation = :old``); a rowcount other
than 1 means another worker got there first and the caller rolls back. Unlike a
read-then-update check this is race-free under READ COMMITTED: the second
UPDATE waits for the first's row lock and then re-checks its WHERE clause
against the committed row.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    select,
    text,
)

VIEW_NAME_LENGTH = 100

metadata = MetaData()

registry = Table(
    "projection_registry",
    metadata,
    Column("view", String(VIEW_NAME_LENGTH), primary_key=True),
    Column("live_generation", Integer, nullable=True),
    Column("live_version", Integer, nullable=True),
    Column("last_generation", Integer, nullable=False),
    Column("switched_at", DateTime(timezone=True), nullable=True),
)

tracking = Table(
    "projection_tracking",
    metadata,
    Column("view", String(VIEW_NAME_LENGTH), primary_key=True),
    Column("generation", Integer, primary_key=True),
    Column("version", Integer, nullable=False),
    Column("position", BigInteger, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    # The generation's physical tables, so that any later code version can drop them.
    Column("tables", Text, nullable=False),
)


@dataclass(frozen=True)
class Generation:
    generation: int
    version: int
    position: int
    updated_at: datetime
    tables: tuple[str, ...]


@dataclass(frozen=True)
class ViewState:
    view: str
    live_generation: int | None
    live_version: int | None
    last_generation: int
    generations: tuple[Generation, ...]

    @property
    def live(self) -> Generation | None:
        return self.get(self.live_generation)

    def get(self, generation: int | None) -> Generation | None:
        for candidate in self.generations:
            if candidate.generation == generation:
                return candidate
        return None


def utc(moment: datetime) -> datetime:
    """SQLite hands DateTime columns back naive; they were stored in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def lock_for_setup(connection: Connection) -> None:
    """Serialise table creation between workers starting at once (PostgreSQL).

    SQLite needs nothing: the caller's ``BEGIN IMMEDIATE`` already serialises writers.
    """
    if connection.dialect.name == "postgresql":
        connection.execute(
            text("SELECT pg_advisory_xact_lock(hashtext('dispute_engine.projections.setup'))")
        )


def create_tables(connection: Connection) -> None:
    lock_for_setup(connection)
    metadata.create_all(connection, checkfirst=True)


def register(connection: Connection, view: str) -> None:
    """Add the view's registry row if missing (call under :func:`lock_for_setup`)."""
    exists = connection.execute(select(registry.c.view).where(registry.c.view == view)).first()
    if exists is None:
        connection.execute(registry.insert().values(view=view, last_generation=0))


def load(connection: Connection, view: str) -> ViewState | None:
    return load_all(connection, [view]).get(view)


def load_all(connection: Connection, views: list[str]) -> dict[str, ViewState]:
    """The state of each of ``views`` that is registered, in two statements.

    The registry first: under READ COMMITTED each statement sees the latest commits, and a
    generation is numbered in the registry and given its tracking row in one transaction, so
    the tracking rows read second include every generation the registry counted. Read the
    other way round, a generation claimed in between would be counted but missing, and the
    reader would claim the next number and build the view a second time.
    """
    registered = connection.execute(select(registry).where(registry.c.view.in_(views))).all()
    generations: dict[str, list[Generation]] = {}
    for g in connection.execute(
        select(tracking).where(tracking.c.view.in_(views)).order_by(tracking.c.view, tracking.c.generation)
    ):
        generations.setdefault(g.view, []).append(
            Generation(
                g.generation, g.version, int(g.position), utc(g.updated_at),
                tuple(json.loads(g.tables)),
            )
        )
    return {
        row.view: ViewState(
            row.view, row.live_generation, row.live_version, row.last_generation,
            tuple(generations.get(row.view, ())),
        )
        for row in registered
    }


def live_positions(connection: Connection, views: list[str]) -> dict[str, tuple[int, int]]:
    """``{view: (live version, live position)}`` for the views that have a live generation."""
    rows = connection.execute(
        select(registry.c.view, registry.c.live_version, tracking.c.position)
        .join(
            tracking,
            (tracking.c.view == registry.c.view)
            & (tracking.c.generation == registry.c.live_generation),
        )
        .where(registry.c.view.in_(views))
    )
    return {row.view: (row.live_version, int(row.position)) for row in rows}


def claim_generation(
    connection: Connection,
    view: str,
    generation: int,
    version: int,
    tables: list[str],
    now: datetime,
) -> bool:
    """Take the number ``generation`` (the one after the last) and start it at 0.

    False if another worker numbered a generation first.
    """
    claimed = connection.execute(
        registry.update()
        .where(registry.c.view == view, registry.c.last_generation == generation - 1)
        .values(last_generation=generation)
    )
    if claimed.rowcount != 1:
        return False
    connection.execute(
        tracking.insert().values(
            view=view, generation=generation, version=version, position=0,
            updated_at=now, tables=json.dumps(tables),
        )
    )
    return True


def advance(
    connection: Connection, view: str, generation: int, old: int, new: int, now: datetime
) -> bool:
    """Move the position from ``old`` to ``new``; False if it was not at ``old`` any more."""
    result = connection.execute(
        tracking.update()
        .where(
            tracking.c.view == view,
            tracking.c.generation == generation,
            tracking.c.position == old,
        )
        .values(position=new, updated_at=now)
    )
    return result.rowcount == 1


def locked_position(connection: Connection, view: str, generation: int) -> int | None:
    """The generation's position, locked until the end of the transaction."""
    row = connection.execute(
        select(tracking.c.position)
        .where(tracking.c.view == view, tracking.c.generation == generation)
        .with_for_update()
    ).first()
    return None if row is None else int(row.position)


def switch(
    connection: Connection,
    view: str,
    old_live: int | None,
    new_live: int,
    version: int,
    now: datetime,
) -> bool:
    """Make ``new_live`` the generation readers use; False if the live one changed meanwhile."""
    result = connection.execute(
        registry.update()
        .where(
            registry.c.view == view,
            registry.c.live_generation.is_not_distinct_from(old_live),
        )
        .values(live_generation=new_live, live_version=version, switched_at=now)
    )
    return result.rowcount == 1


def forget(connection: Connection, view: str, generation: int) -> bool:
    result = connection.execute(
        tracking.delete().where(tracking.c.view == view, tracking.c.generation == generation)
    )
    return result.rowcount == 1

