"""Reading the list views: filters, search, ordering and paging for the HTTP API, the UI and exports.

Every function takes an ``Engine`` (it opens its own read transaction) or a ``Connection`` already
in one (``engine.begin()``), so a caller can combine several reads on one snapshot; all tables are
resolved through ``open_view``. A query is a frozen dataclass validated on construction: a bad
``limit``, ``offset``, ``order`` or ``cursor`` raises ``ValueError`` naming the field.

Paging is by keyset: ``Page.next`` is an opaque cursor (base64 of the last row's order key and id)
that continues exactly after that row, so paging through a list that changes meanwhile never repeats
or skips a row that stays in it. ``offset`` is accepted for "jump to page n"; ``next`` is always a
cursor. ``Page.total`` counts the rows matching the filters up to ``COUNT_LIMIT``: when more match,
``total`` is ``COUNT_LIMIT`` and ``total_exact`` is false ("10,000+"). Counting stops there because
an exact count reads every matching row (half a million for a partner at a million cases).

``q`` goes through the table's substring index when it has one (:mod:`projections.search`).

Partner-scoped reads (``list_partner_cases``, ``list_partner_inbox``) apply the visibility rule in SQL
(:func:`visible_to`). Search by a claimant's name or ID number is not here: it will come through the
keyed blind index of the personal-data issue, which yields dispute ids for ``CaseQuery.dispute_ids``.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date
from enum import Enum
from typing import Any, ClassVar, TypeVar

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Select,
    Table,
    and_,
    exists,
    func,
    literal,
    literal_column,
    or_,
    select,
    tuple_,
)

from projections.cases import CaseListView, utc_value
from projections.inbox import WITHDRAWN, InboxView
from projections.reading import open_view
from projections.search import contains
from projections.tickets import TicketListView

DEFAULT_LIMIT = 50
MAX_LIMIT = 500
COUNT_LIMIT = 10_000
"""``Page.total`` is exact up to this many rows; beyond it is this number, with ``total_exact`` false."""
HIDDEN_COLUMNS = frozenset({"search_text"})
"""Columns kept for the queries, not returned in items."""

CASES = CaseListView()
INBOX = InboxView()
TICKETS = TicketListView()

Values = str | Sequence[str] | None
"""One value or several: any of them matches. ``None`` does not filter; an empty list matches nothing
(e.g. no dispute ids found)."""


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    total: int
    """Rows matching the filters, counted up to ``COUNT_LIMIT`` (-1: not counted)."""
    next: str | None
    total_exact: bool = True
    """False when more than ``total`` rows match (``total`` is then ``COUNT_LIMIT``)."""


@dataclass(frozen=True, kw_only=True)
class ListQuery:
    """Search, order and paging, common to every list."""

    ORDERS: ClassVar[tuple[str, ...]] = ("-received_on", "received_on")
    MULTI: ClassVar[tuple[str, ...]] = ()
    """Filters that take one value or several."""
    DATES: ClassVar[tuple[str, ...]] = ()
    """Filters that take a date (or its ISO text)."""

    q: str | None = None
    """Substring of the case or ticket number, a receiving case number or a respondent's name."""
    order: str = "-received_on"
    limit: int = DEFAULT_LIMIT
    cursor: str | None = None
    offset: int | None = None

    def __post_init__(self) -> None:
        if isinstance(self.limit, bool) or not isinstance(self.limit, int) or not 1 <= self.limit <= MAX_LIMIT:
            raise ValueError(f"limit: expected a whole number from 1 to {MAX_LIMIT}, got {self.limit!r}")
        if self.offset is not None and (
            isinstance(self.offset, bool) or not isinstance(self.offset, int) or self.offset < 0
        ):
            raise ValueError(f"offset: expected a whole number from 0, got {self.offset!r}")
        if self.offset is not None and self.cursor is not None:
            raise ValueError("offset: give a cursor or an offset, not both")
        if self.order not in self.ORDERS:
            raise ValueError(f"order: expected one of {', '.join(self.ORDERS)}, got {self.order!r}")
        if self.cursor is not None:
            _decode_cursor(self.cursor, self.order)
        object.__setattr__(self, "q", (self.q or "").strip().lower() or None)
        for name in self.MULTI:
            object.__setattr__(self, name, _values(getattr(self, name), name))
        for name in self.DATES:
            object.__setattr__(self, name, _day(getattr(self, name), name))


