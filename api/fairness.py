"""Fair shares: caps on the requests each user, each agency and each unsigned client has in progress at once,
and turns between agencies for the few requests the server can run at once.

One agency's flood — a script with many connections, a stuck retry loop — must not crowd out the others. Every
request counts, while it is in progress (until its response is sent), against its principals:

- a request with a token this API signed that has not expired (``Authorization: Bearer`` or the UI's session
  cookie): its user and its user's agency;
- any other request: its client address, which takes turns like an agency.

Each principal has a cap (``per_user``, ``per_agency``, ``per_address``). Besides, the requests in progress
run side by side, on as many CPUs as the process has (and one Python thread at a time): each one beyond what
can run at once slows every other down without making the server faster, and a request, once started, runs to
its end. So a request starts only while fewer than ``total`` are in progress — except an agency's first: each
agency always has one request running, so another agency's requests, however many or long, never hold it up
for more than its own. When a request ends, the waiting request to start is the first of the agency with the
fewest in progress (agencies with as many take turns): a flooding agency gets what the others leave.

A request that may not start waits — in a line at most twice each of its principals' caps long — for at most
``wait_ms``. If its turn does not come in time, or a line is full, it is answered 429 with ``Retry-After`` in
the API's one error shape, after that wait: nothing is run, nothing recorded, and a client that retries at
once cannot spin.

The caps are read once from the environment (``DISPUTE_ENGINE_FAIR_*``, see :class:`FairShare`), per server
process. Failed sign-ins are throttled separately, per user name (``api.auth``).
"""

from __future__ import annotations

import asyncio
import json
import math
import os
from collections import Counter, deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import structlog
from fastapi import FastAPI
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Receive, Scope, Send

from api.auth import InvalidToken
from api.ui.session import SESSION_COOKIE
from dispute_engine.config import ConfigurationError

log = structlog.get_logger(__name__)

MAX_KNOWN_TOKENS = 4096
Principal = tuple[str, str]  # ("user", name) | ("agency", agency) | ("address", host)


