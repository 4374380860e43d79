"""Sign-in, sign-out, the language switch, the home page of each role, and the static files."""

from __future__ import annotations

import hashlib
import hmac
import re
from functools import cache
from importlib.resources import files

import structlog
from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import RedirectResponse
from starlette.datastructures import FormData

from api.access import public
from api.ui import i18n
from api.ui.rendering import error_page, redirect, render, secure_headers
from api.ui.session import (
    LOGIN_CSRF_COOKIE,
    Viewer,
    clear_session_cookie,
    is_https,
    login_csrf_value,
    optional_viewer,
    page,
    safe_next,
    set_login_csrf_cookie,
    set_session_cookie,
)
from api.ui.views.common import ALL_ROLES, PAGE, page_router
from dispute_engine.users import is_valid_name, normalise_name
from domain.errors import NotFound

log = structlog.get_logger(__name__)

HOME = {"staff": "/ui/queue", "partner": "/ui/inbox", "auditor": "/ui/audit"}
STATIC_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8",
                ".svg": "image/svg+xml", ".png": "image/png", ".md": "text/markdown; charset=utf-8",
                ".txt": "text/plain; charset=utf-8"}
_STATIC_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,80}")


async def form_data(request: Request) -> FormData:
    return await request.form()


def build_router() -> APIRouter:
    router = page_router()

    @router.get("/ui/", **PAGE)
    def home(request: Request, viewer: Viewer = page(*ALL_ROLES)) -> Response:
        if viewer.role in HOME:
            return RedirectResponse(HOME[viewer.role], status_code=303)
        return render(request, "admin.html")

    @router.get("/ui/login", dependencies=[public()], **PAGE)
    def login_page(request: Request) -> Response:
        target = safe_next(request.query_params.get("next"))
        if optional_viewer(request) is not None:
            return RedirectResponse(target, status_code=303)
        notice = "Your session has ended. Please sign in again." if request.query_params.get("expired") else None
        return _login_form(request, target, notice=notice)

    @router.post("/ui/login", dependencies=[public()], **PAGE)
    def sign_in(request: Request, form: FormData = Depends(form_data)) -> Response:
        target = safe_next(_field(form, "next"))
        cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
        if not cookie or not hmac.compare_digest(cookie, _field(form, "csrf_token")):
            return error_page(request, 403, "Not allowed",
                              "The form has expired or did not come from this site. Reload the page and try again.")
        auth = request.app.state.auth
        name = normalise_name(_field(form, "username"))
        if not is_valid_name(name):
            return _login_form(request, target, name=name, error="Incorrect user name or password.", status=401)
        retry_after = auth.users.throttled(name)
        if retry_after is not None:
            log.warning("sign_in_throttled")
            error = i18n.translate(_language(request), "Too many failed sign-ins; try again in {seconds} seconds.",
                                   seconds=retry_after)
            return _login_form(request, target, name=name, status=429, error=error)
        user = auth.users.verify_password(name, _field(form, "password"))
        if user is None:
            auth.users.record_failure(name)
            log.info("sign_in_failed", via="ui")
            return _login_form(request, target, name=name, error="Incorrect user name or password.", status=401)
        auth.users.clear_failures(name)
        issued = auth.tokens.issue(user)
        log.info("token_issued", user_id=user.name, token_id=issued.claims["jti"], via="ui")
        response = RedirectResponse(target, status_code=303)
        set_session_cookie(response, request, issued.access_token, issued.expires_in)
        response.delete_cookie(LOGIN_CSRF_COOKIE, path="/ui")
        secure_headers(response)
        return response

    @router.post("/ui/logout", **PAGE)
    def sign_out(request: Request, viewer: Viewer = page(*ALL_ROLES)) -> Response:
        log.info("signed_out", user_id=viewer.name)
        response = RedirectResponse("/ui/login", status_code=303)
        clear_session_cookie(response, request)
        secure_headers(response)
        return response

    @router.get("/ui/lang/{language}", dependencies=[public()], **PAGE)
    def switch_language(language: str, request: Request) -> Response:
        response = redirect(request, safe_next(request.query_params.get("next")))
        if language in i18n.LANGUAGES:
            response.set_cookie(i18n.LANGUAGE_COOKIE, language, max_age=365 * 24 * 3600, path="/ui", samesite="lax",
                                secure=is_https(request))
        return response

    @router.get("/ui/static/{name}", dependencies=[public()], **PAGE)
    def static(name: str, request: Request) -> Response:
        found = static_file(name)
        if found is None:
            raise NotFound(f"no static file {name}")
        content, etag, media_type = found
        headers = {"ETag": etag, "Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff"}
        if request.headers.get("if-none-match") == etag:
            return Response(status_code=304, headers=headers)
        return Response(content, media_type=media_type, headers=headers)

    return router


@cache
def static_file(name: str) -> tuple[bytes, str, str] | None:
    """(bytes, ETag, media type) of a file shipped in ``api/ui/static``; ``None`` for any other name."""
    if not _STATIC_NAME.fullmatch(name) or ".." in name:
        return None
    suffix = name[name.rfind("."):] if "." in name else ""
    if suffix not in STATIC_TYPES:
        return None
    resource = files("api.ui").joinpath("static", name)
    if not resource.is_file():
        return None
    content = resource.read_bytes()
    return content, f'"{hashlib.sha256(content).hexdigest()[:32]}"', STATIC_TYPES[suffix]


def _field(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def _language(request: Request) -> str:
    return i18n.choose_language(request.cookies.get(i18n.LANGUAGE_COOKIE), request.headers.get("accept-language"))


def _login_form(request: Request, target: str, *, name: str = "", error: str | None = None,
                notice: str | None = None, status: int = 200) -> Response:
    token = login_csrf_value(request)
    response = render(request, "login.html", {"next": target, "name": name, "error": error, "notice": notice,
                                              "login_csrf": token}, status=status)
    set_login_csrf_cookie(response, request, token)
    return response
