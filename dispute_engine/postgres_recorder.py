"""The PostgreSQL event recorder: the library's, with a save or a load sent in one round trip each.

eventsourcing's :class:`~eventsourcing.postgres.PostgresApplicationRecorder` keeps the log's order
equal to commit order by taking ``LOCK TABLE … IN EXCLUSIVE MODE`` in every inserting transaction.
This subclass keeps that, and the lock timeout and the ``NOTIFY`` the views' followers wake up on,
statement for statement. It changes only how they reach the server:

* the library sends ``BEGIN``, then the lock, ``NOTIFY`` and ``INSERT``, then ``COMMIT``, each group
  waiting for the server's answer (five round trips with psycopg's pipeline and transaction
  blocks); here all of them go in one pipelined batch with a single sync, so a save is one round
  trip. ``BEGIN`` and ``COMMIT`` are explicit in the batch: PostgreSQL 15 refuses ``LOCK TABLE``
  outside a transaction block, and the pipeline's implicit transaction is not one;
* the array of events is sent in PostgreSQL's binary format instead of as text, which the library's
  composite dumper builds by escaping every ``bytea`` payload with regular expressions.

If any statement fails (a concurrent save of the same aggregate, a lock timeout) the server skips the
rest of the batch, ``COMMIT`` included, and the transaction is rolled back before the error is raised:
nothing of the batch is stored. Saves without events and the library's database-function mode go
through the library's own code.

For loading, :meth:`OneTripPostgresRecorder.select_with_latest_snapshot` reads an aggregate's latest
snapshot and the events after it with one statement, where the library's repository makes two queries.

Selected with the library's ``APPLICATION_RECORDER_TOPIC`` setting (see :mod:`dispute_engine.config`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import Any
from uuid import UUID

import psycopg
from psycopg import Connection, Cursor
from psycopg.pq import TransactionStatus
from psycopg.rows import DictRow
from psycopg.sql import SQL, Composed, Identifier

from eventsourcing.persistence import InterfaceError, OperationalError, StoredEvent
from eventsourcing.postgres import PostgresAggregateRecorder, PostgresApplicationRecorder, PostgresDatastore
from eventsourcing.utils import retry

BEGIN = SQL("BEGIN")
COMMIT = SQL("COMMIT")
ROLLBACK = SQL("ROLLBACK")


class OneTripPostgresRecorder(PostgresApplicationRecorder):
    """Same statements, same locking and notification as the library; one round trip per save."""

    def __init__(self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events") -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        # The library's statement with the array parameter as %b: dumped in binary, not escaped text.
        self.insert_events_statement = SQL(
            "INSERT INTO {schema}.{table} AS t (originator_id, originator_version, topic, state) "
            "SELECT originator_id, originator_version, topic, state "
            "FROM unnest(%b::{schema}.{stored_event_type}[]) "
            "RETURNING notification_id"
        ).format(
            schema=Identifier(self.datastore.schema),
            table=Identifier(self.events_table_name),
            stored_event_type=Identifier(self.stored_event_type_name),
        )
        self.notify_statement = SQL("NOTIFY {0}").format(Identifier(self.channel_name))
        self._snapshot_and_events_statements: dict[tuple[str, bool], Composed] = {}

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        if not stored_events or self.datastore.enable_db_functions:
            return super().insert_events(stored_events, **kwargs)
        with self.datastore.get_connection() as conn:
            # Results stay on the cursors after the pipeline's closing sync, which sends the batch.
            control, insert = conn.cursor(), conn.cursor()
            try:
                with conn.pipeline():
                    control.execute(BEGIN)
                    self._insert_events(control, stored_events, **kwargs)
                    self._insert_stored_events(insert, stored_events, **kwargs)
                    control.execute(COMMIT)
                return self._fetch_ids_after_insert_events(insert, stored_events, **kwargs)
            except BaseException:
                _roll_back(conn)
                raise
            finally:
                control.close()
                insert.close()

    def _notify_channel(self, curs: Cursor[DictRow]) -> None:
        curs.execute(self.notify_statement)

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def select_with_latest_snapshot(
        self, snapshots: PostgresAggregateRecorder, originator_id: UUID, lte: int | None = None,
    ) -> tuple[StoredEvent | None, list[StoredEvent]]:
        """The aggregate's latest snapshot up to version ``lte`` and its events after it, in one query.

        What the library's repository reads with two (the snapshot, then the events after it), as one
        statement, so one round trip and one consistent view of both tables.
        """
        statement = self._snapshot_and_events_statement(snapshots, bounded=lte is not None)
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(statement, {"id": originator_id, "lte": lte}, prepare=True)
            rows = curs.fetchall()
        stored = [StoredEvent(originator_id=row["originator_id"], originator_version=row["originator_version"],
                              topic=row["topic"], state=bytes(row["state"])) for row in rows]
        if rows and rows[0]["part"] == 0:
            return stored[0], stored[1:]
        return None, stored

    def _snapshot_and_events_statement(self, snapshots: PostgresAggregateRecorder, *, bounded: bool) -> Composed:
        key = (snapshots.events_table_name, bounded)
        statement = self._snapshot_and_events_statements.get(key)
        if statement is None:
            upto = SQL(" AND originator_version <= %(lte)s") if bounded else SQL("")
            statement = SQL(
                "WITH snapshot AS ("
                "SELECT originator_id, originator_version, topic, state FROM {schema}.{snapshots} "
                "WHERE originator_id = %(id)s{upto} ORDER BY originator_version DESC LIMIT 1) "
                "SELECT 0 AS part, originator_id, originator_version, topic, state FROM snapshot "
                "UNION ALL "
                "SELECT 1, originator_id, originator_version, topic, state FROM {schema}.{events} "
                "WHERE originator_id = %(id)s "
                "AND originator_version > COALESCE((SELECT originator_version FROM snapshot), 0){upto} "
                "ORDER BY originator_version"  # the snapshot's version is below its events' versions
            ).format(
                schema=Identifier(self.datastore.schema),
                snapshots=Identifier(snapshots.events_table_name),
                events=Identifier(self.events_table_name),
                upto=upto,
            )
            self._snapshot_and_events_statements[key] = statement
        return statement


def _roll_back(conn: Connection[DictRow]) -> None:
    """End the failed transaction so the connection goes back to the pool clean.

    A connection that cannot even roll back is broken; the pool discards it, and the original error
    is the one worth raising.
    """
    if conn.info.transaction_status in (TransactionStatus.INTRANS, TransactionStatus.INERROR):
        with contextlib.suppress(psycopg.Error):
            conn.execute(ROLLBACK)
