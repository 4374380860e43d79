"""The sealer: trails the notification log and links every new event into the audit chain, exactly once.

One step: read the chain's tip, read the next notifications after it (no transaction held
meanwhile), then in ONE write transaction check the tip has not moved, link the batch onto
it, insert the rows, and sign a checkpoint if one is due. ``event_chain.position`` is the
primary key: when two sealers race, the second one's insert (or its tip check) fails, its
whole batch rolls back, and it starts again from the new tip. Run it in-process beside the
server (:meth:`Sealer.run_forever`) and/or as ``dispute-engine seal``; any number at once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import sqlalchemy.exc
import structlog
from sqlalchemy import Connection, Engine as SqlEngine, func, insert, select

from dispute_engine.clock import Clock
from dispute_engine.integrity_chain import (
    ChainRow,
    StoredRow,
    as_utc,
    canonical_id,
    case_heads,
    chain_tip,
    checkpoints,
    event_chain,
    seal_rows,
)
from dispute_engine.integrity_checkpoints import (
    Checkpoint,
    CheckpointPolicy,
    SigningKey,
    fingerprint,
    latest_checkpoint,
    load_checkpoint_key,
    sign_checkpoint,
    store_checkpoint,
)
from dispute_engine.integrity_guard import create_integrity_tables, ensure_guards
from eventsourcing.application import Application
from projections.engine import WRITE, is_read_model_engine
from projections.follower import TRANSIENT_ERRORS
from projections.log import NotificationLog
from projections.wakeup import Wakeup, wakeup_for

if TYPE_CHECKING:
    from dispute_engine.bootstrap import Engine

logger = structlog.get_logger()

DEFAULT_BATCH_SIZE = 500


class SealingBlocked(RuntimeError):
    """The next events cannot be sealed without another sealer having moved on: the log was tampered with.

    E.g. a sealed event moved to a new position: sealing it again would repeat its case and version.
    ``dispute-engine verify`` names the position.
    """


@dataclass(frozen=True)
class SealStatus:
    sealed_position: int
    """The last sealed notification id (0 before the first)."""
    log_head: int
    unsealed: int
    """Events recorded after ``sealed_position``."""
    checkpoint_position: int | None
    checkpoint_time: str | None


class Sealer:
    """Links new events into ``event_chain`` and signs checkpoints; one instance per thread."""

    def __init__(
        self,
        source: Application | NotificationLog,
        engine: SqlEngine,
        *,
        signing_key: SigningKey | None,
        policy: CheckpointPolicy | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
        clock: Callable[[], datetime] | None = None,
        wakeup: Wakeup | None = None,
    ) -> None:
        if not is_read_model_engine(engine):
            raise ValueError("use projections.engine.create_read_model_engine() for the engine")
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self.log = source if isinstance(source, NotificationLog) else NotificationLog.of(source)
        self.engine = engine
        self.signing_key = signing_key
        self.policy = policy or CheckpointPolicy()
        self.batch_size = batch_size
        self._clock = clock or Clock().now
        self._wakeup = wakeup if wakeup is not None else wakeup_for(self.log.recorder)
        self._prepared = False
        if signing_key is None:
            logger.warning("integrity_sealer_unsigned", reason="no checkpoint key: sealing without checkpoints")

    # -- running -----------------------------------------------------------------------

    def run_once(self) -> int:
        """Seal everything recorded up to now, sign a checkpoint if due; return the number of events sealed."""
        self._prepare()
        until = self.log.head()
        sealed = 0
        while True:
            step = self._step(until)
            if step is None:  # another sealer moved the tip: start from the new one
                continue
            if step == 0:
                break
            sealed += step
        self._sign_if_due()
        return sealed

    def run_forever(self, stop: threading.Event, interval: float = 1.0) -> None:
        """Seal until ``stop`` is set, waking on NOTIFY (PostgreSQL) or every ``interval`` seconds."""
        self._wakeup.start()
        try:
            while not stop.is_set():
                try:
                    sealed = self.run_once()
                except TRANSIENT_ERRORS as error:
                    logger.warning("integrity_sealer_retrying", error=str(error))
                    stop.wait(interval)
                    continue
                except SealingBlocked as error:
                    logger.error("integrity_sealing_blocked", error=str(error))
                    stop.wait(interval)
                    continue
                if sealed == 0:
                    self._wakeup.wait(interval, stop)
        finally:
            self._wakeup.close()

    def checkpoint_now(self) -> Checkpoint | None:
        """Seal, then sign the sealed head now unless a checkpoint is already there; None for an empty log."""
        if self.signing_key is None:
            raise RuntimeError("this sealer has no checkpoint key")
        self.run_once()
        with self._writing() as connection:
            position, head = chain_tip(connection)
            latest = latest_checkpoint(connection)
            if position == 0 or (latest is not None and latest.position == position):
                return latest
            return self._sign(connection, position, head, self._clock())

    def status(self) -> SealStatus:
        self._prepare()
        head = self.log.head()
        with self.engine.begin() as connection:
            position, _ = chain_tip(connection)
            latest = latest_checkpoint(connection)
        return SealStatus(position, head, self.log.count(position, head) if head > position else 0,
                          latest.position if latest else None, latest.time if latest else None)

    # -- one batch -------------------------------------------------------------------------

    def _step(self, until: int) -> int | None:
        with self.engine.begin() as connection:
            tip, _ = chain_tip(connection)
            pending = _pending(connection) if self.signing_key is not None else 0
        limit = self.batch_size
        if self.signing_key is not None:
            # End batches where a checkpoint falls due, so checkpoints land every N events exactly.
            limit = max(1, min(limit, self.policy.every - pending))
        notifications = self.log.read(tip, limit, until) if tip < until else []
        if not notifications:
            return 0
        rows = [StoredRow(n.id, canonical_id(n.originator_id), n.originator_version, n.topic, n.state)
                for n in notifications]
        now = self._clock()
        try:
            with self._writing() as connection:
                current, previous = chain_tip(connection)
                if current != tip:
                    connection.rollback()
                    return None
                heads = case_heads(connection, sorted({row.originator_id for row in rows}))
                _log_version_gaps(rows, heads)
                sealed = seal_rows(rows, previous, heads, now)
                connection.execute(insert(event_chain), [row.as_values() for row in sealed])
                self._sign_if_due_in(connection, sealed[-1], now)
        except sqlalchemy.exc.IntegrityError as error:
            with self.engine.begin() as connection:
                moved = chain_tip(connection)[0] != tip
            if moved:  # another sealer committed this batch first
                return None
            raise SealingBlocked(f"cannot seal positions {rows[0].position}..{rows[-1].position}: "
                                 f"{str(error.orig).splitlines()[0]}") from None
        return len(sealed)

    def _sign_if_due(self) -> None:
        if self.signing_key is None:
            return
        now = self._clock()
        try:
            with self._writing() as connection:
                position, head = chain_tip(connection)
                if position:
                    last = ChainRow(position, "", 0, "", "", head, "", now)
                    self._sign_if_due_in(connection, last, now)
        except sqlalchemy.exc.IntegrityError:
            pass  # another sealer signed this position first

    def _sign_if_due_in(self, connection: Connection, tip: ChainRow, now: datetime) -> None:
        if self.signing_key is None:
            return
        latest = latest_checkpoint(connection)
        covered = latest.position if latest else 0
        if tip.position <= covered:
            return
        pending = _pending(connection, covered)
        oldest = connection.execute(
            select(event_chain.c.sealed_at).where(event_chain.c.position > covered)
            .order_by(event_chain.c.position).limit(1)
        ).scalar()
        waited = now - as_utc(oldest) if oldest is not None else timedelta(0)
        if pending >= self.policy.every or waited >= timedelta(minutes=self.policy.minutes):
            self._sign(connection, tip.position, tip.chain_hash, now)

    def _sign(self, connection: Connection, position: int, head: str, now: datetime) -> Checkpoint:
        assert self.signing_key is not None
        checkpoint = sign_checkpoint(self.signing_key, position, head, now)
        store_checkpoint(connection, checkpoint)
        logger.info("integrity_checkpoint_signed", position=position, key_fingerprint=checkpoint.key_fingerprint)
        return checkpoint

    # -- plumbing ----------------------------------------------------------------------------

    @contextmanager
    def _writing(self) -> Iterator[Connection]:
        with self.engine.connect() as connection:
            connection.execution_options(**WRITE)
            with connection.begin():
                yield connection

    def _prepare(self) -> None:
        if self._prepared:
            return
        with self._writing() as connection:
            create_integrity_tables(connection)
            ensure_guards(connection)
        self._prepared = True


def create_sealer(engine: Engine, environ: Mapping[str, str] | None = None, *,
                  batch_size: int = DEFAULT_BATCH_SIZE) -> Sealer:
    """A sealer for a bootstrapped engine, with the key and the checkpoint policy from the environment.

    Raises :class:`~dispute_engine.config.ConfigurationError` naming ``DISPUTE_ENGINE_CHECKPOINT_KEY``
    when production has no key: call it at start-up.
    """
    key = load_checkpoint_key(engine.settings, environ)
    logger.info("integrity_checkpoint_key_loaded", key_fingerprint=fingerprint(key))
    return Sealer(engine.app, engine.read_engine, signing_key=key, policy=CheckpointPolicy.from_env(environ),
                  batch_size=batch_size)


def _pending(connection: Connection, covered: int | None = None) -> int:
    """Sealed events not yet covered by a checkpoint."""
    if covered is None:
        covered = connection.execute(select(func.max(checkpoints.c.position))).scalar() or 0
    return int(connection.execute(
        select(func.count()).select_from(event_chain).where(event_chain.c.position > covered)).scalar() or 0)


def _log_version_gaps(rows: list[StoredRow], heads: dict[str, tuple[int, str]]) -> None:
    # The chain records what is stored; a gap (a row removed before sealing) is sealed as is and
    # reported by verification, rather than stopping the sealer for good.
    expected = {oid: version for oid, (version, _hash) in heads.items()}
    for row in rows:
        if row.originator_version != expected.get(row.originator_id, 0) + 1:
            logger.warning("integrity_version_gap", position=row.position, originator_id=row.originator_id,
                           version=row.originator_version)
        expected[row.originator_id] = row.originator_version
