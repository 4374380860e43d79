"""The API reads query strings as declared: what a route could only guess at is refused, 422 naming the parameter.

FastAPI on its own answers these as if the request were clear, or fails on them:

- a parameter that takes one value given more than once (``?limit=1&limit=500``): one of them is used;
- a parameter the route does not declare (``?party_phon=…``, a typo): ignored, so a filter silently does not
  apply (request bodies refuse unknown fields; so do query strings);
- a date written as a number (``?period_from=0``): read as a Unix time, 1970-01-01;
- a whole number written otherwise than in digits (``?offset=0.0``, ``1e3``) or beyond 64 bits (20 digits):
  read as a decimal, or more than either store can hold (a 500 before);
- a NUL character (``%00``) in any value: PostgreSQL cannot hold it in text (a 500 before).

This holds for the API's routes, those in ``/openapi.json``; the web UI's pages read their own query strings.
What each route declares is derived from its own parameters, its dependencies' included, once per route, so a
new route or parameter needs nothing here. Register once, for every route:
``FastAPI(dependencies=[strict_query()])``. The check runs before the route's other dependencies (sign-in and
role included), as the body's parsing and its size limit do: an ambiguous request is refused before anyone
acts on it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any, get_args

from fastapi import Depends, Request
from fastapi._compat import field_annotation_is_sequence
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Json
from pydantic.fields import FieldInfo

WRITTEN_AS_A_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
WHOLE_NUMBER = re.compile(r"[+-]?\d+")
LARGEST = 2**63 - 1  # a signed 64-bit integer, SQLite's and PostgreSQL's bigint
MAX_CACHED_ROUTES = 10_000


@dataclass(frozen=True)
class QueryRules:
    """What one route's query string may hold."""

    declared: frozenset[str]
    scalars: frozenset[str]
    dates: frozenset[str]
    integers: frozenset[str]
    api: bool  # in the API's schema: checked (the web UI's pages are not)


def strict_query() -> Any:
    """The dependency to register app-wide."""
    return Depends(check_query)


async def check_query(request: Request) -> None:
    """422 naming every parameter given twice that takes one value, every undeclared one, every date not written
    as a date, every whole number not written in digits or out of range and every value with a NUL character."""
    query = request.query_params
    route = request.scope.get("route")
    if not query or getattr(route, "dependant", None) is None:
        return
    rules = rules_of(route)
    if not rules.api:
        return
    errors = []
    items = query.multi_items()
    if len(items) != len(query):
        for name, count in Counter(name for name, _ in items).items():
            if count > 1 and name in rules.scalars:
                errors.append(_error(name, query.getlist(name), "repeated_value",
                                     f"given {count} times; this parameter takes one value"))
    for name in query:
        if any("\x00" in value for value in query.getlist(name)):
            errors.append(_error(name, query.getlist(name), "nul_character", "must not contain a NUL character"))
        elif name not in rules.declared:
            errors.append(_error(name, query.getlist(name), "unknown_parameter", "no such parameter here"))
        elif name in rules.dates and not all(WRITTEN_AS_A_DATE.match(value) for value in query.getlist(name)):
            errors.append(_error(name, query.getlist(name), "date_expected",
                                 "expected a date written YYYY-MM-DD (with a time: YYYY-MM-DDTHH:MM:SS+08:00)"))
        elif name in rules.integers and (problem := _whole_number_problem(query.getlist(name))):
            errors.append(_error(name, query.getlist(name), "whole_number_expected", problem))
    if errors:
        raise RequestValidationError(errors)


def _error(name: str, values: list[str], kind: str, reason: str) -> dict[str, Any]:
    return {"type": kind, "loc": ("query", name or '""'), "input": values, "msg": reason}  # an empty name, quoted


_rules: dict[int, tuple[Any, QueryRules]] = {}  # id(route) → (route, rules); the route is kept to check identity


def rules_of(route: Any) -> QueryRules:
    """The rules of ``route``, derived on its first request."""
    cached = _rules.get(id(route))
    if cached is not None and cached[0] is route:
        return cached[1]
    fields = list(_query_fields(route.dependant))
    rules = QueryRules(
        declared=frozenset(name for name, _ in fields),
        scalars=frozenset(name for name, info in fields if not _takes_many(info)),
        dates=frozenset(name for name, info in fields if _is_date(info.annotation)),
        integers=frozenset(name for name, info in fields if _is_integer(info.annotation)),
        api=bool(getattr(route, "include_in_schema", False)),
    )
    if len(_rules) >= MAX_CACHED_ROUTES:
        _rules.clear()
    _rules[id(route)] = (route, rules)
    return rules


def _takes_many(info: FieldInfo) -> bool:
    """As FastAPI reads it: a sequence, unless it is one JSON-encoded value."""
    return field_annotation_is_sequence(info.annotation) and not any(type(m) is Json for m in info.metadata)


def _is_date(annotation: Any) -> bool:
    """``date`` or ``datetime``, bare or in ``X | None`` / ``Annotated[X, …]``."""
    if isinstance(annotation, type):
        return issubclass(annotation, date)
    return any(_is_date(argument) for argument in get_args(annotation))


def _is_integer(annotation: Any) -> bool:
    """``int`` (not ``bool``), bare or in ``X | None`` / ``Annotated[X, …]`` / ``list[X]``."""
    if isinstance(annotation, type):
        return issubclass(annotation, int) and not issubclass(annotation, bool)
    return any(_is_integer(argument) for argument in get_args(annotation))


def _whole_number_problem(values: list[str]) -> str | None:
    for value in values:
        if not WHOLE_NUMBER.fullmatch(value):
            return "expected a whole number written in digits, e.g. 50"
        if len(value.lstrip("+-").lstrip("0")) > len(str(LARGEST)) or not -LARGEST - 1 <= int(value) <= LARGEST:
            return f"must be a whole number from {-LARGEST - 1} to {LARGEST}"
    return None


def _query_fields(dependant: Dependant) -> Iterator[tuple[str, FieldInfo]]:
    seen: set[int] = set()
    pending = [dependant]
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        for field in current.query_params:
            annotation = field.field_info.annotation
            if isinstance(annotation, type) and issubclass(annotation, BaseModel):  # a model of query parameters
                yield from ((info.alias or name, info) for name, info in annotation.model_fields.items())
            else:
                yield field.alias, field.field_info
        pending.extend(current.dependencies)
