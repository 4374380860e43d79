"""Reading one application's notification log: positions, batches, counts.

A thin adapter over the eventsourcing ``ApplicationRecorder`` and ``Mapper`` so the
follower works the same on ``eventsourcing.sqlite`` and ``eventsourcing.postgres``.
Positions are notification ids; 0 means "before the first event".
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from eventsourcing.application import Application
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import ApplicationRecorder, Mapper, Notification

COUNT_PAGE = 10_000


class NotificationLog:
    def __init__(self, recorder: ApplicationRecorder, mapper: Mapper[Any]) -> None:
        self.recorder = recorder
        self.mapper = mapper

    @classmethod
    def of(cls, app: Application[Any]) -> NotificationLog:
        return cls(app.recorder, app.mapper)

    def head(self) -> int:
        """The id of the last recorded notification (0 when the log is empty).

        Every notification up to the head is committed: both recorders make the
        id order the commit order (SQLite serialises writers; the PostgreSQL
        recorder locks the table per insert), so reading up to a head never
        passes over a gap that fills in later.
        """
        return self.recorder.max_notification_id() or 0

    def read(
        self, after: int, limit: int, stop: int | None = None, topics: Sequence[str] = ()
    ) -> Sequence[Notification]:
        return self.recorder.select_notifications(
            start=after, limit=limit, stop=stop, topics=list(topics),
            inclusive_of_start=False,
        )

    def decode(self, notifications: Sequence[Notification]) -> list[DomainEventProtocol[Any]]:
        to_domain_event = self.mapper.to_domain_event
        return [to_domain_event(notification) for notification in notifications]

    def count(self, after: int, stop: int, topics: Sequence[str] = ()) -> int:
        """How many notifications (of ``topics``) lie in ``(after, stop]``."""
        if stop <= after:
            return 0
        counted = self._count_in_sql(after, stop, topics)
        if counted is not None:
            return counted
        total = 0
        while True:
            page = self.read(after, COUNT_PAGE, stop, topics)
            total += len(page)
            if len(page) < COUNT_PAGE:
                return total
            after = page[-1].id

    def first_timestamp(self, after: int, topics: Sequence[str] = ()) -> datetime | None:
        """When the first notification (of ``topics``) after ``after`` was recorded."""
        page = self.read(after, 1, None, topics)
        if not page:
            return None
        timestamp = getattr(self.decode(page)[0], "timestamp", None)
        if not isinstance(timestamp, datetime):
            return None
        return timestamp if timestamp.tzinfo else timestamp.replace(tzinfo=UTC)

    def _count_in_sql(self, after: int, stop: int, topics: Sequence[str]) -> int | None:
        # The recorders have no count; ask their databases directly when known.
        from eventsourcing.postgres import PostgresApplicationRecorder
        from eventsourcing.sqlite import SQLiteApplicationRecorder

        recorder = self.recorder
        if isinstance(recorder, SQLiteApplicationRecorder):
            statement = (
                f"SELECT COUNT(*) FROM {recorder.events_table_name} WHERE rowid > ? AND rowid <= ?"
            )
            params: list[Any] = [after, stop]
            if topics:
                statement += f" AND topic IN ({','.join('?' * len(topics))})"
                params += list(topics)
            with recorder.datastore.transaction(commit=False) as cursor:
                cursor.execute(statement, params)
                return int(cursor.fetchone()[0])
        if isinstance(recorder, PostgresApplicationRecorder):
            from psycopg.sql import SQL, Identifier

            query = SQL(
                "SELECT COUNT(*) AS n FROM {}.{}"
                " WHERE notification_id > %s AND notification_id <= %s"
            ).format(
                Identifier(recorder.datastore.schema), Identifier(recorder.events_table_name)
            )
            pg_params: list[Any] = [after, stop]
            if topics:
                query += SQL(" AND topic = ANY(%s)")
                pg_params.append(list(topics))
            with recorder.datastore.get_connection() as conn, conn.cursor() as cursor:
                cursor.execute(query, pg_params)
                row = cursor.fetchone()
                assert row is not None
                return int(row["n"])
        return None
