"""Blocking endpoints in one trip through the thread pool.

Under load, every trip from the event loop to the thread pool waits for a free thread and for the
GIL, and costs more than many a request's own work. FastAPI makes several per request: one for each
plain ``def`` dependency, one for a plain ``def`` endpoint and one more to validate that endpoint's
response. So the dependencies that do no I/O are ``async``; an endpoint that reads or writes the
store is wrapped in :func:`blocking`, which makes it a coroutine that goes to the pool once; and the
one blocking check every signed-in request needs, the read of the user's row, is handed to that same
trip with :func:`defer_to_endpoint`, to run before the endpoint's body.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any, TypeVar

from fastapi import Request
from fastapi.concurrency import run_in_threadpool

Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])
RUNS_DEFERRED_CHECKS = "runs_deferred_checks"

# Set by a request's dependencies and read by its endpoint: both run in the request's own task.
_deferred: ContextVar[tuple[Callable[[], Any], ...]] = ContextVar("deferred_checks", default=())


def blocking(endpoint: Endpoint) -> Endpoint:
    """Run ``endpoint`` in the thread pool in one trip, after the checks its dependencies deferred to it.

    FastAPI reads the parameters from the wrapped function's signature, and validates the response
    on the event loop because the wrapper is a coroutine.
    """

    @functools.wraps(endpoint)
    async def run(*args: Any, **kwargs: Any) -> Any:
        checks = _deferred.get()
        _deferred.set(())
        return await run_in_threadpool(_checked_call, checks, endpoint, args, kwargs)

    setattr(run, RUNS_DEFERRED_CHECKS, True)
    return run  # type: ignore[return-value]


def defer_to_endpoint(request: Request, check: Callable[[], Any]) -> bool:
    """Hand ``check`` to the request's endpoint when it is :func:`blocking`: it then runs first, in the
    endpoint's trip to the thread pool, and an exception from it answers the request instead. ``False``
    when the endpoint cannot take it; the caller runs the check itself."""
    endpoint = getattr(request.scope.get("route"), "endpoint", None)
    if not getattr(endpoint, RUNS_DEFERRED_CHECKS, False):
        return False
    _deferred.set((*_deferred.get(), check))
    return True


def _checked_call(checks: tuple[Callable[[], Any], ...], endpoint: Callable[..., Any], args: tuple[Any, ...],
                  kwargs: dict[str, Any]) -> Any:
    for check in checks:
        check()
    return endpoint(*args, **kwargs)
