"""Pure ASGI middleware: request ids with one structlog line per request, metrics, and body limits."""

from __future__ import annotations

import json
import os
import time
import uuid
from typing import Any

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.metrics import Metrics

log = structlog.get_logger("api.access")

MAX_JSON_BODY = 1024 * 1024  # 1 MiB


class RequestContext:
    """Gives every request an id, logs one line when it ends, and counts it in the metrics.

    The line carries request id, method, route, status, duration, user, role, case id and the id of the
    serving process (several API worker processes may share a port), never names, ID numbers, phone
    numbers or claim texts.
    """

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope.get("headers") or []).get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if incoming and len(incoming) <= 64 and incoming.isprintable() else uuid.uuid4().hex
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode("latin-1"))]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            duration = time.perf_counter() - started
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            actor = state.get("actor")
            params = scope.get("path_params") or {}
            self.metrics.observe_request(scope["method"], template, status, duration)
            log.info(
                "request",
                request_id=request_id,
                method=scope["method"],
                route=template,
                status=status,
                duration_ms=round(duration * 1000, 2),
                user=getattr(actor, "user_id", None),
                role=getattr(getattr(actor, "role", None), "value", None),
                case_id=params.get("dispute_id") or params.get("complaint_id"),
                pid=os.getpid(),
            )


class BodyLimit:
    """413 for bodies over the limit: JSON bodies 1 MiB, document uploads their own configured limit."""

    def __init__(self, app: ASGIApp, upload_limit: int, upload_prefix: str = "/documents") -> None:
        self.app = app
        self.upload_limit = upload_limit
        self.upload_prefix = upload_prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        limit = self.upload_limit if scope["path"].startswith(self.upload_prefix) else MAX_JSON_BODY
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _too_large(scope, send, limit)
            return
        received = 0
        too_large = False

        async def counting_receive() -> Message:
            nonlocal received, too_large
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    too_large = True
                    return {"type": "http.disconnect"}
            return message

        started = False

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if too_large and not started:
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        await self.app(scope, counting_receive, guarded_send)
        if too_large and not started:
            await _too_large(scope, send, limit)


async def _too_large(scope: Scope, send: Send, limit: int) -> None:
    request_id = scope.get("state", {}).get("request_id")
    body: dict[str, Any] = {
        "code": "too_large",
        "message": f"the request body is over the limit of {limit} bytes",
        "detail": {"limit": limit},
        "request_id": request_id,
    }
    payload = json.dumps(body).encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]})
    await send({"type": "http.response.body", "body": payload})
