"""Follow one application's notification log into read-model tables, exactly once.

One step of the follower, for the views (generations of views) that stand at the
same position ``p``:

1. read the views' tracking positions (a short read transaction);
2. read up to ``batch_size`` notifications after ``p`` (``build_batch_size`` when every
   view at ``p`` is a generation being built) — the union of the views'
   topics — and decode them once; each view gets the events of its own topics;
   no read-model transaction is open meanwhile;
3. in ONE write transaction: move each view's tracking position from ``p`` to the
   new position with a conditional UPDATE (a view another worker got to first
   matches no row and is left out of this transaction: reload, go on), then hand
   each view that moved its batch; a generation being built that has caught up
   commits alone and switches readers to it in that transaction.

Views at other positions (a view being built from 0 beside live ones) take the
same steps in their own groups.

A generation being (re)built lives in its own tables beside the live one; readers
move to it in the transaction that makes it live, and the old one is dropped
afterwards (see :mod:`projections.reading` for why readers never see that).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from time import monotonic, sleep
from typing import Any

import sqlalchemy.exc
import structlog
from sqlalchemy import Connection, Engine, text

import eventsourcing.persistence
from eventsourcing.application import Application
from eventsourcing.domain import DomainEventProtocol
from projections import tracking
from projections.base import Projection, check_projection, generation_tables
from projections.engine import WRITE, is_read_model_engine
from projections.log import NotificationLog
from projections.reading import lock_view
from projections.tracking import ViewState
from projections.wakeup import Wakeup, wakeup_for

logger = structlog.get_logger()

DEFAULT_BATCH_SIZE = 1000
# A generation being built (a new view, a bumped version, a rebuild) is read in larger batches: fewer
# commits and statements per event. On SQLite a batch holds the write lock while it is applied (≈0.3 s
# for 5,000 events of every view), so live batches stay small to keep commands' waits short.
DEFAULT_BUILD_BATCH_SIZE = 5000

# Worth a retry in run_forever: the database went away or a lock wait failed.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    sqlalchemy.exc.OperationalError,
    sqlalchemy.exc.InterfaceError,
    eventsourcing.persistence.OperationalError,
    eventsourcing.persistence.InterfaceError,
)


@dataclass(frozen=True)
class Batch:
    """Events read for one generation of a view, from ``start`` (exclusive) to ``stop``."""

    view: str
    generation: int
    start: int
    stop: int
    head: int
    events: Sequence[DomainEventProtocol[Any]]
    live_generation: int | None
    """The live generation when the batch was read (the one a rebuild replaces)."""

    @property
    def rebuilding(self) -> bool:
        return self.generation != self.live_generation

    @property
    def caught_up(self) -> bool:
        return self.stop >= self.head

    @property
    def may_switch(self) -> bool:
        """Its commit makes the generation live if nothing moved meanwhile."""
        return self.rebuilding and self.caught_up


@dataclass(frozen=True)
class _Lane:
    """One generation of one view to advance, as planned from ``state``."""

    projection: Projection
    state: ViewState
    generation: int

    @property
    def start(self) -> int:
        found = self.state.get(self.generation)
        assert found is not None  # lanes are made only for generations in the state
        return found.position

    @property
    def rebuilding(self) -> bool:
        return self.generation != self.state.live_generation


@dataclass(frozen=True)
class Progress:
    """Reported after every committed batch; ``position`` of ``head`` is done."""

    view: str
    version: int
    generation: int
    rebuilding: bool
    position: int
    head: int
    events: int
    switched: bool


@dataclass(frozen=True)
class ViewStatus:
    name: str
    version: int
    """The version this code builds."""
    live_version: int | None
    """The version readers see (None before the first build completes)."""
    generation: int | None
    position: int
    """Last processed notification id of the live generation (0 when none)."""
    head: int
    """Last notification id in the log."""
    lag_events: int
    """Notifications of the view's topics recorded after ``position``."""
    lag_seconds: float
    """Age of the oldest of those (0 when caught up)."""
    rebuild_generation: int | None
    rebuild_position: int | None


ProgressCallback = Callable[[Progress], None]


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Follower:
    """Keeps ``projections`` up to date with one application's events.

    ``source`` is the eventsourcing Application (or a :class:`NotificationLog`
    over its recorder and mapper); ``engine`` comes from
    :func:`projections.engine.create_read_model_engine`. One follower is used by
    one thread; run as many followers (threads or processes) as you like on the
    same views: each batch is applied by exactly one of them.
    """

    def __init__(
        self,
        source: Application[Any] | NotificationLog,
        projections: Iterable[Projection],
        engine: Engine,
        *,
        batch_size: int = DEFAULT_BATCH_SIZE,
        build_batch_size: int | None = None,
        on_progress: ProgressCallback | None = None,
        clock: Callable[[], datetime] = _utcnow,
        wakeup: Wakeup | None = None,
    ) -> None:
        self.log = source if isinstance(source, NotificationLog) else NotificationLog.of(source)
        self.projections: dict[str, Projection] = {}
        for projection in projections:
            check_projection(projection)
            if projection.name in self.projections:
                raise ValueError(f"two projections are named {projection.name!r}")
            if len(projection.name) > tracking.VIEW_NAME_LENGTH:
                raise ValueError(f"{projection.name!r}: view names have at most 100 characters")
            self.projections[projection.name] = projection
        self._topics = {name: frozenset(p.topics) for name, p in self.projections.items()}
        if not is_read_model_engine(engine):
            raise ValueError("use projections.engine.create_read_model_engine() for the engine")
        if build_batch_size is None:
            # A caller that sizes the live batches sizes the builds with them (tests of batch boundaries).
            build_batch_size = DEFAULT_BUILD_BATCH_SIZE if batch_size == DEFAULT_BATCH_SIZE else batch_size
        if batch_size < 1 or build_batch_size < 1:
            raise ValueError("batch sizes must be at least 1")
        self.engine = engine
        self.batch_size = batch_size
        self.build_batch_size = build_batch_size
        self.on_progress = on_progress
        self._clock = clock
        self._wakeup = wakeup if wakeup is not None else wakeup_for(self.log.recorder)
        self._prepared = False
        self._outdated_logged: set[str] = set()

    # -- running ---------------------------------------------------------------

    def run_once(self) -> int:
        """Process everything recorded up to now; return the number of events handled.

        Builds any view that has no live generation of its current version first
        (a new view, or a bumped ``version``), switching readers when it is done.
        """
        self._prepare()
        until = self.log.head()
        handled = 0
        while True:
            done, progressed = self._advance(self._lanes(until), until, self.on_progress)
            handled += done
            if not progressed:
                return handled

    def run_forever(self, stop: threading.Event, poll_interval: float = 1.0) -> None:
        """Run until ``stop`` is set, waking on NOTIFY (PostgreSQL) or every ``poll_interval``."""
        self._wakeup.start()
        try:
            while not stop.is_set():
                try:
                    handled = self.run_once()
                except TRANSIENT_ERRORS as error:
                    logger.warning("projection_follower_retrying", error=str(error))
                    stop.wait(poll_interval)
                    continue
                if handled == 0:
                    self._wakeup.wait(poll_interval, stop)
        finally:
            self._wakeup.close()

    def rebuild(self, *projections: Projection | str, on_progress: ProgressCallback | None = None) -> int:
        """Build the views afresh beside the live ones, switch readers to each, drop the old ones.

        Views rebuilt together share their reads. Continues a build of the same
        version already under way (e.g. one that crashed). Returns the number of
        events handled.
        """
        chosen = [self._projection(projection) for projection in projections]
        on_progress = on_progress or self.on_progress
        self._prepare()
        building = {projection.name: self._claim_rebuild(projection) for projection in chosen}
        handled = 0
        while building:
            with self.engine.begin() as connection:
                states = tracking.load_all(connection, list(building))
            lanes = []
            for name, generation in list(building.items()):
                state = states[name]
                if state.live_generation == generation:
                    del building[name]
                elif state.get(generation) is None:
                    raise RuntimeError(
                        f"{name}: generation {generation} was removed during the rebuild "
                        "(a newer version of the view is running?)"
                    )
                else:
                    lanes.append(_Lane(self.projections[name], state, generation))
            handled += self._advance(lanes, self.log.head(), on_progress)[0]
        return handled

    # -- read-your-writes and monitoring ------------------------------------

    def wait_until(
        self, position: int, timeout: float = 5.0, views: Iterable[str] | None = None
    ) -> None:
        """Block until every view (or ``views``) has processed notification ``position``.

        Raises ``TimeoutError`` after ``timeout`` seconds.
        """
        names = list(views) if views is not None else list(self.projections)
        for name in names:
            self._projection(name)
        self._prepare()
        deadline = monotonic() + timeout
        delay = 0.005
        while True:
            with self.engine.begin() as connection:
                live = tracking.live_positions(connection, names)
            behind = [
                name for name in names
                if name not in live
                or live[name][0] != self.projections[name].version
                or live[name][1] < position
            ]
            if not behind:
                return
            remaining = deadline - monotonic()
            if remaining <= 0:
                raise TimeoutError(f"views {', '.join(behind)} did not reach position {position}")
            sleep(min(delay, remaining))
            delay = min(delay * 2, 0.1)

    def status(self) -> list[ViewStatus]:
        self._prepare()
        head = self.log.head()
        now = self._clock()
        statuses = []
        for projection in self.projections.values():
            state = self._load(projection.name)
            live = state.live
            position = live.position if live is not None else 0
            lag_events = self.log.count(position, head, projection.topics)
            lag_seconds = 0.0
            if lag_events:
                oldest = self.log.first_timestamp(position, projection.topics)
                if oldest is not None:
                    lag_seconds = max(0.0, (now - oldest).total_seconds())
            pending = self._pending(projection, state)
            statuses.append(
                ViewStatus(
                    name=projection.name,
                    version=projection.version,
                    live_version=state.live_version,
                    generation=state.live_generation,
                    position=position,
                    head=head,
                    lag_events=lag_events,
                    lag_seconds=lag_seconds,
                    rebuild_generation=pending.generation if pending else None,
                    rebuild_position=pending.position if pending else None,
                )
            )
        return statuses

    # -- one batch, in two halves (public for tests and custom loops) -------

    def fetch(self, view: str, *, limit: int | None = None) -> Batch | None:
        """Read the next batch for the generation this follower would advance next."""
        projection = self._projection(view)
        self._prepare()
        state, generations = self._plan(projection)
        if not generations or state.get(generations[0]) is None:
            return None
        head = self.log.head()
        lane = _Lane(projection, state, generations[0])
        if lane.start >= head and not lane.rebuilding:
            return None
        (batch,) = self._read([lane], head, limit)
        return batch

    def commit(self, batch: Batch) -> bool:
        """Apply ``batch``; False (and nothing changed) if the view has moved past its start."""
        self._projection(batch.view)  # an unknown view fails before anything is written
        (outcome,) = self._commit([batch], self.on_progress)
        return outcome is not None

    # -- internals -------------------------------------------------------------

    def _projection(self, projection: Projection | str) -> Projection:
        name = projection if isinstance(projection, str) else projection.name
        try:
            return self.projections[name]
        except KeyError:
            raise KeyError(f"this follower has no view named {name!r}") from None

    @contextmanager
    def _writing(self) -> Iterator[Connection]:
        with self.engine.connect() as connection:
            connection.execution_options(**WRITE)
            with connection.begin():
                yield connection

    def prepare(self) -> None:
        """Create the tracking tables and register the views (idempotent); readers then see
        ``ViewNotReady`` rather than a missing table until the first build completes."""
        self._prepare()

    def _prepare(self) -> None:
        if self._prepared:
            return
        with self._writing() as connection:
            tracking.create_tables(connection)
            for name in self.projections:
                tracking.register(connection, name)
        self._prepared = True

    def _load(self, view: str) -> ViewState:
        with self.engine.begin() as connection:
            state = tracking.load(connection, view)
        if state is None:
            raise RuntimeError(f"{view}: missing from the projection registry")
        return state

    def _pending(self, projection: Projection, state: ViewState) -> tracking.Generation | None:
        building = [
            g for g in state.generations
            if g.generation != state.live_generation and g.version == projection.version
            and (state.live_generation is None or g.generation > state.live_generation)
        ]
        return building[-1] if building else None

    def _lanes(self, until: int) -> list[_Lane]:
        """What to advance towards ``until`` now."""
        with self.engine.begin() as connection:
            states = tracking.load_all(connection, list(self.projections))
        lanes = []
        for projection in self.projections.values():
            state, generations = self._plan(projection, states.get(projection.name))
            # A generation dropped between reading the registry and the tracking rows is skipped.
            lanes += [_Lane(projection, state, g) for g in generations if state.get(g) is not None]
        return [lane for lane in lanes if lane.start < until or lane.rebuilding]

    def _advance(
        self, lanes: Sequence[_Lane], bound: int, on_progress: ProgressCallback | None
    ) -> tuple[int, bool]:
        """One batch towards ``bound`` for each lane, those at one position read together.

        Returns the events handled and whether anything moved (a conflict counts:
        another worker moved the view, so the caller should reload).
        """
        by_start: dict[int, list[_Lane]] = {}
        for lane in lanes:
            by_start.setdefault(lane.start, []).append(lane)
        handled, progressed = 0, False
        for start in sorted(by_start):
            together = by_start[start]
            building = all(lane.rebuilding for lane in together)
            batches = self._read(together, bound, self.build_batch_size if building else self.batch_size)
            for batch, outcome in zip(batches, self._apply(batches, on_progress), strict=True):
                if outcome is None:
                    progressed = True
                    continue
                handled += len(batch.events)
                progressed = progressed or outcome or batch.stop > batch.start
        return handled, progressed

    def _plan(
        self, projection: Projection, state: ViewState | None = None
    ) -> tuple[ViewState, list[int]]:
        """The generations to advance now: the live one if current, the one being built.

        Drops leftovers on the way and starts a build when the live generation is
        missing or of an older version. ``state`` is the view's state if just loaded.
        """
        if state is None:
            state = self._load(projection.name)
        version = projection.version
        if state.live_version is not None and state.live_version > version:
            if projection.name not in self._outdated_logged:
                self._outdated_logged.add(projection.name)
                logger.warning(
                    "projection_code_outdated", view=projection.name,
                    live_version=state.live_version, version=version,
                )
            return state, []
        pending = self._pending(projection, state)
        newest_version = max(version, state.live_version or 0)
        leftovers = [
            g.generation for g in state.generations
            if g.generation != state.live_generation
            and (pending is None or g.generation != pending.generation)
            and (
                g.version < newest_version
                or (state.live_generation is not None and g.generation < state.live_generation)
                or g.version == version
            )
        ]
        for generation in leftovers:
            self._drop(projection.name, generation)
        # A newer version being built beside an older live one: that code will take
        # over; building ours too would only have the two drop each other's builds.
        newer_build = any(g.version > version for g in state.generations)
        if (
            pending is None
            and not newer_build
            and (state.live_version is None or state.live_version < version)
        ):
            self._claim(projection, state)
            return self._plan(projection)
        if leftovers:
            state = self._load(projection.name)
        generations = []
        if state.live_version == version and state.live_generation is not None:
            generations.append(state.live_generation)
        if pending is not None:
            generations.append(pending.generation)
        return state, generations

    def _claim(self, projection: Projection, state: ViewState) -> int | None:
        generation = state.last_generation + 1
        tables = generation_tables(projection, generation)
        with self._writing() as connection:
            names = tables.names(connection.dialect.name)
            if not tracking.claim_generation(
                connection, projection.name, generation, projection.version, names, self._clock()
            ):
                return None
            tables.metadata.create_all(connection, checkfirst=False)
        logger.info("projection_generation_started", view=projection.name,
                    generation=generation, version=projection.version)
        return generation

    def _claim_rebuild(self, projection: Projection) -> int:
        while True:
            state = self._load(projection.name)
            if state.live_version is not None and state.live_version > projection.version:
                raise RuntimeError(
                    f"{projection.name}: readers already use version {state.live_version}; "
                    f"this code builds version {projection.version}"
                )
            pending = self._pending(projection, state)
            if pending is not None:
                return pending.generation
            generation = self._claim(projection, state)
            if generation is not None:
                return generation

    def _drop(self, view: str, generation: int) -> None:
        """Remove a generation readers no longer use, tracking row first.

        Deleting the row first waits for a worker mid-batch on it (its UPDATE
        holds the row) and makes its next UPDATE match nothing; only then are
        the tables dropped, so the two never wait on each other's locks.
        """
        with self._writing() as connection:
            lock_view(connection, view, exclusive=True)
            state = tracking.load(connection, view)
            found = state.get(generation) if state is not None else None
            if found is None or not tracking.forget(connection, view, generation):
                return
            quote = connection.dialect.identifier_preparer.quote
            for table in found.tables:
                connection.execute(text(f"DROP TABLE IF EXISTS {quote(table)}"))
        logger.info("projection_generation_dropped", view=view, generation=generation)

    def _read(
        self, lanes: Sequence[_Lane], bound: int, limit: int | None = None
    ) -> list[Batch]:
        """One batch per lane, all from the lanes' common start, read and decoded once.

        No lane gets more than ``limit`` events. Lanes sharing a read get only their own
        topics, so when the first ``limit`` notifications leave every lane short, one more
        page tops the busiest up (as far as ``limit``).
        """
        start = lanes[0].start
        limit = limit or self.batch_size
        wanted = [self._topics[lane.projection.name] for lane in lanes]
        topics = () if not all(wanted) else sorted(frozenset().union(*wanted))
        notifications = list(self.log.read(start, limit, bound, topics)) if start < bound else []
        full = len(notifications) == limit
        if full and all(wanted):
            busiest = max(sum(n.topic in chosen for n in notifications) for chosen in wanted)
            if busiest < limit:
                more = self.log.read(notifications[-1].id, limit - busiest, bound, topics)
                full = len(more) == limit - busiest
                notifications += more
        stop = notifications[-1].id if full else max(start, bound)
        events = self.log.decode(notifications)
        return [
            Batch(
                view=lane.projection.name,
                generation=lane.generation,
                start=start,
                stop=stop,
                head=bound,
                events=(
                    events if not chosen or len(chosen) == len(topics)
                    else [e for n, e in zip(notifications, events, strict=True) if n.topic in chosen]
                ),
                live_generation=lane.state.live_generation,
            )
            for lane, chosen in zip(lanes, wanted, strict=True)
        ]

    def _apply(
        self, batches: Sequence[Batch], on_progress: ProgressCallback | None
    ) -> list[bool | None]:
        """Commit the batches read together: in one transaction, except those that may switch.

        A switch also locks the live generation's tracking row; alone in its
        transaction, it never holds one view's row while waiting for another's.
        """
        together = [batch for batch in batches if not batch.may_switch]
        groups = [together] if together else []
        groups += [[batch] for batch in batches if batch.may_switch]
        outcomes: dict[int, bool | None] = {}
        for group in groups:
            outcomes.update(zip(map(id, group), self._commit(group, on_progress), strict=True))
        return [outcomes[id(batch)] for batch in batches]

    def _commit(
        self, batches: Sequence[Batch], on_progress: ProgressCallback | None
    ) -> list[bool | None]:
        """Apply the batches in one transaction; for each: None if another worker had moved its
        generation on (nothing of it applied), else whether it switched readers."""
        outcomes: list[bool | None] = [None] * len(batches)
        # Tracking rows first, in one order for every worker: workers following
        # overlapping sets of views queue on the first row they share, never in a cycle.
        order = sorted(range(len(batches)), key=lambda i: (batches[i].view, batches[i].generation))
        with self._writing() as connection:
            now = self._clock()
            for index in order:
                batch = batches[index]
                if tracking.advance(connection, batch.view, batch.generation, batch.start, batch.stop, now):
                    outcomes[index] = False
            if all(outcome is None for outcome in outcomes):
                connection.rollback()
                return outcomes
            for index, batch in enumerate(batches):
                if outcomes[index] is None:
                    continue
                projection = self.projections[batch.view]
                if batch.events:
                    projection.process(connection, generation_tables(projection, batch.generation), batch.events)
                if batch.may_switch:
                    outcomes[index] = self._switch(connection, projection, batch, now)
        for batch, outcome in zip(batches, outcomes, strict=True):
            if outcome is not None:
                self._committed(batch, outcome, on_progress)
        return outcomes

    def _committed(self, batch: Batch, switched: bool, on_progress: ProgressCallback | None) -> None:
        if switched:
            logger.info("projection_generation_live", view=batch.view,
                        generation=batch.generation, position=batch.stop)
            if batch.live_generation is not None:
                self._drop(batch.view, batch.live_generation)
        if on_progress is not None:
            on_progress(
                Progress(
                    view=batch.view, version=self.projections[batch.view].version, generation=batch.generation,
                    rebuilding=batch.rebuilding and not switched, position=batch.stop, head=batch.head,
                    events=len(batch.events), switched=switched,
                )
            )

    def _switch(
        self, connection: Connection, projection: Projection, batch: Batch, now: datetime
    ) -> bool:
        if batch.live_generation is not None:
            # Locked so the live generation cannot move on before the switch commits:
            # readers must never see the view go back in the log.
            live_position = tracking.locked_position(connection, batch.view, batch.live_generation)
            if live_position is not None and live_position > batch.stop:
                return False
        return tracking.switch(
            connection, batch.view, batch.live_generation, batch.generation,
            projection.version, now,
        )
