"""The audit chain: how stored events are linked, and the tables that keep the links.

Every stored event is hashed exactly as the recorder keeps it — topic, originator id,
version and the stored state bytes (compressed or encrypted as they are) — so proving
the history needs no decryption key, and erasing a per-person key later breaks nothing.

Two SHA-256 chains, both in hex::

    payload_sha256 = SHA-256(state bytes as stored)
    case_hash(v)   = SHA-256("dispute-engine/case/1\\n" + case_hash(v-1) + "\\n" + leaf)
    leaf           = JSON [position, originator_id, version, topic, payload_sha256]
                     (compact separators, UTF-8, not ASCII-escaped)
    chain_hash(p)  = SHA-256("dispute-engine/chain/1\\n" + chain_hash(previous p) + "\\n" + "<p>:<case_hash(p)>")

``case_hash(0)`` and the chain hash before the first event are 64 zeros. The case chain
runs over one originator's versions 1..n, so one case can be proven on its own; the
global chain runs over the case hashes in notification order, so each global link
commits to the whole history of its case up to that event. Positions are notification
ids (PostgreSQL may skip ids; the chain links whatever ids exist, in order).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Engine,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    bindparam,
    func,
    select,
    text,
)

GENESIS = "0" * 64
CASE_DOMAIN = b"dispute-engine/case/1\n"
CHAIN_DOMAIN = b"dispute-engine/chain/1\n"

_Position = BigInteger().with_variant(Integer(), "sqlite")

metadata = MetaData()

event_chain = Table(
    "event_chain",
    metadata,
    Column("position", _Position, primary_key=True, autoincrement=False),
    Column("originator_id", String(64), nullable=False),
    Column("originator_version", BigInteger, nullable=False),
    Column("topic", Text, nullable=False),
    Column("payload_sha256", String(64), nullable=False),
    Column("chain_hash", String(64), nullable=False),
    Column("case_hash", String(64), nullable=False),
    Column("sealed_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("originator_id", "originator_version", name="event_chain_case_version"),
)

checkpoints = Table(
    "checkpoints",
    metadata,
    Column("position", _Position, primary_key=True, autoincrement=False),
    Column("head", String(64), nullable=False),
    Column("signed_at", Text, nullable=False),  # the time exactly as signed (ISO 8601, UTC)
    Column("signature", Text, nullable=False),
    Column("public_key", Text, nullable=False),
    Column("key_fingerprint", String(64), nullable=False),
)

SQLITE_EVENTS_TABLE = "stored_events"


# -- the hash rules ------------------------------------------------------------


def payload_digest(state: bytes) -> str:
    return hashlib.sha256(state).hexdigest()


def case_link(
    previous: str, position: int, originator_id: str, version: int, topic: str, payload_sha256: str
) -> str:
    leaf = json.dumps(
        [position, originator_id, version, topic, payload_sha256], ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.sha256(CASE_DOMAIN + previous.encode() + b"\n" + leaf.encode("utf-8")).hexdigest()


def chain_link(previous: str, position: int, case_hash: str) -> str:
    return hashlib.sha256(CHAIN_DOMAIN + previous.encode() + b"\n" + f"{position}:{case_hash}".encode()).hexdigest()


def canonical_id(value: Any) -> str:
    """An originator id in one spelling on both stores: the hyphenated UUID (SQLite keeps hex)."""
    try:
        return str(value if isinstance(value, UUID) else UUID(str(value)))
    except ValueError:
        return str(value)


# -- rows ----------------------------------------------------------------------


@dataclass(frozen=True)
class StoredRow:
    """One row of the events table, as stored."""

    position: int
    originator_id: str
    originator_version: int
    topic: str
    state: bytes


@dataclass(frozen=True)
class ChainRow:
    position: int
    originator_id: str
    originator_version: int
    topic: str
    payload_sha256: str
    chain_hash: str
    case_hash: str
    sealed_at: datetime

    def as_values(self) -> dict[str, Any]:
        return {column.name: getattr(self, column.name) for column in event_chain.columns}


def seal_rows(
    rows: Iterable[StoredRow], previous_chain: str, case_heads: dict[str, tuple[int, str]], sealed_at: datetime
) -> list[ChainRow]:
    """Link ``rows`` (in position order) onto the chain; ``case_heads`` (id → version, case hash) is updated."""
    sealed = []
    for row in rows:
        _version, previous_case = case_heads.get(row.originator_id, (0, GENESIS))
        digest = payload_digest(row.state)
        case_hash = case_link(previous_case, row.position, row.originator_id, row.originator_version, row.topic, digest)
        previous_chain = chain_link(previous_chain, row.position, case_hash)
        case_heads[row.originator_id] = (row.originator_version, case_hash)
        sealed.append(ChainRow(row.position, row.originator_id, row.originator_version, row.topic, digest,
                               previous_chain, case_hash, sealed_at))
    return sealed


def as_utc(moment: datetime) -> datetime:
    """SQLite hands timestamps back without their zone; they were written in UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


# -- reading the chain -----------------------------------------------------------


