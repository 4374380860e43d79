"""Lists from the views: cases, the partner inbox, 12351 tickets; JSON pages or CSV/XLSX exports.

``?after=POSITION`` (a command's ``X-Log-Position``) waits, at most two seconds, until the views
include that command; past that the answer is 503 with Retry-After, never a silently stale list.
"""

from __future__ import annotations

import threading
from datetime import date
from typing import Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from api.access import allow
from api.blocking import blocking
from api.errors import Forbidden, ViewBehind
from api.routers.cases import ERRORS
from api.runtime import READ_YOUR_WRITES_TIMEOUT, Runtime, runtime
from domain.errors import InvalidInput
from domain.values import Actor, Role
from projections import queries
from projections.parties import dispute_ids_for_party
from projections.export import CASE_COLUMNS, INBOX_COLUMNS, TICKET_COLUMNS, iter_csv, to_xlsx
from projections.reading import ViewNotReady

Format = Literal["json", "csv", "xlsx"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class Row(BaseModel):
    model_config = ConfigDict(extra="allow")


class CaseRow(Row):
    dispute_id: str
    case_number: str
    status: str
    received_on: date
    version: int


class InboxRow(Row):
    dispute_id: str
    handoff_id: str
    case_number: str
    to_agency: str
    state: str
    requested_on: date


class TicketRow(Row):
    complaint_id: str
    ticket_no: str | None
    state: str
    received_on: date
    version: int


TOTAL = (f"rows matching the filters, counted up to {queries.COUNT_LIMIT:,}; when more match, "
         f"{queries.COUNT_LIMIT} with total_exact false")
TOTAL_EXACT = f"false when more than total rows match (show it as \"{queries.COUNT_LIMIT:,}+\")"


class CasePage(BaseModel):
    items: list[CaseRow]
    total: int = Field(description=TOTAL)
    total_exact: bool = Field(description=TOTAL_EXACT)
    next: str | None


class InboxPage(BaseModel):
    items: list[InboxRow]
    total: int = Field(description=TOTAL)
    total_exact: bool = Field(description=TOTAL_EXACT)
    next: str | None


class TicketPage(BaseModel):
    items: list[TicketRow]
    total: int = Field(description=TOTAL)
    total_exact: bool = Field(description=TOTAL_EXACT)
    next: str | None


_wait_lock = threading.Lock()


EXPORTABLE = {200: {"content": {"application/json": {}, "text/csv": {}, XLSX: {}},
                    "description": "JSON, or with ?format=csv|xlsx a CSV (UTF-8 with BOM) or XLSX file"}}


def wait_for(rt: Runtime, after: int | None, views: list[str]) -> None:
    if after is None:
        return
    head = rt.app.recorder.max_notification_id() or 0
    if after > head:
        raise InvalidInput("after", f"is beyond the log's last position {head}")
    with _wait_lock:
        follower = rt.engine.follower(views)
    try:
        follower.wait_until(after, timeout=READ_YOUR_WRITES_TIMEOUT, views=views)
    except TimeoutError:
        raise ViewBehind(after) from None


def build_query(query_class: type, **given: Any) -> Any:
    try:
        # An empty filter list from a query parameter means "not given"; dispute_ids=[] means "no match".
        return query_class(**{k: v for k, v in given.items()
                              if v is not None and (v != [] or k == "dispute_ids")})
    except ValueError as error:
        field, _, reason = str(error).partition(": ")
        raise InvalidInput(field, reason or str(error)) from None


def export(rows: Any, columns: Any, fmt: Format, title: str) -> Response:
    if fmt == "csv":
        return StreamingResponse(iter_csv(rows, columns), media_type="text/csv; charset=utf-8",
                                 headers={"Content-Disposition": f'attachment; filename="{title}.csv"'})
    return Response(to_xlsx(rows, columns, title), media_type=XLSX,
                    headers={"Content-Disposition": f'attachment; filename="{title}.xlsx"'})


def _page(read: Any) -> queries.Page:
    try:
        return read()
    except ViewNotReady as error:
        raise ViewBehind(0) from error


def _party_matches(rt: Runtime, actor: Actor, wanted: dict[str, str | None]) -> list[str] | None:
    """Dispute ids whose parties match every given personal value, through keyed blind indexes only."""
    given = {field: value for field, value in wanted.items() if value}
    if not given:
        return None
    if actor.role is Role.AUDITOR:
        raise Forbidden("auditors search cases without personal data")
    found: set[str] | None = None
    with rt.engine.read_engine.begin() as connection:
        for field, value in given.items():
            digest = rt.engine.vault.blind_index(field, value)
            ids = set(dispute_ids_for_party(connection, field, digest))
            found = ids if found is None else found & ids
    rt.note_personal_data_read(actor, "search", ",".join(sorted(given)), "party search")
    return sorted(found or [])


def build_router() -> APIRouter:
    router = APIRouter(tags=["lists"])

    @router.get("/disputes", response_model=CasePage, responses={**ERRORS, **EXPORTABLE},
                summary="Cases: search by case number or employer; filters; paging; CSV/XLSX export")
    @blocking
    def list_disputes(
        rt: Runtime = runtime(), actor: Actor = allow("staff", "partner", "auditor"),
        q: str | None = None, status: list[str] = Query(default=[]), stage: list[str] = Query(default=[]),
        origin: list[str] = Query(default=[]), street: list[str] = Query(default=[]),
        industry: list[str] = Query(default=[]), case_type: list[str] = Query(default=[]),
        risk_flag: list[str] = Query(default=[]), collective: bool | None = None,
        caseworker: list[str] = Query(default=[]), agency: list[str] = Query(default=[]),
        kind: list[str] = Query(default=[]), received_from: date | None = None, received_to: date | None = None,
        overdue: bool = False, due_soon: bool = False, order: str = "-received_on",
        limit: int = Query(50, ge=1, le=500), cursor: str | None = None, offset: int | None = Query(None, ge=0),
        after: int | None = Query(None, ge=0, description="wait until the views include this log position"),
        party_id_number: str | None = Query(None, description="a party's ID number, matched by blind index"),
        party_name: str | None = Query(None, description="a party's full name, matched by blind index"),
        party_phone: str | None = Query(None, description="a party's phone, matched by blind index"),
        format: Format = "json",
    ) -> Any:
        wait_for(rt, after, ["cases", "party_index"])
        matches = _party_matches(rt, actor, {"id_number": party_id_number, "name": party_name,
                                             "phone": party_phone})
        query = build_query(queries.CaseQuery, dispute_ids=matches, q=q, status=status, stage=stage, origin=origin, street=street,
                            industry=industry, case_type=case_type, risk_flag=risk_flag, collective=collective,
                            caseworker=caseworker, agency=agency, kind=kind, received_from=received_from,
                            received_to=received_to, overdue=overdue, due_soon=due_soon, order=order,
                            limit=limit, cursor=cursor, offset=offset)
        scope = actor.agency.value if actor.role is Role.PARTNER else None
        if format != "json":
            return export(queries.iter_cases(rt.engine.read_engine, query, agency=scope), CASE_COLUMNS, format,
                          "cases")
        if scope is None:
            page = _page(lambda: queries.list_cases(rt.engine.read_engine, query))
        else:
            page = _page(lambda: queries.list_partner_cases(rt.engine.read_engine, scope, query))
        return CasePage(items=page.items, total=page.total, total_exact=page.total_exact, next=page.next)

    @router.get("/handoffs", response_model=InboxPage, responses={**ERRORS, **EXPORTABLE},
                summary="The handoff inbox: a partner sees its own agency's; staff and auditors see all")
    @blocking
    def list_handoffs(
        rt: Runtime = runtime(), actor: Actor = allow("staff", "partner", "auditor"),
        q: str | None = None, state: list[str] = Query(default=[]), to_agency: list[str] = Query(default=[]),
        from_agency: list[str] = Query(default=[]), kind: list[str] = Query(default=[]),
        requested_from: date | None = None, requested_to: date | None = None, overdue: bool = False,
        due_soon: bool = False, order: str = "-requested_on", limit: int = Query(50, ge=1, le=500),
        cursor: str | None = None, offset: int | None = Query(None, ge=0), after: int | None = Query(None, ge=0),
        format: Format = "json",
    ) -> Any:
        wait_for(rt, after, ["inbox"])
        query = build_query(queries.InboxQuery, q=q, state=state, to_agency=to_agency, from_agency=from_agency,
                            kind=kind, requested_from=requested_from, requested_to=requested_to, overdue=overdue,
                            due_soon=due_soon, order=order, limit=limit, cursor=cursor, offset=offset)
        scope = actor.agency.value if actor.role is Role.PARTNER else None
        if format != "json":
            return export(queries.iter_inbox(rt.engine.read_engine, query, agency=scope), INBOX_COLUMNS, format,
                          "handoffs")
        if scope is None:
            page = _page(lambda: queries.list_inbox(rt.engine.read_engine, query))
        else:
            page = _page(lambda: queries.list_partner_inbox(rt.engine.read_engine, scope, query))
        return InboxPage(items=page.items, total=page.total, total_exact=page.total_exact, next=page.next)

    @router.get("/complaints", response_model=TicketPage, responses={**ERRORS, **EXPORTABLE},
                summary="12351 tickets")
    @blocking
    def list_complaints(
        rt: Runtime = runtime(), actor: Actor = allow("staff", "auditor"),
        q: str | None = None, state: list[str] = Query(default=[]), channel: list[str] = Query(default=[]),
        category: list[str] = Query(default=[]), complexity: list[str] = Query(default=[]),
        urgency: list[str] = Query(default=[]), street: list[str] = Query(default=[]),
        received_from: date | None = None, received_to: date | None = None, overdue: bool = False,
        due_soon: bool = False, escalated: bool = False, order: str = "-received_on",
        limit: int = Query(50, ge=1, le=500), cursor: str | None = None, offset: int | None = Query(None, ge=0),
        after: int | None = Query(None, ge=0), format: Format = "json",
    ) -> Any:
        wait_for(rt, after, ["tickets"])
        query = build_query(queries.TicketQuery, q=q, state=state, channel=channel, category=category,
                            complexity=complexity, urgency=urgency, street=street, received_from=received_from,
                            received_to=received_to, overdue=overdue, due_soon=due_soon, escalated=escalated,
                            order=order, limit=limit, cursor=cursor, offset=offset)
        if format != "json":
            return export(queries.iter_tickets(rt.engine.read_engine, query), TICKET_COLUMNS, format, "tickets")
        page = _page(lambda: queries.list_tickets(rt.engine.read_engine, query))
        return TicketPage(items=page.items, total=page.total, total_exact=page.total_exact, next=page.next)

    return router