Q = TypeVar("Q", bound=ListQuery)


@dataclass(frozen=True, kw_only=True)
class CaseQuery(ListQuery):
    MULTI: ClassVar[tuple[str, ...]] = (
        "status", "stage", "origin", "street", "industry", "case_type", "risk_flag", "caseworker", "agency",
        "kind", "dispute_ids",
    )
    DATES: ClassVar[tuple[str, ...]] = ("received_from", "received_to")

    status: Values = None
    stage: Values = None
    origin: Values = None
    street: Values = None
    industry: Values = None
    case_type: Values = None
    risk_flag: Values = None
    collective: bool | None = None
    caseworker: Values = None
    agency: Values = None
    """Agency of the current proceeding."""
    kind: Values = None
    """Kind of the current proceeding."""
    received_from: date | None = None
    received_to: date | None = None
    overdue: bool = False
    """Only cases with a missed deadline still to act on (red)."""
    due_soon: bool = False
    """Only cases with a deadline the clock has turned yellow."""
    dispute_ids: Values = None


@dataclass(frozen=True, kw_only=True)
class InboxQuery(ListQuery):
    ORDERS: ClassVar[tuple[str, ...]] = ("-requested_on", "requested_on")
    MULTI: ClassVar[tuple[str, ...]] = (
        "state", "to_agency", "from_agency", "kind", "org_type", "assignee", "dispute_ids",
    )
    DATES: ClassVar[tuple[str, ...]] = ("requested_from", "requested_to")

    order: str = "-requested_on"
    state: Values = None
    to_agency: Values = None
    from_agency: Values = None
    kind: Values = None
    org_type: Values = None
    assignee: Values = None
    requested_from: date | None = None
    requested_to: date | None = None
    overdue: bool = False
    """Only handoffs whose acceptance deadline was missed (red)."""
    due_soon: bool = False
    """Only handoffs whose acceptance deadline the clock has turned yellow."""
    dispute_ids: Values = None


@dataclass(frozen=True, kw_only=True)
class TicketQuery(ListQuery):
    MULTI: ClassVar[tuple[str, ...]] = (
        "state", "channel", "category", "complexity", "urgency", "street", "handling_org",
    )
    DATES: ClassVar[tuple[str, ...]] = ("received_from", "received_to")

    state: Values = None
    channel: Values = None
    category: Values = None
    complexity: Values = None
    urgency: Values = None
    street: Values = None
    handling_org: Values = None
    received_from: date | None = None
    received_to: date | None = None
    overdue: bool = False
    due_soon: bool = False
    escalated: bool = False
    """Only tickets escalated (督办) at least once."""


# --------------------------------------------------------------------------- lists


def list_cases(source: Engine | Connection, query: CaseQuery | None = None) -> Page:
    """The dispute case list, as mediation-centre staff see it (every case)."""
    return _cases(source, query or CaseQuery(), agency=None, count=True)


def list_partner_cases(source: Engine | Connection, agency: str, query: CaseQuery | None = None) -> Page:
    """The cases ``agency`` may see (:func:`visible_to`), filtered like :func:`list_cases`."""
    return _cases(source, query or CaseQuery(), agency=_agency(agency), count=True)


def list_inbox(source: Engine | Connection, query: InboxQuery | None = None) -> Page:
    """Every handoff (staff): filter by ``to_agency`` / ``from_agency`` for one agency's traffic."""
    return _inbox(source, query or InboxQuery(), agency=None, count=True)


