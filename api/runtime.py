"""What every route needs at run time, built once by ``create_app`` and held on ``app.state``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import Depends, Request
from pydantic import BaseModel

from api.access import sees_personal_data
from api.metrics import Metrics
from dispute_engine.access_log import AccessLog
from dispute_engine.bootstrap import Engine
from dispute_engine.idempotency import Fingerprinter, IdempotencyClaim
from domain.values import Actor

READ_YOUR_WRITES_TIMEOUT = 2.0


@dataclass
class Runtime:
    engine: Engine
    metrics: Metrics
    fingerprinter: Fingerprinter
    access_log: AccessLog

    @property
    def app(self) -> Any:
        return self.engine.app

    @property
    def clock(self) -> Any:
        return self.engine.clock

    def note_personal_data_read(self, actor: Actor, case_kind: str, case_id: str, what: str) -> None:
        """Every read of unmasked personal data goes into the access log that auditors query."""
        if sees_personal_data(actor):
            self.access_log.record(actor, case_kind, str(case_id), what)

    def claim(self, actor: Actor, key: str | None, route: str, body: Any) -> IdempotencyClaim | None:
        """The idempotency claim of a request with an ``Idempotency-Key`` header, scoped to its user.

        ``body`` is the request's JSON-shaped data, or its model, dumped only when there is a key.
        """
        if key is None:
            return None
        data = body.model_dump(mode="json") if isinstance(body, BaseModel) else body
        return self.fingerprinter.claim(actor.user_id, key, route, data)


async def get_runtime(request: Request) -> Runtime:
    # async: it does no I/O, and a plain ``def`` would cost a trip through the thread pool (api.blocking)
    return request.app.state.runtime


def runtime() -> Any:
    return Depends(get_runtime)