def default_total() -> int:
    """The CPUs this process may run on, at least 2."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 2
    return max(2, cpus)


@dataclass(frozen=True)
class FairShare:
    """The caps on requests in progress at once (0 switches one off) and how long a request over one waits."""

    per_user: int = 2  # with its line of 4, the 6 connections a browser opens to one host never meet a 429
    per_agency: int = 4
    per_address: int = 8  # requests without a valid token (sign-in, health checks, bad tokens), per client
    wait_ms: int = 1000
    total: int = field(default_factory=lambda: default_total())  # in progress at once, each agency's first aside

    VARIABLES = {"per_user": "DISPUTE_ENGINE_FAIR_USER_REQUESTS",
                 "per_agency": "DISPUTE_ENGINE_FAIR_AGENCY_REQUESTS",
                 "per_address": "DISPUTE_ENGINE_FAIR_ADDRESS_REQUESTS",
                 "wait_ms": "DISPUTE_ENGINE_FAIR_WAIT_MS",
                 "total": "DISPUTE_ENGINE_FAIR_TOTAL_REQUESTS"}

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> FairShare:
        """The caps from ``DISPUTE_ENGINE_FAIR_*``; an unset variable keeps its default."""
        env = os.environ if environ is None else environ
        values: dict[str, int] = {}
        for name, variable in cls.VARIABLES.items():
            raw = env.get(variable, "").strip()
            if not raw:
                continue
            highest = 60_000 if name == "wait_ms" else 100_000
            if not raw.isdigit() or int(raw) > highest:
                raise ConfigurationError(f"{variable}: expected a whole number from 0 to {highest}, got {raw!r}")
            values[name] = int(raw)
        return cls(**values)

    @property
    def retry_after(self) -> int:
        return max(1, math.ceil(self.wait_ms / 1000))


def install_fair_share(app: FastAPI, share: FairShare | None = None) -> None:
    """Enforce ``share`` (else ``DISPUTE_ENGINE_FAIR_*``) on every request of ``app`` and document its 429 on
    every operation. Call it after adding the middleware that should see only admitted requests and before the
    one that gives each request its id, logs and counts it (``BodyLimit`` and ``RequestContext``)."""
    app.add_middleware(FairShareLimit, share=share or FairShare.from_env())
    build = app.openapi

    def openapi() -> dict[str, Any]:
        schema = build()
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                operation.setdefault("responses", {}).setdefault("429", REFUSAL)
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


REFUSAL = {
    "description": "Too many requests of this user, agency or client in progress; retry after Retry-After seconds",
    "headers": {"Retry-After": {"schema": {"type": "integer"}, "description": "seconds"}},
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}},
}


class FairShareLimit:
    """Pure ASGI middleware enforcing :class:`FairShare`. Counting happens on the event loop between awaits,
    so it needs no lock; the counts are per process."""

    def __init__(self, app: ASGIApp, share: FairShare | None = None) -> None:
        self.app = app
        self.share = share or FairShare.from_env()
        self.in_progress: Counter[Principal] = Counter()
        self.running = 0  # requests in progress, all principals
        self.waiting: Counter[Principal] = Counter()  # requests in line, per principal
        self.lines: dict[Principal, deque[_Waiter]] = {}  # per agency or address, in turn order
        self.known_tokens: dict[str, tuple[str, str, float]] = {}  # token → (user, agency, expiry), verified once
        self.refusing: set[Principal] = set()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        principals = self.principals(scope)
        refused = await self.admit(principals)
        if refused is not None:
            await self.refuse(scope, send, *refused)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            self.release(principals)

    def principals(self, scope: Scope) -> list[tuple[Principal, int]]:
        """What the request counts against, each with its cap; the last is the one taking turns."""
        identity = self.identity(scope)
        if identity is None:
            client = scope.get("client")
            return [(("address", client[0] if client else "unknown"), self.share.per_address)]
        user, agency = identity
        return [(("user", user), self.share.per_user), (("agency", agency), self.share.per_agency)]

    def identity(self, scope: Scope) -> tuple[str, str] | None:
        """(user, agency) of the request's token if this API signed it and it has not expired; else ``None``."""
        token = _token(scope)
        auth = getattr(getattr(scope.get("app"), "state", None), "auth", None)
        if token is None or auth is None:
            return None
        known = self.known_tokens.get(token)
        if known is None:
            try:
                claims = auth.tokens.verify(token)
            except InvalidToken:
                return None
            if len(self.known_tokens) >= MAX_KNOWN_TOKENS:
                self.known_tokens.clear()
            known = self.known_tokens[token] = (claims.name, claims.agency, claims.expires_at.timestamp())
        user, agency, expires_at = known
        if auth.tokens.clock.now().timestamp() >= expires_at:
            del self.known_tokens[token]
            return None
        return user, agency

    def may_start(self, principals: list[tuple[Principal, int]]) -> bool:
        """Whether the request may start now: each principal below its cap, and fewer than ``total`` in
        progress or none of its agency's (or address's): each agency's first request always starts."""
        if any(cap and self.in_progress[principal] >= cap for principal, cap in principals):
            return False
        group = principals[-1][0]
        return not self.share.total or self.running < self.share.total or not self.in_progress[group]

    async def admit(self, principals: list[tuple[Principal, int]]) -> tuple[Principal, int] | None:
        """``None`` once the request may proceed (counted in); else the principal whose share refused it.

        A request that may not start now joins its agency's (or address's) line, unless one of its principals
        already has twice its cap (or the total) waiting, and waits for its turn (:meth:`start_waiting`, run
        whenever a request ends) for at most ``wait_ms``."""
        group = principals[-1][0]
        if group not in self.lines and self.may_start(principals):
            self.count_in(principals)
            return None
        loop = asyncio.get_running_loop()
        if any(self.waiting[who] >= 2 * (cap or self.share.total or math.inf) for who, cap in principals):
            await asyncio.sleep(self.share.wait_ms / 1000)  # refused, but not at once: no client can spin
            return self.blame(principals)
        waiter = _Waiter(principals, loop.create_future())
        self.lines.setdefault(group, deque()).append(waiter)
        self.waiting.update(principal for principal, _ in principals)
        timer = loop.call_later(self.share.wait_ms / 1000, self.expire, waiter)
        self.start_waiting()
        try:
            if await waiter.turn:
                return None
        except BaseException:
            if waiter.turn.done() and not waiter.turn.cancelled() and waiter.turn.result():
                self.release(principals)  # started, and cancelled before it could run
            raise
        finally:
            timer.cancel()
            self.leave_line(waiter)
        return self.blame(principals)

    def count_in(self, principals: list[tuple[Principal, int]]) -> None:
        self.running += 1
        self.in_progress.update(principal for principal, _ in principals)

    def release(self, principals: list[tuple[Principal, int]]) -> None:
        self.running -= 1
        for principal, _ in principals:
            self.in_progress[principal] -= 1
            if not self.in_progress[principal]:
                del self.in_progress[principal]
                self.refusing.discard(principal)
        self.start_waiting()

    def start_waiting(self) -> None:
        """Start every waiting request that may start, one at a time: the first in the line of the agency (or
        address) with the fewest requests in progress, the lines taking turns between equals (a line that was
        served goes to the back of the order)."""
        while True:
            chosen: _Waiter | None = None
            for group, line in self.lines.items():
                if chosen is not None and self.in_progress[group] >= self.in_progress[chosen.principals[-1][0]]:
                    continue
                chosen = next((w for w in line if not w.turn.done() and self.may_start(w.principals)), chosen)
            if chosen is None:
                return
            group = chosen.principals[-1][0]
            self.leave_line(chosen)
            if group in self.lines:
                self.lines[group] = self.lines.pop(group)  # its turn taken: to the back
            self.count_in(chosen.principals)
            chosen.turn.set_result(True)

    def expire(self, waiter: _Waiter) -> None:
        if not waiter.turn.done():
            waiter.turn.set_result(False)
            self.leave_line(waiter)

    def leave_line(self, waiter: _Waiter) -> None:
        group = waiter.principals[-1][0]
        line = self.lines.get(group)
        if line is None or waiter not in line:
            return
        line.remove(waiter)
        if not line:
            del self.lines[group]
        self.waiting.subtract(principal for principal, _ in waiter.principals)
        for principal, _ in waiter.principals:
            if self.waiting[principal] <= 0:
                del self.waiting[principal]

    def blame(self, principals: list[tuple[Principal, int]]) -> tuple[Principal, int]:
        """The principal to name in the refusal, with its limit: the first at its cap, else the agency (or
        address), held to the requests it had in progress while the others took their turns."""
        for principal, cap in principals:
            if cap and self.in_progress[principal] >= cap:
                return principal, cap
        group = principals[-1][0]
        return group, self.in_progress[group]

    async def refuse(self, scope: Scope, send: Send, principal: Principal, cap: int) -> None:
        kind, name = principal
        if principal not in self.refusing:  # one line per burst, not per refused request
            self.refusing.add(principal)
            log.warning("fair_share_exceeded", principal=kind, agency=name if kind == "agency" else None,
                        user_id=name if kind == "user" else None, cap=cap)
        whose = {"user": "this user", "agency": f"the {name} agency", "address": "this client"}[kind]
        retry_after = self.share.retry_after
        body = {
            "code": "too_many_requests",
            "message": f"{whose} already has {cap} requests in progress; retry after {retry_after} s",
            "detail": {"limit": cap, "per": kind, "retry_after": retry_after},
            "request_id": scope.get("state", {}).get("request_id"),
        }
        payload = json.dumps(body).encode()
        await send({"type": "http.response.start", "status": 429,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(payload)).encode()),
                                (b"retry-after", str(retry_after).encode())]})
        await send({"type": "http.response.body", "body": payload})


@dataclass(eq=False)
class _Waiter:
    principals: list[tuple[Principal, int]]
    turn: asyncio.Future[bool]  # True once started (counted in), False when its wait ran out


def _token(scope: Scope) -> str | None:
    """The bearer token of the ``Authorization`` header, else the UI session cookie's."""
    cookie = None
    for name, value in scope.get("headers") or ():
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            if scheme.lower() == "bearer" and token.strip():
                return token.strip()
        elif name == b"cookie":
            cookie = value.decode("latin-1")
    if cookie and SESSION_COOKIE in cookie:
        return cookie_parser(cookie).get(SESSION_COOKIE) or None
    return None