@contextmanager
def consistent_read(engine: Engine) -> Iterator[Connection]:
    """One consistent view of events, chain and checkpoints while the sealer keeps writing."""
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            yield connection



def _chain_row(record: Any) -> ChainRow:
    return ChainRow(
        position=int(record.position), originator_id=record.originator_id,
        originator_version=int(record.originator_version), topic=record.topic,
        payload_sha256=record.payload_sha256, chain_hash=record.chain_hash, case_hash=record.case_hash,
        sealed_at=as_utc(record.sealed_at),
    )


def chain_tip(connection: Connection) -> tuple[int, str]:
    """The last sealed position and its chain hash ((0, GENESIS) before the first)."""
    record = connection.execute(
        select(event_chain.c.position, event_chain.c.chain_hash).order_by(event_chain.c.position.desc()).limit(1)
    ).first()
    return (int(record.position), record.chain_hash) if record else (0, GENESIS)


def chain_page(connection: Connection, after: int, limit: int, stop: int | None = None) -> list[ChainRow]:
    query = select(event_chain).where(event_chain.c.position > after)
    if stop is not None:
        query = query.where(event_chain.c.position <= stop)
    return [_chain_row(r) for r in connection.execute(query.order_by(event_chain.c.position).limit(limit))]


def case_chain(connection: Connection, originator_id: str) -> list[ChainRow]:
    query = select(event_chain).where(event_chain.c.originator_id == originator_id)
    return [_chain_row(r) for r in connection.execute(query.order_by(event_chain.c.originator_version))]


def chain_hash_before(connection: Connection, position: int) -> str:
    record = connection.execute(
        select(event_chain.c.chain_hash).where(event_chain.c.position < position)
        .order_by(event_chain.c.position.desc()).limit(1)
    ).first()
    return record.chain_hash if record else GENESIS


def case_heads(connection: Connection, originator_ids: Sequence[str]) -> dict[str, tuple[int, str]]:
    """The last sealed (version, case hash) of each of ``originator_ids`` that has one."""
    if not originator_ids:
        return {}
    latest = (
        select(event_chain.c.originator_id, func.max(event_chain.c.originator_version).label("version"))
        .where(event_chain.c.originator_id.in_(bindparam("ids", expanding=True)))
        .group_by(event_chain.c.originator_id)
        .subquery()
    )
    query = select(event_chain.c.originator_id, event_chain.c.originator_version, event_chain.c.case_hash).join(
        latest,
        (event_chain.c.originator_id == latest.c.originator_id)
        & (event_chain.c.originator_version == latest.c.version),
    )
    return {
        r.originator_id: (int(r.originator_version), r.case_hash)
        for r in connection.execute(query, {"ids": list(originator_ids)})
    }


# -- reading the events table, as stored -----------------------------------------


class EventsTable:
    """The events table of the one application, read with plain SQL on the read-model engine."""

    def __init__(self, dialect: str) -> None:
        self.dialect = dialect
        if dialect == "sqlite":
            self.name, self.position = SQLITE_EVENTS_TABLE, "rowid"
        elif dialect == "postgresql":
            from dispute_engine.cases import DisputeEngine

            # eventsourcing.postgres names it after the application: "<name lowercased>_events".
            self.name, self.position = f"{DisputeEngine.name.lower()}_events", "notification_id"
        else:
            raise ValueError(f"the audit chain supports SQLite and PostgreSQL, not {dialect!r}")

    @classmethod
    def of(cls, connection: Connection) -> EventsTable:
        return cls(connection.dialect.name)

    def exists(self, connection: Connection) -> bool:
        from sqlalchemy import inspect

        return inspect(connection).has_table(self.name)

    def _select(self) -> str:
        return (f"SELECT {self.position} AS position, originator_id, originator_version, topic, state "
                f"FROM {self.name}")

    def page(self, connection: Connection, after: int, limit: int, stop: int | None = None) -> list[StoredRow]:
        where = f" WHERE {self.position} > :after"
        params: dict[str, Any] = {"after": after, "limit": limit}
        if stop is not None:
            where += f" AND {self.position} <= :stop"
            params["stop"] = stop
        statement = text(self._select() + where + f" ORDER BY {self.position} LIMIT :limit")
        return [self._row(r) for r in connection.execute(statement, params)]

    def of_case(self, connection: Connection, originator_id: str) -> list[StoredRow]:
        stored_id: Any = originator_id
        if self.dialect == "sqlite":
            try:
                stored_id = UUID(originator_id).hex
            except ValueError:
                pass
        statement = text(self._select() + " WHERE originator_id = :id ORDER BY originator_version")
        return [self._row(r) for r in connection.execute(statement, {"id": stored_id})]

    def head(self, connection: Connection) -> int:
        return int(connection.execute(text(f"SELECT MAX({self.position}) FROM {self.name}")).scalar() or 0)

    @staticmethod
    def _row(record: Any) -> StoredRow:
        return StoredRow(
            position=int(record.position), originator_id=canonical_id(record.originator_id),
            originator_version=int(record.originator_version), topic=record.topic, state=bytes(record.state),
        )
