"""Prometheus metrics, one registry per app (so several apps in one process never collide).

Several API worker processes share one port, so a scrape reaches one of them. With
``PROMETHEUS_MULTIPROC_DIR`` set (``serve --workers`` sets it), every process writes its counters to
files there and a scrape sums them over all the processes; the live figures are read at scrape time.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector


class _Live(Collector):
    """Figures read at scrape time: projection lag, retried conflicts."""

    def __init__(self, read: Callable[[], Iterable[GaugeMetricFamily]]) -> None:
        self.read = read

    def collect(self) -> Iterable[GaugeMetricFamily]:
        yield from self.read()


MULTIPROCESS_DIR_ENV = "PROMETHEUS_MULTIPROC_DIR"


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self._live: list[_Live] = []
        self.requests = Counter("http_requests_total", "HTTP requests", ["method", "route", "status"],
                                registry=self.registry)
        self.latency = Histogram("http_request_duration_seconds", "HTTP request latency", ["route"],
                                 registry=self.registry,
                                 buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5))
        self.commands = Counter("commands_total", "Commands by name and outcome", ["command", "outcome"],
                                registry=self.registry)

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        self.requests.labels(method, route, str(status)).inc()
        self.latency.labels(route).observe(seconds)

    def command(self, name: str, outcome: str) -> None:
        self.commands.labels(name, outcome).inc()

    def add_live(self, read: Callable[[], Iterable[GaugeMetricFamily]]) -> None:
        live = _Live(read)
        self._live.append(live)
        self.registry.register(live)

    def render(self) -> bytes:
        if not os.environ.get(MULTIPROCESS_DIR_ENV):
            return generate_latest(self.registry)
        every_process = CollectorRegistry()
        MultiProcessCollector(every_process)
        for live in self._live:
            every_process.register(live)
        return generate_latest(every_process)
