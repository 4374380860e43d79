"""The one place that builds the engine from settings: stores, application, views, clock."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import structlog
from sqlalchemy import Engine as SqlEngine

from dispute_engine.cases import DisputeEngine
from dispute_engine.clock import Clock
from dispute_engine.config import Settings
from dispute_engine.timers import DeadlineClock
from dispute_engine.vault import Vault, open_vault
from projections.base import Projection
from projections.deadlines import DeadlinesView
from projections.engine import create_read_model_engine
from projections.follower import Follower

log = structlog.get_logger(__name__)


def all_views() -> list[Projection]:
    """Every read model the engine keeps, in the order they are built."""
    from projections.caseload import CaseloadView
    from projections.cases import CaseListView
    from projections.inbox import InboxView
    from projections.parties import PartyIndexView
    from projections.tickets import TicketListView
    from projections.timeliness import TimelinessView

    return [DeadlinesView(), CaseListView(), InboxView(), TicketListView(), PartyIndexView(), CaseloadView(),
            TimelinessView()]


@dataclass
class Engine:
    settings: Settings
    clock: Clock
    app: DisputeEngine
    read_engine: SqlEngine
    vault: Vault
    views: dict[str, Projection] = field(default_factory=dict)

    def follower(self, names: list[str] | None = None) -> Follower:
        """A follower over the named views (all by default); one per thread."""
        chosen = [self.views[n] for n in names] if names else list(self.views.values())
        return Follower(self.app, chosen, self.read_engine)

    def deadline_clock(self) -> DeadlineClock:
        view = self.views["deadlines"]
        return DeadlineClock(self.app, Follower(self.app, [view], self.read_engine), view, self.clock)

    def close(self) -> None:
        self.app.close()
        self.read_engine.dispose()
        self.vault.close()

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def bootstrap(settings: Settings, *, clock: Clock | None = None) -> Engine:
    """Build everything from settings. Nothing is built at import time."""
    clock = clock or Clock()
    if settings.postgres is None:
        # Create the data directory and the SQLite file (through the app) before any worker starts.
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    vault = open_vault(settings)
    app = DisputeEngine(settings, clock, vault)
    read_engine = create_read_model_engine(settings)
    views = {view.name: view for view in all_views()}
    Follower(app, list(views.values()), read_engine).prepare()
    log.info("engine_started", store=settings.store_description, environment=settings.environment)
    return Engine(settings=settings, clock=clock, app=app, read_engine=read_engine, vault=vault, views=views)


@contextmanager
def startup_lock(settings: Settings) -> Iterator[None]:
    """Hold the store's start-up lock: one process at a time creates the tables and files it needs.

    Processes that start together on an empty store (API workers, the background worker) would race to
    create the same tables: on PostgreSQL all but one ``CREATE TABLE`` fail on the catalogue's unique
    index, and a fresh SQLite file can refuse a write while another process switches it to WAL. So they
    take turns: a session advisory lock keyed by the schema on PostgreSQL, a lock file in the data
    directory for SQLite.
    """
    if settings.postgres is None:
        import fcntl

        settings.data_dir.mkdir(parents=True, exist_ok=True)
        with (settings.data_dir / "startup.lock").open("a") as lock_file:
            fcntl.flock(lock_file, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock_file, fcntl.LOCK_UN)
        return
    import psycopg

    pg = settings.postgres
    with psycopg.connect(host=pg.host, port=pg.port, dbname=pg.dbname, user=pg.user, password=pg.password or None,
                         connect_timeout=10, autocommit=True) as connection:
        key = f"dispute-engine start-up {settings.postgres_schema}"
        connection.execute("SELECT pg_advisory_lock(hashtext(%s))", (key,))
        try:
            yield
        finally:
            connection.execute("SELECT pg_advisory_unlock(hashtext(%s))", (key,))