def list_partner_inbox(source: Engine | Connection, agency: str, query: InboxQuery | None = None) -> Page:
    """``agency``'s inbox: the handoffs addressed to it, without those withdrawn before receipt."""
    return _inbox(source, query or InboxQuery(), agency=_agency(agency), count=True)


def list_tickets(source: Engine | Connection, query: TicketQuery | None = None) -> Page:
    """The 12351 ticket list (mediation-centre staff)."""
    return _tickets(source, query or TicketQuery(), count=True)


def iter_cases(
    source: Engine, query: CaseQuery | None = None, *, agency: str | None = None
) -> Iterator[dict[str, Any]]:
    """Every case matching ``query`` (its paging ignored), for exports: pages of ``MAX_LIMIT``, each
    read in its own short transaction, without counting."""
    scope = None if agency is None else _agency(agency)
    yield from _every(lambda q: _cases(source, q, agency=scope, count=False), query or CaseQuery())


def iter_inbox(
    source: Engine, query: InboxQuery | None = None, *, agency: str | None = None
) -> Iterator[dict[str, Any]]:
    scope = None if agency is None else _agency(agency)
    yield from _every(lambda q: _inbox(source, q, agency=scope, count=False), query or InboxQuery())


def iter_tickets(source: Engine, query: TicketQuery | None = None) -> Iterator[dict[str, Any]]:
    yield from _every(lambda q: _tickets(source, q, count=False), query or TicketQuery())


# --------------------------------------------------------------------------- visibility


def visible_to(inbox: Table, agency: str) -> ColumnElement[bool]:
    """The API's rule on one inbox row: a handoff to ``agency`` makes its case visible from the
    request on, also after a return or a rejection, unless it was withdrawn before it was received."""
    # A literal state (not a bound parameter), so that both stores match the partial index ix_inbox_visible.
    return and_(
        inbox.c.to_agency == agency,
        or_(inbox.c.state != literal_column(f"'{WITHDRAWN}'"), inbox.c.received_on.is_not(None)),
    )


def visible_dispute_ids(
    connection: Connection, agency: str, dispute_ids: Sequence[str] | None = None
) -> set[str]:
    """The disputes ``agency`` may see (of ``dispute_ids``, when given)."""
    inbox = open_view(connection, INBOX).inbox
    statement = select(inbox.c.dispute_id).distinct().where(visible_to(inbox, _agency(agency)))
    if dispute_ids is not None:
        statement = statement.where(inbox.c.dispute_id.in_(list(dispute_ids)))
    return set(connection.execute(statement).scalars())


def is_visible(connection: Connection, agency: str, dispute_id: str) -> bool:
    inbox = open_view(connection, INBOX).inbox
    statement = select(
        exists().where(inbox.c.dispute_id == str(dispute_id), visible_to(inbox, _agency(agency)))
    )
    return bool(connection.execute(statement).scalar())


# --------------------------------------------------------------------------- the three lists


