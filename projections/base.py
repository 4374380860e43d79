"""What a read model is: a named, versioned set of tables filled from events.

A concrete view subclasses :class:`Projection`, declares its tables in its own
``MetaData`` without a schema and without a generation suffix, and implements
:meth:`Projection.process`, which receives a whole batch of events (up to the
follower's batch size) and the tables of the generation being written.

The follower stores each generation of a view in its own physical tables
(``<table>_g<generation>``); :func:`generation_tables` makes that copy.

What columns and indexes cannot say (a function an index uses, an SQLite FTS5 table kept by
triggers) a declared table carries as a :class:`TableExtension` in ``info["extension"]``; the copy
runs it around each generation's ``CREATE TABLE``, and its companion tables belong to the
generation (dropped with it). An index limited to one dialect with ``ddl_if`` keeps that limit in
the copies.
"""

from __future__ import annotations

import functools
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, ClassVar

from sqlalchemy import Connection, MetaData, Table, event
from sqlalchemy.sql.elements import conv

from eventsourcing.domain import DomainEventProtocol
from eventsourcing.utils import get_topic

# PostgreSQL truncates identifiers longer than this; a truncated name could collide.
MAX_IDENTIFIER_LENGTH = 63
# Room left for the "_g<generation>" suffix.
SUFFIX_RESERVE = 8


class Projection(ABC):
    """A read model: tables plus the code that folds events into them.

    ``name`` identifies the view in the tracking tables; bump ``version`` whenever
    the tables or the meaning of ``process`` change: the follower then builds the
    new version beside the old one and switches readers over when it has caught up.
    ``topics`` (event topics, see :func:`topics_of`) restricts what is read from
    the log; empty means every event.
    """

    name: ClassVar[str]
    version: ClassVar[int] = 1
    metadata: ClassVar[MetaData]
    topics: ClassVar[Sequence[str]] = ()

    @abstractmethod
    def process(
        self,
        connection: Connection,
        tables: ViewTables,
        events: Sequence[DomainEventProtocol[Any]],
    ) -> None:
        """Fold ``events`` (in log order) into ``tables`` using ``connection``.

        Runs inside the transaction that also advances the view's tracking
        position: raise to reject the whole batch. Work set-wise: accumulate
        per-row changes in Python and write them with one executemany or upsert
        per table (see :mod:`projections.bulk`).
        """


def topics_of(*event_classes: type) -> tuple[str, ...]:
    """The stored topics of ``event_classes``, for :attr:`Projection.topics`."""
    return tuple(get_topic(cls) for cls in event_classes)


class ViewTables(Mapping[str, Table]):
    """The physical tables of one generation of a view, by their declared names.

    ``tables["accounts"]`` or ``tables.accounts`` is the ``Table`` to use in
    statements; ``position`` is set when the tables were resolved for reading.
    """

    def __init__(
        self,
        tables: Mapping[str, Table],
        metadata: MetaData,
        generation: int,
        position: int | None = None,
    ) -> None:
        self._tables = dict(tables)
        self.metadata = metadata
        self.generation = generation
        self.position = position

    def __getitem__(self, name: str) -> Table:
        return self._tables[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._tables)

    def __len__(self) -> int:
        return len(self._tables)

    def __getattr__(self, name: str) -> Table:
        try:
            return self.__dict__["_tables"][name]
        except KeyError:
            raise AttributeError(name) from None

    def at(self, position: int) -> ViewTables:
        return ViewTables(self._tables, self.metadata, self.generation, position)

    def names(self, dialect: str) -> list[str]:
        """Every physical table of the generation on ``dialect``: companions first (they may depend
        on a declared table), then the declared ones."""
        companions = [name for table in self._tables.values()
                      if (extension := table.info.get(EXTENSION)) is not None
                      for name in extension.companions(table.name, dialect)]
        return [*companions, *(table.name for table in self._tables.values())]


EXTENSION = "extension"
"""Key of a :class:`TableExtension` in a declared ``Table.info``."""


class TableExtension:
    """DDL a view's table needs beyond its columns and indexes, run for every generation's copy.

    ``before_create`` runs before the table's ``CREATE TABLE`` (and so before its indexes),
    ``after_create`` after its indexes; both receive the generation's physical table.
    ``companions`` names the extra tables ``after_create`` makes for the physical table ``name``:
    they are recorded with the generation and dropped with it.
    """

    def before_create(self, connection: Connection, table: Table) -> None:
        pass

    def after_create(self, connection: Connection, table: Table) -> None:
        pass

    def companions(self, name: str, dialect: str) -> list[str]:
        return []


def check_projection(projection: Projection) -> None:
    """Reject definitions the generation scheme cannot copy faithfully."""
    for attribute in ("name", "metadata"):
        if not hasattr(projection, attribute):
            raise TypeError(f"{type(projection).__name__} must define {attribute!r}")
    if not isinstance(projection.version, int) or projection.version < 1:
        raise ValueError(f"{projection.name}: version must be a positive int")
    if not projection.metadata.tables:
        raise ValueError(f"{projection.name}: its metadata declares no tables")
    for table in projection.metadata.tables.values():
        if table.schema is not None:
            raise ValueError(
                f"{projection.name}.{table.name}: declare tables without a schema; "
                "the engine's search_path decides where they live"
            )
        if table.foreign_keys:
            raise ValueError(
                f"{projection.name}.{table.name}: foreign keys between view tables are "
                "not supported (each generation gets its own table names)"
            )
        names = [table.name] + [
            str(item.name)
            for item in (*table.indexes, *table.constraints)
            if item.name is not None and not isinstance(item.name, conv)
        ]
        for name in names:
            if len(name) > MAX_IDENTIFIER_LENGTH - SUFFIX_RESERVE:
                raise ValueError(
                    f"{projection.name}: name {name!r} is too long; keep it under "
                    f"{MAX_IDENTIFIER_LENGTH - SUFFIX_RESERVE} characters"
                )


def generation_tables(projection: Projection, generation: int) -> ViewTables:
    """The tables of ``generation`` of ``projection`` (built once, then cached)."""
    return _copy_tables(projection.metadata, generation)


def _run(step: Any, target: Table, connection: Connection, **_: Any) -> None:
    step(connection, target)


@functools.lru_cache(maxsize=512)
def _copy_tables(metadata: MetaData, generation: int) -> ViewTables:
    suffix = f"_g{generation}"
    copy = MetaData(naming_convention=dict(metadata.naming_convention))
    tables: dict[str, Table] = {}
    for name, table in metadata.tables.items():
        physical = table.to_metadata(copy, name=f"{name}{suffix}")
        conditions = {index.name: index._ddl_if for index in table.indexes}  # to_metadata drops ddl_if
        for index in physical.indexes:
            index._ddl_if = conditions.get(index.name)
        extension = table.info.get(EXTENSION)
        if extension is not None:
            event.listen(physical, "before_create", functools.partial(_run, extension.before_create))
            event.listen(physical, "after_create", functools.partial(_run, extension.after_create))
        # Explicitly named indexes and constraints are global per schema on
        # PostgreSQL: give each generation its own. Convention-made names (conv)
        # are already derived from the new table name.
        for item in (*physical.indexes, *physical.constraints):
            if item.name is not None and not isinstance(item.name, conv):
                item.name = conv(f"{item.name}{suffix}")
        tables[name] = physical
    return ViewTables(tables, copy, generation)
