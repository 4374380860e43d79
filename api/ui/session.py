"""Who is looking at a page: the session cookie, CSRF tokens and the pages' permission markers.

The session cookie ``de_session`` holds the same HS256 JWT the API issues (``TokenService``); it is
HttpOnly, SameSite=Lax, scoped to ``/ui`` and Secure when the request came over HTTPS. The actor is
read from the user's row on every request, exactly as for the API, so a disabled user is out at once.
Past half its life the token is re-issued, so an active session does not end mid-form.

CSRF: every form carries a per-session token, an HMAC of the session's token id under a key derived
from the signing secret; a cookie-authenticated POST without the right one is refused (403). The
sign-in form, which has no session yet, uses a double-submit cookie instead. A request that carries
an ``Authorization: Bearer`` header (an API client) is not exposed to CSRF: browsers never add that
header by themselves.

``page(*roles)`` is the pages' ``allow``: a dependency carrying the same ``PERMISSION_ATTRIBUTE`` marker,
so the route walk of tests/api/test_access.py checks the pages too. Without a valid session a browser
(``Accept: text/html``) is sent to the sign-in page; any other client gets 401, like the API.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from fastapi import Depends, Request, Response
from fastapi.concurrency import run_in_threadpool

from api.access import PERMISSION_ATTRIBUTE
from api.auth import InvalidToken, get_auth
from dispute_engine.secrets import load_jwt_secret
from domain.values import Actor

SESSION_COOKIE = "de_session"
LOGIN_CSRF_COOKIE = "de_login_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
COOKIE_PATH = "/ui"


class LoginRequired(Exception):
    """No valid session: the browser goes to the sign-in page, an API client gets 401."""

    def __init__(self, expired: bool = False) -> None:
        super().__init__("not signed in")
        self.expired = expired


class PageForbidden(Exception):
    """The signed-in role may not open this page (403)."""


class CsrfRejected(Exception):
    """A cookie-authenticated POST without this session's CSRF token (403)."""


@dataclass(frozen=True)
class Viewer:
    """The signed-in user of a page."""

    actor: Actor
    csrf_token: str
    via_cookie: bool

    @property
    def role(self) -> str:
        return self.actor.role.value

    @property
    def agency(self) -> str:
        return self.actor.agency.value

    @property
    def name(self) -> str:
        return self.actor.user_id


def csrf_key(request: Request) -> bytes:
    """The CSRF key of this app, derived once from the token-signing secret."""
    state = request.app.state
    key = getattr(state, "ui_csrf_key", None)
    if key is None:
        settings = request.app.state.runtime.engine.settings
        key = hmac.new(load_jwt_secret(settings).encode(), b"ui-csrf-token", hashlib.sha256).digest()
        state.ui_csrf_key = key
    return key


def csrf_token_for(request: Request, token_id: str) -> str:
    return hmac.new(csrf_key(request), token_id.encode(), hashlib.sha256).hexdigest()[:40]


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def authenticate(request: Request) -> Viewer:
    """The viewer of this request from its session cookie or bearer token; :class:`LoginRequired` if none."""
    auth = get_auth(request)
    bearer = _bearer(request)
    token = bearer or request.cookies.get(SESSION_COOKIE)
    if not token:
        raise LoginRequired()
    try:
        claims = auth.tokens.verify(token)
    except InvalidToken:
        raise LoginRequired(expired=True) from None
    user = auth.users.get(claims.name)
    if user is None or not user.enabled:
        raise LoginRequired(expired=True)
    via_cookie = bearer is None
    if via_cookie and _past_half_life(auth, claims):
        request.state.refreshed_session = auth.tokens.issue(user)
    return Viewer(actor=user.actor(), csrf_token=csrf_token_for(request, claims.token_id), via_cookie=via_cookie)


def _past_half_life(auth: Any, claims: Any) -> bool:
    now = auth.tokens.clock.now()
    return (claims.expires_at - now) < (claims.expires_at - claims.issued_at) / 2


async def check_csrf(request: Request, expected: str) -> None:
    """The form field or the htmx header must carry ``expected``."""
    given = request.headers.get(CSRF_HEADER)
    if not given:
        form = await request.form()
        value = form.get(CSRF_FIELD)
        given = value if isinstance(value, str) else None
    if not given or not hmac.compare_digest(given, expected):
        raise CsrfRejected()


def page(*roles: str) -> Any:
    """The pages' permission marker and dependency: admits ``roles``; POSTs must carry the CSRF token."""

    async def dependency(request: Request) -> Viewer:
        viewer = await run_in_threadpool(authenticate, request)  # reads the user row: not on the event loop
        request.state.actor = viewer.actor
        request.state.viewer = viewer
        if viewer.role not in roles:
            raise PageForbidden()
        if request.method == "POST" and viewer.via_cookie:
            await check_csrf(request, viewer.csrf_token)
        return viewer

    setattr(dependency, PERMISSION_ATTRIBUTE, tuple(roles))
    return Depends(dependency)


def optional_viewer(request: Request) -> Viewer | None:
    """The viewer when signed in, else ``None`` (for public pages and error pages)."""
    try:
        return authenticate(request)
    except LoginRequired:
        return None


# --------------------------------------------------------------------------- cookies


def is_https(request: Request) -> bool:
    return request.url.scheme == "https"


def set_session_cookie(response: Response, request: Request, token: str, max_age: int) -> None:
    response.set_cookie(SESSION_COOKIE, token, max_age=max_age, path=COOKIE_PATH, httponly=True, samesite="lax",
                        secure=is_https(request))


def clear_session_cookie(response: Response, request: Request) -> None:
    response.delete_cookie(SESSION_COOKIE, path=COOKIE_PATH, httponly=True, samesite="lax", secure=is_https(request))


def login_csrf_value(request: Request) -> str:
    """The sign-in form's double-submit value: the cookie's if present, else a new one."""
    current = request.cookies.get(LOGIN_CSRF_COOKIE)
    return current if current and len(current) == 43 else secrets.token_urlsafe(32)


def set_login_csrf_cookie(response: Response, request: Request, value: str) -> None:
    response.set_cookie(LOGIN_CSRF_COOKIE, value, max_age=3600, path=COOKIE_PATH, httponly=True, samesite="strict",
                        secure=is_https(request))


def wants_html(request: Request) -> bool:
    """A browser navigation (or an htmx request) rather than an API client."""
    return "text/html" in request.headers.get("accept", "") or request.headers.get("hx-request") == "true"


def safe_next(target: str | None, default: str = "/ui/") -> str:
    """Only a path inside the UI: never another site (no open redirect)."""
    if not target or not target.startswith("/ui") or target.startswith("//") or "\\" in target:
        return default
    return target