def _cases(source: Engine | Connection, query: CaseQuery, *, agency: str | None, count: bool) -> Page:
    with _reading(source) as connection:
        tables = open_view(connection, CASES)
        table, tags = tables.cases, tables.case_tags
        where = _matching(connection, table, query, (
            "status", "stage", "origin", "street", "industry", "caseworker", "agency", "kind", "dispute_ids"),
            columns={"agency": "current_agency", "kind": "current_kind", "dispute_ids": "dispute_id"},
        )
        if query.collective is not None:
            where.append(table.c.is_collective == query.collective)
        own = bool(where) or query.overdue or query.due_soon
        where += _between(table.c.received_on, query.received_from, query.received_to)
        where += _lights(table, query.overdue, query.due_soon)
        # Conditions on other tables, each a semi-join. SQLite runs EXISTS as a probe per case in list
        # order: a page stops after a few probes, and so does a capped count when the other table holds
        # most cases (a partner's handoffs). It runs IN as one pass over the subquery and a lookup per
        # id: cheaper for counting a tag, whose rows carry the case's date so that a period bounds them
        # too. (PostgreSQL plans both as the same semi-join.)
        tagged: list[Select[Any]] = []
        for kind, values in (("case_type", query.case_type), ("risk_flag", query.risk_flag)):
            if values is not None:
                tagged.append(select(tags.c.dispute_id).where(tags.c.kind == kind, tags.c.tag.in_(values)))
        scoped: list[Select[Any]] = []
        if agency is not None:
            inbox = open_view(connection, INBOX).inbox
            scoped.append(select(inbox.c.dispute_id).where(visible_to(inbox, agency)))
        page_where = where + [s.where(s.selected_columns[0] == table.c.dispute_id).exists() for s in tagged + scoped]
        # The period bounds the tags counted (not those probed for a page: PostgreSQL then expects more
        # rows and plans a parallel scan, whose start costs more than the page).
        tagged = [s.where(*_between(tags.c.received_on, query.received_from, query.received_to)) for s in tagged]
        count_where = (where + [table.c.dispute_id.in_(s) for s in tagged]
                       + [s.where(s.selected_columns[0] == table.c.dispute_id).exists() for s in scoped])
        # With no other condition, one semi-join's own rows are the count (a case once each): one tag
        # filter and at most a period (the tags carry it), or the partner scope alone, read from its
        # index in dispute order (a probe per case costs 30 ms more for 10,000 cases on SQLite).
        counted = None
        if len(tagged) == 1 and not scoped and not own:
            counted = tagged[0] if len(query.case_type or query.risk_flag or ()) == 1 else tagged[0].distinct()
        elif len(scoped) == 1 and not tagged and not where:
            counted = scoped[0].distinct()
        return _page(connection, table, page_where, query, ("received_on", "dispute_id"), count, count_where,
                     counted)


def _inbox(source: Engine | Connection, query: InboxQuery, *, agency: str | None, count: bool) -> Page:
    with _reading(source) as connection:
        table = open_view(connection, INBOX).inbox
        where = _matching(connection, table, query, (
            "state", "to_agency", "from_agency", "kind", "org_type", "assignee", "dispute_ids"),
            columns={"dispute_ids": "dispute_id"},
        )
        where += _between(table.c.requested_on, query.requested_from, query.requested_to)
        if query.overdue:
            where.append(table.c.warning == "RED")
        if query.due_soon:
            where.append(table.c.warning == "YELLOW")
        if agency is not None:
            where.append(visible_to(table, agency))
        return _page(connection, table, where, query, ("requested_on", "dispute_id", "handoff_id"), count)


def _tickets(source: Engine | Connection, query: TicketQuery, *, count: bool) -> Page:
    with _reading(source) as connection:
        table = open_view(connection, TICKETS).tickets
        where = _matching(connection, table, query, (
            "state", "channel", "category", "complexity", "urgency", "street", "handling_org"))
        where += _between(table.c.received_on, query.received_from, query.received_to)
        where += _lights(table, query.overdue, query.due_soon)
        if query.escalated:
            where.append(table.c.escalation_count > literal_column("0"))
        return _page(connection, table, where, query, ("received_on", "complaint_id"), count)


# --------------------------------------------------------------------------- building blocks


@contextmanager
def _reading(source: Engine | Connection) -> Iterator[Connection]:
    if isinstance(source, Connection):
        yield source
        return
    with source.begin() as connection:
        yield connection


def _matching(connection: Connection, table: Table, query: ListQuery, names: Sequence[str],
              columns: dict[str, str] | None = None) -> list[ColumnElement[bool]]:
    """``column IN (values)`` for each multi-valued filter given, plus the search."""
    columns = columns or {}
    where: list[ColumnElement[bool]] = []
    for name in names:
        values = getattr(query, name)
        if values is not None:
            where.append(table.c[columns.get(name, name)].in_(values))
    if query.q:
        where.append(contains(connection, table, query.q))
    return where


def _between(column: Any, first: date | None, last: date | None) -> list[ColumnElement[bool]]:
    where = []
    if first is not None:
        where.append(column >= first)
    if last is not None:
        where.append(column <= last)
    return where


