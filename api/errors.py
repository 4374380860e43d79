"""Every error leaves the API in one JSON shape: {"code", "message", "detail", "request_id"}.

Domain errors map to HTTP here and nowhere else: invalid input 422 (naming the field), not allowed
now 409 (naming the rule and its article), absent or not visible 404, stale version 412. No stack
trace and no personal data is ever put in a response.
"""

from __future__ import annotations

from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from dispute_engine.documents import DocumentCorrupted, DocumentError
from domain.deadlines import DeadlineError
from domain.errors import CommandNotAllowed, DomainError, InvalidInput, NotFound, RouteRefused, StaleVersion

log = structlog.get_logger(__name__)


class Forbidden(Exception):
    """The caller's role may not do this (403)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ViewBehind(Exception):
    """A read asked for ``after=POSITION`` and the view did not get there in time (503)."""

    def __init__(self, position: int) -> None:
        super().__init__(f"the views have not yet reached position {position}; retry shortly")
        self.position = position


def request_id_of(request: Request) -> str | None:
    return getattr(request.state, "request_id", None)


def error_response(request: Request, status: int, code: str, message: str, detail: Any = None,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    body = {"code": code, "message": message, "detail": detail, "request_id": request_id_of(request)}
    return JSONResponse(body, status_code=status, headers=headers)


def field_path(location: tuple[Any, ...] | list[Any]) -> str:
    """("body", "claimants", 0, "person", "id_number") → "claimants[0].person.id_number"."""
    path = ""
    for part in location:
        if part in ("body", "query", "path", "header") and not path:
            continue
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path or "body"


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(InvalidInput)
    async def invalid(request: Request, error: InvalidInput) -> JSONResponse:
        return error_response(request, 422, "invalid_input", error.message,
                              {"field": error.field, "reason": error.reason})

    @app.exception_handler(DeadlineError)
    async def invalid_deadline(request: Request, error: DeadlineError) -> JSONResponse:
        return error_response(request, 422, "invalid_input", str(error), {"field": error.field})

    @app.exception_handler(RouteRefused)
    async def refused(request: Request, error: RouteRefused) -> JSONResponse:
        return error_response(request, 409, "route_refused", error.message,
                              {"rule": error.rule_id, "article": error.article, "overridable": error.overridable})

    @app.exception_handler(CommandNotAllowed)
    async def not_allowed(request: Request, error: CommandNotAllowed) -> JSONResponse:
        return error_response(request, 409, "not_allowed_now", error.message,
                              {"state": error.state, "allowed": error.allowed})

    @app.exception_handler(NotFound)
    async def not_found(request: Request, error: NotFound) -> JSONResponse:
        return error_response(request, 404, "not_found", error.message)

    @app.exception_handler(StaleVersion)
    async def stale(request: Request, error: StaleVersion) -> JSONResponse:
        return error_response(request, 412, "stale_version", error.message,
                              {"expected": error.expected, "current": error.current},
                              headers={"ETag": f'"{error.current}"'})

    @app.exception_handler(DomainError)
    async def domain(request: Request, error: DomainError) -> JSONResponse:
        return error_response(request, 422, error.code, error.message)

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, error: Forbidden) -> JSONResponse:
        return error_response(request, 403, "forbidden", error.message)

    @app.exception_handler(ViewBehind)
    async def behind(request: Request, error: ViewBehind) -> JSONResponse:
        return error_response(request, 503, "view_behind", str(error), {"position": error.position},
                              headers={"Retry-After": "1"})

    @app.exception_handler(RequestValidationError)
    async def validation(request: Request, error: RequestValidationError) -> JSONResponse:
        problems = [
            {"field": field_path(item.get("loc", ())), "reason": item.get("msg", "invalid")}
            for item in error.errors()
        ]
        first = problems[0] if problems else {"field": "body", "reason": "invalid"}
        return error_response(request, 422, "invalid_input", f"{first['field']}: {first['reason']}",
                              {"field": first["field"], "reason": first["reason"], "errors": problems})

    @app.exception_handler(StarletteHTTPException)
    async def http(request: Request, error: StarletteHTTPException) -> JSONResponse:
        codes = {401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
                 413: "too_large", 415: "unsupported_media_type", 429: "too_many_requests"}
        message = error.detail if isinstance(error.detail, str) else codes.get(error.status_code, "error")
        return error_response(request, error.status_code, codes.get(error.status_code, "error"), message,
                              headers=getattr(error, "headers", None))

    @app.exception_handler(DocumentError)
    async def document(request: Request, error: DocumentError) -> JSONResponse:
        status = {"too_large": 413, "unsupported_media_type": 415, "not_found": 404}.get(error.code, 422)
        if isinstance(error, DocumentCorrupted):
            log.error("document_corrupted", request_id=request_id_of(request))
            return error_response(request, 500, "document_corrupted",
                                  "the stored document no longer matches its hash; it was not served")
        return error_response(request, status, error.code, error.message)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> JSONResponse:
        log.error("request_failed", error_type=type(error).__name__, request_id=request_id_of(request))
        return error_response(request, 500, "internal_error", "the request failed; nothing was recorded")
