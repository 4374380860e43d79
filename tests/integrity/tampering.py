"""Tampering as someone with direct database access would do it: plain SQL on a connection of its own.

SQLite: the file opened with ``sqlite3``, the append-only triggers dropped first (anyone who can
write the file can). PostgreSQL: a superuser session with ``session_replication_role = replica``,
which switches the triggers off for that session only.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from dispute_engine.config import Settings
from dispute_engine.integrity_chain import GENESIS, EventsTable, case_link, chain_link, payload_digest
from dispute_engine.integrity_checkpoints import Checkpoint, checkpoint_lines


class Tamper:
    def __init__(self, settings: Settings, connection: Any) -> None:
        self.settings = settings
        self.connection = connection
        self.sqlite = settings.postgres is None
        events = EventsTable("sqlite" if self.sqlite else "postgresql")
        self.events, self.id = events.name, events.position
        self.mark = "?" if self.sqlite else "%s"

    @classmethod
    @contextmanager
    def open(cls, settings: Settings) -> Iterator[Tamper]:
        if settings.postgres is None:
            connection: Any = sqlite3.connect(settings.sqlite_path, isolation_level=None, timeout=30)
            for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
                connection.execute(f'DROP TRIGGER "{name}"')
        else:
            import psycopg

            pg = settings.postgres
            connection = psycopg.connect(host=pg.host, port=pg.port, dbname=pg.dbname, user=pg.user,
                                         password=pg.password or None, autocommit=True)
            connection.execute(f'SET search_path TO "{settings.postgres_schema}"')
            connection.execute("SET session_replication_role = replica")
        try:
            yield cls(settings, connection)
        finally:
            connection.close()

    def sql(self, statement: str, *params: Any) -> list[Any]:
        cursor = self.connection.execute(statement.replace("?", self.mark), params)
        return cursor.fetchall() if cursor.description else []

    # -- what the store holds -------------------------------------------------------------

    def positions(self) -> list[int]:
        return [row[0] for row in self.sql(f"SELECT {self.id} FROM {self.events} ORDER BY {self.id}")]

    def case_at(self, position: int) -> str:
        return self.sql("SELECT originator_id FROM event_chain WHERE position = ?", position)[0][0]

    def state(self, position: int) -> bytes:
        return bytes(self.sql(f"SELECT state FROM {self.events} WHERE {self.id} = ?", position)[0][0])

    def checkpoint_lines(self) -> str:
        rows = self.sql("SELECT position, head, signed_at, signature, public_key, key_fingerprint "
                        "FROM checkpoints ORDER BY position")
        return "".join(checkpoint_lines(Checkpoint(*row) for row in rows))

    # -- the seven ways ------------------------------------------------------------------------

    def set_state(self, position: int, state: bytes) -> None:
        self.sql(f"UPDATE {self.events} SET state = ? WHERE {self.id} = ?", state, position)

    def flip_byte(self, position: int, index: int = 20) -> None:
        state = bytearray(self.state(position))
        state[index] ^= 0x01
        self.set_state(position, bytes(state))

    def delete_event(self, position: int) -> None:
        self.sql(f"DELETE FROM {self.events} WHERE {self.id} = ?", position)

    def swap_payloads(self, first: int, second: int) -> None:
        one, other = self.state(first), self.state(second)
        self.set_state(first, other)
        self.set_state(second, one)

    def swap_positions(self, first: int, second: int) -> None:
        spare = -1
        self.sql(f"UPDATE {self.events} SET {self.id} = ? WHERE {self.id} = ?", spare, first)
        self.sql(f"UPDATE {self.events} SET {self.id} = ? WHERE {self.id} = ?", first, second)
        self.sql(f"UPDATE {self.events} SET {self.id} = ? WHERE {self.id} = ?", second, spare)

    def truncate_after(self, position: int) -> None:
        self.sql(f"DELETE FROM {self.events} WHERE {self.id} > ?", position)

    def forge(self, position: int, state: bytes) -> None:
        """Replace a payload and recompute the chain from there on; drop the checkpoints it would contradict."""
        self.set_state(position, state)
        rows = self.sql("SELECT position, originator_id, originator_version, topic, payload_sha256 "
                        "FROM event_chain ORDER BY position")
        previous, heads = GENESIS, {}
        for p, oid, version, topic, digest in rows:
            if p == position:
                digest = payload_digest(state)
            case_hash = case_link(heads.get(oid, GENESIS), p, oid, version, topic, digest)
            previous = chain_link(previous, p, case_hash)
            heads[oid] = case_hash
            if p >= position:
                self.sql("UPDATE event_chain SET payload_sha256 = ?, case_hash = ?, chain_hash = ? "
                         "WHERE position = ?", digest, case_hash, previous, p)
        self.sql("DELETE FROM checkpoints WHERE position >= ?", position)

    def back_up(self) -> None:
        events_columns = f"{self.id} AS position, originator_id, originator_version, topic, state"
        self.sql(f"CREATE TABLE backup_events AS SELECT {events_columns} FROM {self.events}")
        self.sql("CREATE TABLE backup_chain AS SELECT * FROM event_chain")
        self.sql("CREATE TABLE backup_checkpoints AS SELECT * FROM checkpoints")

    def restore(self) -> None:
        """Put the backup back, as restoring an older copy of the database would."""
        for table in (self.events, "event_chain", "checkpoints"):
            self.sql(f"DELETE FROM {table}")
        self.sql(f"INSERT INTO {self.events} ({self.id}, originator_id, originator_version, topic, state) "
                 "SELECT position, originator_id, originator_version, topic, state FROM backup_events")
        self.sql("INSERT INTO event_chain SELECT * FROM backup_chain")
        self.sql("INSERT INTO checkpoints SELECT * FROM backup_checkpoints")
