"""Templates and the page route: every page is rendered here, every page error becomes a page.

``render`` fills a Jinja2 template (autoescaped, strict about undefined names) with the request's
language, the viewer, the CSRF token and the navigation of the viewer's role, and answers HTML with
security headers. :class:`PageRoute` wraps every UI route so that a missing session, a forbidden
role, a rejected CSRF token, an invisible case, a parameter the route declares given a value of the
wrong type (422, naming it) or an unexpected failure answers a page (or, for an API client, the same
status without the redirect), never the API's JSON.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import Any
from urllib.parse import quote

import structlog
from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from jinja2 import Environment, PackageLoader, StrictUndefined, pass_context, select_autoescape
from markupsafe import Markup

from api.errors import Forbidden, field_path
from api.ui import i18n
from api.ui.session import (
    CsrfRejected,
    LoginRequired,
    PageForbidden,
    Viewer,
    optional_viewer,
    set_session_cookie,
    wants_html,
)
from domain.errors import NotFound

log = structlog.get_logger(__name__)

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)

NAVIGATION = {
    "staff": (("Work queue", "/ui/queue"), ("12351 tickets", "/ui/tickets"), ("New dispute", "/ui/disputes/new"),
              ("New 12351 ticket", "/ui/complaints/new"), ("Dashboards", "/ui/dashboard")),
    "partner": (("Inbox", "/ui/inbox"),),
    "auditor": (("Audit", "/ui/audit"), ("Dashboards", "/ui/dashboard")),
    "admin": (),
}


def language_of(request: Request) -> str:
    cached = getattr(request.state, "language", None)
    if cached is None:
        cached = i18n.choose_language(request.cookies.get(i18n.LANGUAGE_COOKIE), request.headers.get("accept-language"))
        request.state.language = cached
    return cached


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("api.ui", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(t=_t, label=_label, error_text=_error_text)
    env.filters.update(date=_date, datetime=_datetime, money=_money, month=_month)
    return env


@pass_context
def _t(context: Any, key: str, **fields: Any) -> str:
    return i18n.translate(context["lang"], key, **fields)


@pass_context
def _label(context: Any, namespace: str, code: Any) -> str:
    return i18n.label(context["lang"], namespace, code)


@pass_context
def _error_text(context: Any, reason: str) -> str:
    return i18n.error_text(context["lang"], reason)


@pass_context
def _date(context: Any, value: date | str | None) -> str:
    return i18n.format_date(value, context["lang"])


@pass_context
def _datetime(context: Any, value: datetime | str | None) -> str:
    return i18n.format_datetime(value, context["lang"])


@pass_context
def _money(context: Any, value: Decimal | str | None) -> str:
    return i18n.format_money(value, context["lang"])


@pass_context
def _month(context: Any, value: date) -> str:
    return i18n.format_month(value, context["lang"])


def render(request: Request, template: str, context: dict[str, Any] | None = None, *, status: int = 200,
           viewer: Viewer | None = None, headers: dict[str, str] | None = None) -> HTMLResponse:
    """The page ``template`` for this request, in the viewer's language."""
    viewer = viewer or getattr(request.state, "viewer", None)
    language = language_of(request)
    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    values = {
        "lang": language,
        "viewer": viewer,
        "csrf_token": viewer.csrf_token if viewer else "",
        "navigation": NAVIGATION.get(viewer.role, ()) if viewer else (),
        "path": request.url.path,
        "here": quote(path, safe="/?=&"),
        "Markup": Markup,
    }
    values.update(context or {})
    html = environment().get_template(template).render(values)
    response = HTMLResponse(html, status_code=status, headers=headers)
    secure_headers(response)
    return response


def secure_headers(response: Response) -> None:
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Cache-Control", "no-store")


def redirect(request: Request, target: str) -> Response:
    """After a POST: 303 to ``target``; for htmx, the same as ``HX-Redirect`` so the whole page changes."""
    if request.headers.get("hx-request") == "true":
        response: Response = Response(status_code=204, headers={"HX-Redirect": target})
    else:
        response = RedirectResponse(target, status_code=303)
    secure_headers(response)
    return response


def error_page(request: Request, status: int, title: str, message: str,
               problems: list[dict[str, str]] | None = None) -> HTMLResponse:
    """The error page; ``problems`` lists the parameters at fault, each ``{"name", "text"}``."""
    return render(request, "error.html", {"title": title, "message": message, "status": status,
                                          "problems": problems or []}, status=status,
                  viewer=getattr(request.state, "viewer", None) or optional_viewer(request))


def invalid_request_page(request: Request, error: RequestValidationError) -> HTMLResponse:
    """422 naming each parameter whose value the route could not read (``?version=abc``), in the page's
    language. Raised before the route runs, so nothing was done or recorded."""
    language = language_of(request)
    problems = [{"name": field_path(item.get("loc", ())), "text": i18n.error_text(language, item.get("msg", "invalid"))}
                for item in error.errors()]
    log.info("page_invalid_request", path=request.url.path, parameters=[p["name"] for p in problems])
    return error_page(request, 422, "Invalid request",
                      "The address has a value this page cannot read; nothing was recorded.", problems)


class PageRoute(APIRoute):
    """An API route for pages: failures answer pages; a refreshed session token is set on the way out."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def page_handler(request: Request) -> Response:
            try:
                response = await handler(request)
            except LoginRequired as missing:
                return _sign_in_first(request, missing)
            except (PageForbidden, Forbidden):
                return error_page(request, 403, "Not allowed", "Your role may not open this page.")
            except CsrfRejected:
                return error_page(request, 403, "Not allowed",
                                  "The form has expired or did not come from this site. Reload the page and try again.")
            except NotFound:
                return error_page(request, 404, "Page not found", "No such case, or it is not visible to your agency.")
            except RequestValidationError as invalid:
                return invalid_request_page(request, invalid)
            except Exception as error:  # noqa: BLE001 - a page must fail as a page, with nothing recorded
                log.error("page_failed", error_type=type(error).__name__, path=request.url.path)
                return error_page(request, 500, "Something went wrong", "The request failed; nothing was recorded.")
            refreshed = getattr(request.state, "refreshed_session", None)
            if refreshed is not None:
                set_session_cookie(response, request, refreshed.access_token, refreshed.expires_in)
            return response

        return page_handler


def _sign_in_first(request: Request, missing: LoginRequired) -> Response:
    if not wants_html(request):
        response: Response = HTMLResponse("", status_code=401, headers={"WWW-Authenticate": "Bearer"})
        secure_headers(response)
        return response
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    location = "/ui/login?next=" + quote(target if request.method == "GET" else "/ui/", safe="")
    if missing.expired:
        location += "&expired=1"
    if request.headers.get("hx-request") == "true":
        response = Response(status_code=204, headers={"HX-Redirect": location})
    else:
        response = RedirectResponse(location, status_code=303)
    secure_headers(response)
    return response
