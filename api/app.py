"""The HTTP API: ``create_app(settings)`` builds everything; nothing is built at import time."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager

import structlog
from fastapi import FastAPI
from fastapi.responses import RedirectResponse
from prometheus_client.core import GaugeMetricFamily

from api import ui
from api.access import public
from api.auth import build_auth
from api.background import BackgroundDuties, Intervals
from api.errors import install_error_handlers
from api.fairness import install_fair_share
from api.metrics import Metrics
from api.middleware import BodyLimit, RequestContext
from api.query_params import strict_query
from api.routers import cases, documents, health, lists, privacy, views
from api.runtime import Runtime
from dispute_engine.access_log import AccessLog
from dispute_engine.bootstrap import Engine, bootstrap
from dispute_engine.clock import Clock
from dispute_engine.config import Settings
from dispute_engine.documents import documents_from_settings
from dispute_engine.idempotency import Fingerprinter
from dispute_engine.integrity import create_sealer
from api.integrity_watch import IntegrityWatch
from dispute_engine.secrets import load_jwt_secret

log = structlog.get_logger(__name__)


def create_app(
    settings: Settings,
    *,
    clock: Clock | None = None,
    engine: Engine | None = None,
    background: bool = True,
    poll_interval: float = 0.2,
    clock_interval: float = 60.0,
    verify_interval: float = 600.0,
    upload_limit: int | None = None,
) -> FastAPI:
    """Build the API on ``settings``' store. With ``background``, the views, the deadline clock, the audit
    sealer and a periodic verification run in-process while the app serves (threads started at start-up,
    stopped at shutdown); without, run them elsewhere (``dispute-engine worker``, :mod:`api.background`)."""
    engine = engine or bootstrap(settings, clock=clock)
    sealer = create_sealer(engine)  # a production store without its checkpoint key stops here, named
    integrity = IntegrityWatch(settings, engine, sealer)
    metrics = Metrics()
    metrics.add_live(lambda: _live_figures(engine))
    metrics.add_live(integrity.figures)
    auth = build_auth(settings, engine.read_engine, engine.clock)
    duties = BackgroundDuties(engine, sealer, integrity, Intervals(views=poll_interval, clock=clock_interval,
                                                                   verify=verify_interval))

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if background:
            duties.start()
        log.info("api_started", background=background)
        try:
            yield
        finally:
            duties.stop()
            engine.close()
            app.state.documents.close()

    app = FastAPI(
        title="dispute-engine",
        summary="Labour-dispute resolution across the trade union, court, justice bureau and HR bureau",
        version="0.1.0",
        lifespan=lifespan,
        dependencies=[strict_query()],
    )
    app.state.integrity = integrity
    app.state.documents = documents_from_settings(settings)
    app.state.runtime = Runtime(engine=engine, metrics=metrics, fingerprinter=Fingerprinter(load_jwt_secret(settings)),
                                access_log=AccessLog(engine.read_engine, engine.clock))
    auth.install(app)
    install_error_handlers(app)
    app.include_router(health.build_router())
    app.include_router(lists.build_router())
    app.include_router(views.build_router())
    app.include_router(cases.build_router())
    app.include_router(ui.build_router())
    app.include_router(privacy.build_router())
    app.include_router(documents.build_router())

    @app.get("/", include_in_schema=False, dependencies=[public()])
    def root() -> RedirectResponse:
        return RedirectResponse("/ui/")

    app.add_middleware(BodyLimit, upload_limit=upload_limit or app.state.documents.max_bytes + 64 * 1024)
    install_fair_share(app)
    app.add_middleware(RequestContext, metrics=metrics)
    return app


def _live_figures(engine: Engine) -> Iterable[GaugeMetricFamily]:
    conflicts = GaugeMetricFamily("command_conflicts_retried", "Optimistic-concurrency conflicts retried")
    conflicts.add_metric([], engine.app.conflicts_retried)
    yield conflicts
    lag_events = GaugeMetricFamily("projection_lag_events", "Events the view has not processed yet", labels=["view"])
    lag_seconds = GaugeMetricFamily("projection_lag_seconds", "Age of the oldest unprocessed event", labels=["view"])
    try:
        statuses = engine.follower().status()
    except Exception:  # noqa: BLE001 - a scrape must not fail because a view is being built
        statuses = []
    for status in statuses:
        lag_events.add_metric([status.name], status.lag_events)
        lag_seconds.add_metric([status.name], status.lag_seconds)
    yield lag_events
    yield lag_seconds
