"""The one place that builds the engine from settings: stores, application, clock."""

from __future__ import annotations

from dataclasses import dataclass

import structlog

from dispute_engine.cases import DisputeEngine
from dispute_engine.clock import Clock
from dispute_engine.config import Settings

log = structlog.get_logger(__name__)


@dataclass
class Engine:
    settings: Settings
    clock: Clock
    app: DisputeEngine

    def close(self) -> None:
        self.app.close()

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def bootstrap(settings: Settings, *, clock: Clock | None = None) -> Engine:
    """Build everything from settings. Nothing is built at import time."""
    clock = clock or Clock()
    if settings.postgres is None:
        # Create the data directory (and the SQLite file, through the app) before any worker starts.
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    app = DisputeEngine(settings, clock)
    log.info("engine_started", store=settings.store_description, environment=settings.environment)
    return Engine(settings=settings, clock=clock, app=app)