def _lights(table: Table, overdue: bool, due_soon: bool) -> list[ColumnElement[bool]]:
    # A literal 0 (not a bound parameter) so PostgreSQL matches the partial indexes' predicates.
    where = []
    if overdue:
        where.append(table.c.red_count > literal_column("0"))
    if due_soon:
        where.append(table.c.yellow_count > literal_column("0"))
    return where


def _page(connection: Connection, table: Table, where: list[ColumnElement[bool]], query: ListQuery,
          keys: tuple[str, ...], count: bool, count_where: list[ColumnElement[bool]] | None = None,
          counted: Select[Any] | None = None) -> Page:
    """One page in ``keys`` order and, with ``count``, the number of rows matching ``count_where``
    (the same rows as ``where``, possibly phrased for counting), or returned by ``counted`` (one row
    per matching row, from another table), up to ``COUNT_LIMIT``."""
    descending = query.order.startswith("-")
    key_columns = [table.c[name] for name in keys]
    statement = select(*(c for c in table.columns if c.name not in HIDDEN_COLUMNS)).where(*where)
    if query.cursor is not None:
        last = _decode_cursor(query.cursor, query.order)
        if len(last) != len(keys):
            raise ValueError("cursor: does not belong to this list")
        bound = tuple_(*(literal(value, column.type) for value, column in zip(last, key_columns, strict=True)))
        statement = statement.where(tuple_(*key_columns) < bound if descending else tuple_(*key_columns) > bound)
    statement = statement.order_by(*(c.desc() if descending else c.asc() for c in key_columns))
    if query.offset:
        statement = statement.offset(query.offset)
    rows = connection.execute(statement.limit(query.limit + 1)).mappings().all()
    items = [{name: utc_value(value) for name, value in row.items()} for row in rows[: query.limit]]
    following = (
        _encode_cursor(query.order, [items[-1][name] for name in keys]) if len(rows) > query.limit else None
    )
    total, exact = -1, True
    if count:
        if counted is None:
            counted = select(literal_column("1")).select_from(table).where(
                *(where if count_where is None else count_where))
        # Count at most COUNT_LIMIT + 1 rows: one more than the limit tells that more match.
        matching = counted.limit(COUNT_LIMIT + 1)
        found = connection.execute(select(func.count()).select_from(matching.subquery())).scalar_one()
        total, exact = min(found, COUNT_LIMIT), found <= COUNT_LIMIT
    return Page(items=items, total=total, next=following, total_exact=exact)


def _every(fetch: Callable[[Q], Page], query: Q) -> Iterator[dict[str, Any]]:
    page = fetch(replace(query, limit=MAX_LIMIT, cursor=None, offset=None))
    while True:
        yield from page.items
        if page.next is None:
            return
        page = fetch(replace(query, limit=MAX_LIMIT, cursor=page.next, offset=None))


def _encode_cursor(order: str, key: Sequence[Any]) -> str:
    values = [value.isoformat() if isinstance(value, date) else value for value in key]
    raw = json.dumps([order, *values], ensure_ascii=True, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str, order: str) -> list[Any]:
    """The key a cursor continues after: the order-by date, then the ids."""
    try:
        decoded = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(decoded, list) or len(decoded) < 3 or not all(isinstance(v, str) for v in decoded):
            raise ValueError
        made_for, first, *ids = decoded
        day = date.fromisoformat(first)
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise ValueError("cursor: not a cursor from this list; start again without it") from None
    if made_for != order:
        raise ValueError(f"cursor: made for order {made_for!r}, not {order!r}")
    return [day, *ids]


def _values(value: Any, name: str) -> tuple[str, ...] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return (value,)
    values = tuple(value)
    if not all(isinstance(v, str) for v in values):
        raise ValueError(f"{name}: expected text values")
    return values


def _day(value: Any, name: str) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: expected a date YYYY-MM-DD, got {value!r}") from None


def _agency(agency: Any) -> str:
    return agency.value if isinstance(agency, Enum) else str(agency)
