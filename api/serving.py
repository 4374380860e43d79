"""Serving the API with uvicorn: one process, or several worker processes sharing one listening socket.

Worker processes are started by uvicorn's supervisor, which imports :data:`WORKER_APP` in each of them
and calls it; settings come from the environment (:meth:`Settings.from_env`), as for every command.
They run no background duties: ``dispute-engine worker`` runs those in a process of its own.
"""

from __future__ import annotations

import os
import socket
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from api.app import create_app
from api.metrics import MULTIPROCESS_DIR_ENV
from dispute_engine.bootstrap import startup_lock
from dispute_engine.config import Settings
from dispute_engine.logs import configure_logging

WORKER_APP = "api.serving:worker_app"


def worker_app() -> FastAPI:
    """The app of one API worker process (uvicorn's factory): no background duties."""
    configure_logging()
    settings = Settings.from_env()
    with startup_lock(settings):
        return create_app(settings, background=False)


def prepare_store(settings: Settings) -> None:
    """Create everything the API needs in the store, and the development secrets, once before the workers
    start: they then only find what they need, and the first requests do not wait for it."""
    with startup_lock(settings):
        app = create_app(settings, background=False)
    app.state.runtime.engine.close()
    app.state.documents.close()


def run_workers(app: str, *, host: str, port: int, workers: int, **options: Any) -> None:
    """uvicorn's supervisor with ``workers`` processes serving ``app`` (an app factory's import path) until
    SIGTERM or SIGINT, on a socket bound here (see :func:`listening_socket`)."""
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    config = uvicorn.Config(app, factory=True, host=host, port=port, workers=workers, **options)
    with _shared_metrics():
        Multiprocess(config, sockets=[listening_socket(host, port)]).run()


@contextmanager
def _shared_metrics() -> Iterator[None]:
    """A folder where every worker process keeps its Prometheus counters, so that a scrape, answered by
    one of them, sums all (:mod:`api.metrics`): ``PROMETHEUS_MULTIPROC_DIR`` emptied, or a new one."""
    given = os.environ.get(MULTIPROCESS_DIR_ENV)
    if given:
        folder = Path(given)
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.glob("*.db"):  # counters of processes from an earlier run
            stale.unlink()
        yield
        return
    with tempfile.TemporaryDirectory(prefix="dispute-engine-metrics-") as folder:
        os.environ[MULTIPROCESS_DIR_ENV] = folder  # read by the worker processes when they start
        try:
            yield
        finally:
            del os.environ[MULTIPROCESS_DIR_ENV]


def listening_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to ``host:port``, declared as TCP (``IPPROTO_TCP``), inheritable by worker processes.

    asyncio turns Nagle's algorithm off (``TCP_NODELAY``) only on accepted connections whose socket says
    ``IPPROTO_TCP``, which they inherit from the listening socket. uvicorn's own ``bind_socket`` (0.54)
    leaves the protocol at 0, so with ``--workers`` every response on a kept-alive connection waited for
    the client's delayed acknowledgement, about 40 ms on Linux (uvicorn issue #3149).
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock
