"""What every page module shares: the page router, route options, the runtime, list reading."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError
from sqlalchemy.exc import OperationalError, ProgrammingError

from api.query_params import WHOLE_NUMBER
from api.runtime import Runtime
from api.ui.rendering import PageRoute
from projections.reading import ViewNotReady

PAGE: dict[str, Any] = {"response_model": str, "response_class": HTMLResponse, "include_in_schema": False}
"""Route options of a page: it answers HTML (a string), and stays out of the API's OpenAPI schema."""

ALL_ROLES = ("staff", "partner", "auditor", "admin")
LIST_LIMIT = 25


def page_router() -> APIRouter:
    return APIRouter(route_class=PageRoute)


def runtime_of(request: Request) -> Runtime:
    return request.app.state.runtime


VIEW_NOT_READY = (ViewNotReady, OperationalError, ProgrammingError)
"""What reading a view raises before the follower has built it (then :func:`unbuilt` decides)."""


def unbuilt(error: Exception) -> None:
    """``None`` (show "being built") for a view not built yet — no live generation, or no tracking
    tables at all on a store the follower never ran on; any other database error is raised again."""
    if isinstance(error, ViewNotReady):
        return None
    original = getattr(error, "orig", None)
    if "no such table" in str(original) or getattr(original, "sqlstate", None) == "42P01":
        return None
    raise error


def text_param(request: Request, name: str, default: str = "") -> str:
    """A search box's text: control characters (which no stored text holds, and PostgreSQL refuses) are
    dropped, as are spaces around it; at most 200 characters."""
    value = request.query_params.get(name, default)
    return _CONTROL.sub("", value).strip()[:200]


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _whole_number_or_blank(value: Any) -> Any:
    """A blank value (a cleared number field) is no value; anything else must be a whole number in digits."""
    if isinstance(value, str):
        value = value.strip()
        if not value:
            return None
        if not WHOLE_NUMBER.fullmatch(value):
            raise PydanticCustomError("int_parsing",
                                      "Input should be a valid integer, unable to parse string as an integer")
    return value


WholeNumber = Annotated[int | None, BeforeValidator(_whole_number_or_blank)]
"""A page's whole-number query parameter (``version: WholeNumber = None``): absent or blank is ``None``; a value
not written in digits fails the request's validation, which :class:`~api.ui.rendering.PageRoute` answers with
the error page, 422, naming the parameter."""
