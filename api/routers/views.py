"""Caseload and timeliness figures from the views; JSON, or CSV/XLSX for reporting upward."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from fastapi import APIRouter, Query

from api.access import allow
from api.blocking import blocking
from api.errors import ViewBehind
from api.routers.cases import ERRORS
from api.routers.lists import EXPORTABLE, export, wait_for
from api.runtime import Runtime, runtime
from domain.values import Actor
from projections import dashboards
from projections.reading import ViewNotReady

Format = Literal["json", "csv", "xlsx"]
ROW_COLUMNS = {
    "caseload": (("section", "分组"), ("dimension", "维度"), ("value", "取值"), ("open", "在办"), ("closed", "办结")),
    "timeliness": (("section", "分组"), ("item", "项目"), ("metric", "指标"), ("value", "数值")),
}


def _figures(read: Any) -> Any:
    try:
        return read()
    except ViewNotReady as error:
        raise ViewBehind(0) from error


def build_router() -> APIRouter:
    router = APIRouter(tags=["views"])

    @router.get("/views/caseload", response_model=dashboards.Caseload, responses={**ERRORS, **EXPORTABLE},
                summary="Open and closed cases by tier, agency, caseworker, case type, street, industry, origin; "
                        "intake per week")
    @blocking
    def caseload(rt: Runtime = runtime(), actor: Actor = allow("staff", "auditor"),
                 period_from: date | None = None, period_to: date | None = None, agency: str | None = None,
                 case_type: str | None = None, street: str | None = None,
                 after: int | None = Query(None, ge=0), format: Format = "json") -> Any:
        wait_for(rt, after, ["caseload"])
        figures = _figures(lambda: dashboards.caseload(
            rt.engine.read_engine, period_from=period_from, period_to=period_to, agency=agency,
            case_type=case_type, street=street))
        if format != "json":
            return export(figures.as_rows(), _columns(figures.as_rows(), "caseload"), format, "caseload")
        return figures

    @router.get("/views/timeliness", response_model=dashboards.Timeliness, responses={**ERRORS, **EXPORTABLE},
                summary="Deadlines on time / at risk / overdue per rule, days used, handoff latency, "
                        "hotline on-time and satisfaction, mediation success, amounts recovered")
    @blocking
    def timeliness(rt: Runtime = runtime(), actor: Actor = allow("staff", "auditor"),
                   period_from: date | None = None, period_to: date | None = None, agency: str | None = None,
                   case_type: str | None = None, street: str | None = None,
                   after: int | None = Query(None, ge=0), format: Format = "json") -> Any:
        wait_for(rt, after, ["timeliness"])
        figures = _figures(lambda: dashboards.timeliness(
            rt.engine.read_engine, period_from=period_from, period_to=period_to, agency=agency,
            case_type=case_type, street=street))
        if format != "json":
            return export(figures.as_rows(), _columns(figures.as_rows(), "timeliness"), format, "timeliness")
        return figures

    return router


def _columns(rows: list[dict[str, Any]], name: str) -> tuple[tuple[str, str], ...]:
    declared = ROW_COLUMNS[name]
    keys = [key for key, _ in declared]
    extra = [key for row in rows[:1] for key in row if key not in keys]
    return (*declared, *((key, key) for key in extra))


