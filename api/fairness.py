"""Fair shares: a cap on the requests each user, each agency and each unsigned client has in progress at once.

One agency's flood — a script with many connections, a stuck retry loop — must not crowd out the others. Every
request counts, while it is in progress (until its response is sent), against its principals:

- a request with a token this API signed that has not expired (``Authorization: Bearer`` or the UI's session
  cookie): its user and its user's agency;
- any other request: its client address.

Agencies with requests in progress share the agency cap: each may have ``per_agency`` divided by their number
(at least one), so a flooding agency yields as soon as another agency is served.

A request that would take a principal over its cap waits for one of that principal's requests to end — in a
line at most twice the cap long, at most ``wait_ms`` — and then proceeds. If none ends in time, or the line is
full, it is answered 429 with ``Retry-After`` in the API's one error shape, after that wait: nothing is run,
nothing recorded, and a client that retries at once cannot spin. Other principals' requests are not held up.

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
from dataclasses import dataclass
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
RECHECK = 0.05  # seconds between a waiting request's looks at its caps
Principal = tuple[str, str]  # ("user", name) | ("agency", agency) | ("address", host)


@dataclass(frozen=True)
class FairShare:
    """The caps on requests in progress at once (0 switches one off) and how long a request over one waits."""

    per_user: int = 2  # with its line of 4, the 6 connections a browser opens to one host never meet a 429
    per_agency: int = 4
    per_address: int = 8  # requests without a valid token (sign-in, health checks, bad tokens), per client
    wait_ms: int = 1000

    VARIABLES = {"per_user": "DISPUTE_ENGINE_FAIR_USER_REQUESTS",
                 "per_agency": "DISPUTE_ENGINE_FAIR_AGENCY_REQUESTS",
                 "per_address": "DISPUTE_ENGINE_FAIR_ADDRESS_REQUESTS",
                 "wait_ms": "DISPUTE_ENGINE_FAIR_WAIT_MS"}

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
        self.lines: dict[Principal, deque[asyncio.Future[None]]] = {}
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
        """What the request counts against, each with its cap."""
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

    def blocking(self, principals: list[tuple[Principal, int]]) -> tuple[Principal, int] | None:
        """The first principal at its cap, with that cap; ``None`` when the request may proceed."""
        for principal, cap in principals:
            if principal[0] == "agency" and cap:
                cap = max(1, cap // self.busy_agencies(principal))
            if cap and self.in_progress[principal] >= cap:
                return principal, cap
        return None

    def busy_agencies(self, principal: Principal) -> int:
        """How many agencies have requests in progress, ``principal``'s counted: they share the agency cap."""
        others = sum(1 for p in self.in_progress if p[0] == "agency" and p != principal)
        return others + 1

    async def admit(self, principals: list[tuple[Principal, int]]) -> tuple[Principal, int] | None:
        """``None`` once the request may proceed (counted in); else the principal whose cap refused it.

        A request over a cap joins that principal's line and is woken when one of the principal's requests
        ends; it also looks again every ``RECHECK`` seconds, since a cap shared between agencies grows when
        another agency's last request ends."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.share.wait_ms / 1000
        in_line_of: Principal | None = None  # the line this request stood in, whose place it keeps
        while (blocked := self.blocking(principals)) is not None:
            principal, cap = blocked
            remaining = deadline - loop.time()
            line = self.lines.setdefault(principal, deque())
            if remaining <= 0 or (in_line_of != principal and len(line) >= 2 * dict(principals)[principal]):
                if not line:
                    del self.lines[principal]
                await asyncio.sleep(max(0.0, remaining))  # refused, but not at once: no client can spin
                return blocked
            turn: asyncio.Future[None] = loop.create_future()
            if in_line_of == principal:
                line.appendleft(turn)
            else:
                line.append(turn)
            in_line_of = principal
            try:
                await asyncio.wait_for(turn, timeout=min(remaining, RECHECK))
            except TimeoutError:
                pass
            finally:
                if turn in line:
                    line.remove(turn)
                if not line:
                    self.lines.pop(principal, None)
            woken = turn.done() and not turn.cancelled()
            if woken and self.blocking(principals) not in (None, blocked):
                self.wake(principal)  # woken for a slot it cannot use (another cap holds it): pass it on
        for principal, _ in principals:
            self.in_progress[principal] += 1
        return None

    def release(self, principals: list[tuple[Principal, int]]) -> None:
        for principal, _ in principals:
            self.in_progress[principal] -= 1
            if not self.in_progress[principal]:
                del self.in_progress[principal]
                self.refusing.discard(principal)
            self.wake(principal)

    def wake(self, principal: Principal) -> None:
        """Give the first request waiting in ``principal``'s line its turn."""
        for turn in self.lines.get(principal, ()):
            if not turn.done():
                turn.set_result(None)
                return

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
