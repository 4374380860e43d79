"""The server's view of the audit chain: the sealer's position and the last full verification."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone

import structlog
from prometheus_client.core import GaugeMetricFamily

from dispute_engine.bootstrap import Engine
from dispute_engine.config import Settings
from dispute_engine.integrity import Sealer, VerifyReport, verify_store

log = structlog.get_logger(__name__)


@dataclass
class LastVerification:
    checked_at: datetime
    ok: bool
    summary: str
    bad_position: int | None


class IntegrityWatch:
    """Runs ``verify`` in the background and keeps its result for /metrics and the auditor's pages."""

    def __init__(self, settings: Settings, engine: Engine, sealer: Sealer) -> None:
        self.settings = settings
        self.engine = engine
        self.sealer = sealer
        self.last: LastVerification | None = None
        self._lock = threading.Lock()

    def verify_now(self) -> LastVerification:
        report: VerifyReport = verify_store(self.settings, read_engine=self.engine.read_engine)
        result = LastVerification(
            checked_at=datetime.now(timezone.utc), ok=report.ok, summary=report.summary(),
            bad_position=report.problem.position if report.problem else None,
        )
        with self._lock:
            self.last = result
        if not report.ok:
            log.error("integrity_verification_failed", position=result.bad_position)
        return result

    def run_forever(self, stop: threading.Event, interval: float) -> None:
        while not stop.wait(min(interval, 30.0) if self.last is None else interval):
            try:
                self.verify_now()
            except Exception:  # noqa: BLE001 - the server keeps serving; the failure is logged
                log.exception("integrity_verification_error")

    def figures(self) -> Iterable[GaugeMetricFamily]:
        status = self.sealer.status()
        unsealed = GaugeMetricFamily("audit_chain_unsealed_events", "Events recorded but not yet sealed")
        unsealed.add_metric([], status.unsealed)
        yield unsealed
        with self._lock:
            last = self.last
        intact = GaugeMetricFamily("audit_chain_intact", "1 if the last verification passed, 0 if it failed, "
                                   "-1 before the first")
        intact.add_metric([], -1 if last is None else int(last.ok))
        yield intact
